"""Dialogs opened from the window: Add model, Import, Settings, and the window's non-blocking questions;
with the download picker (download_choice, its choice_* rules, cells and entry, repo_files) that the Add
model dialog and the Search tab share."""
