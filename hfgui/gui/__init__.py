"""The desktop window (PySide6 widgets over hfgui.core): app.py starts it; services, workers and the
offline watch serve every part; window/ assembles the tabs (models/, search/, library/), the dialogs/ and
the shared widgets/."""
