"""The main window: it assembles the tabs, actions and menus, turns failures into actions and banners,
and owns the window's life cycle (closing, the tray, one window per user)."""
