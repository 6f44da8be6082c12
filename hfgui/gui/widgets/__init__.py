"""Small widgets and item-model helpers every tab uses: the banner, elided labels, progress bars, column
sizing, icons, texts for sizes and speeds, item roles."""
