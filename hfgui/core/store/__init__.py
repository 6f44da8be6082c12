"""What hfgui keeps on disk for downloads: the app's folders, manifests and the resume journal, partial
files, the Hugging Face cache layout, safe paths, the model lock, --dest folders, deletion by rename."""
