"""The desktop window (PySide6 widgets over hfgui.core)."""
