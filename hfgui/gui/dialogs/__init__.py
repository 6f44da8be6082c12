"""Dialogs opened from the window: Add model, Import, Settings, the files picker they share, and the
window's non-blocking questions."""
