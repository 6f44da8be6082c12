"""Small widgets and helpers every tab uses: the banner, non-blocking questions, elided labels, progress
bars, column sizing, icons, texts for sizes, speeds and formats, item roles, the free space on the
library's disk, and showing a folder in the file manager."""
