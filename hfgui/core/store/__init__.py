"""What hfgui keeps on disk for downloads: the app's folders, manifests and the resume journal, partial
files, the Hugging Face cache layout, hashes of files on disk, durable writes, safe paths, the model
lock, --dest folders, deletion by rename."""
