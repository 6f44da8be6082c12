"""Dialogs opened from the window: Add model and Import, with the download picker
(download_choice, its choice_* rules, cells and entry, repo_files) that Add model and the Search tab
share."""
