"""Drive the window the way a person does: mouse clicks on buttons and menu items, shortcuts typed on
the keyboard, right-clicks for context menus. Tests use these instead of calling slots, so what a
signal passes into its slot (a toolbar action passes `checked`) is exercised too."""

from __future__ import annotations

import warnings

from PySide6 import QtCore, QtGui, QtWidgets

LEFT = QtCore.Qt.MouseButton.LeftButton


def click(qtbot, widget: QtWidgets.QWidget) -> None:
    """A left click in the middle of a visible, enabled widget (a button, a check box…)."""
    assert widget.isVisible(), f"{widget!r} ({_label(widget)}) is not visible"
    assert widget.isEnabled(), f"{widget!r} ({_label(widget)}) is disabled"
    qtbot.mouseClick(widget, LEFT, pos=widget.rect().center())


def button_of(container: QtWidgets.QWidget, text: str) -> QtWidgets.QAbstractButton:
    """The visible button whose text (without `&` mnemonics) is ``text``."""
    found = [
        b
        for b in container.findChildren(QtWidgets.QAbstractButton)
        if b.text().replace("&", "") == text and b.isVisible()
    ]
    assert found, f"no visible button {text!r}; there are {_buttons(container)}"
    return found[0]


def click_button(qtbot, container: QtWidgets.QWidget, text: str) -> None:
    click(qtbot, button_of(container, text))


def answer(qtbot, box: QtWidgets.QMessageBox | None, text: str) -> None:
    """Click the button of an open question."""
    assert box is not None and box.isVisible(), "no question is open"
    click_button(qtbot, box, text)


def activate(qtbot, window: QtWidgets.QWidget) -> None:
    """Make the window the active one, as a click on its title bar does (shortcuts need it)."""
    if QtWidgets.QApplication.activeWindow() is window:
        return
    if window.windowHandle() is not None and window.windowHandle().isActive():
        # The offscreen platform does not move activation back when a dialog on top closes: the window
        # is the focus window again, but the widgets still think the closed dialog is active.
        with warnings.catch_warnings():  # deprecated, and still the only way to say so offscreen
            warnings.simplefilter("ignore", DeprecationWarning)
            QtWidgets.QApplication.setActiveWindow(window)
    else:
        with qtbot.waitActive(window):
            window.activateWindow()
    assert QtWidgets.QApplication.activeWindow() is window


def press(qtbot, widget: QtWidgets.QWidget, sequence: str | QtGui.QKeySequence) -> None:
    """Type a key combination (e.g. "Ctrl+N") into the widget's window."""
    activate(qtbot, widget.window())
    keys = QtGui.QKeySequence(sequence)
    assert keys.count() == 1, f"one key combination expected, got {keys.toString()!r}"
    combination = keys[0]
    qtbot.keyClick(widget, combination.key(), combination.keyboardModifiers())


def toolbar_click(qtbot, toolbar: QtWidgets.QToolBar, action: QtGui.QAction) -> None:
    """Click the tool button that shows ``action`` (it must be on screen, not behind the » menu)."""
    button = toolbar.widgetForAction(action)
    assert button is not None, f"{action.text()!r} is not on the toolbar"
    click(qtbot, button)


def menu_bar_choose(qtbot, window: QtWidgets.QMainWindow, path: str) -> None:
    """Choose ``"Menu/Entry"`` from the window's menu bar with the mouse."""
    menu_title, entry = path.split("/", 1)
    bar = window.menuBar()
    menus = {a.text().replace("&", ""): a for a in bar.actions()}
    assert menu_title in menus, f"no menu {menu_title!r}; there are {sorted(menus)}"
    menu_action = menus[menu_title]
    qtbot.mouseClick(bar, LEFT, pos=bar.actionGeometry(menu_action).center())
    menu = menu_action.menu()
    qtbot.waitUntil(menu.isVisible, timeout=5_000)
    choose(qtbot, menu, entry)


def open_context_menu(qtbot, view: QtWidgets.QAbstractItemView, index: QtCore.QModelIndex) -> None:
    """Right-click a row: select it, then send the context-menu event the desktop sends."""
    rect = view.visualRect(index)
    assert rect.isValid(), "the row is not on screen"
    qtbot.mouseClick(view.viewport(), LEFT, pos=rect.center())
    viewport = view.viewport()
    event = QtGui.QContextMenuEvent(
        QtGui.QContextMenuEvent.Reason.Mouse, rect.center(), viewport.mapToGlobal(rect.center())
    )
    QtWidgets.QApplication.sendEvent(viewport, event)


def click_row(qtbot, view: QtWidgets.QAbstractItemView, index: QtCore.QModelIndex) -> None:
    """Left-click a row of an item view (``index`` of the view's own model), which selects it."""
    rect = view.visualRect(index)
    assert rect.isValid(), "the row is not on screen"
    qtbot.mouseClick(view.viewport(), LEFT, pos=rect.center())


def double_click(qtbot, view: QtWidgets.QAbstractItemView, index: QtCore.QModelIndex) -> None:
    """Double-click a row. The desktop delivers press, release, then the double-click; QTest.mouseDClick
    sends the double-click event alone, and an item view ignores a double-click on a row it never saw
    pressed, so the first click goes first."""
    click_row(qtbot, view, index)
    qtbot.mouseDClick(view.viewport(), LEFT, pos=view.visualRect(index).center())


def visible_menu() -> QtWidgets.QMenu:
    menus = [w for w in QtWidgets.QApplication.topLevelWidgets() if isinstance(w, QtWidgets.QMenu)]
    shown = [m for m in menus if m.isVisible()]
    assert shown, "no menu is open"
    return shown[-1]


def choose(qtbot, menu: QtWidgets.QMenu, text: str) -> None:
    """Click the entry ``text`` of an open menu."""
    entries = {a.text().replace("&", ""): a for a in menu.actions() if not a.isSeparator()}
    assert text in entries, f"no entry {text!r}; the menu has {list(entries)}"
    action = entries[text]
    assert action.isEnabled(), f"{text!r} is disabled"
    qtbot.mouseClick(menu, LEFT, pos=menu.actionGeometry(action).center())


def menu_entries(menu: QtWidgets.QMenu) -> list[str]:
    return [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator() and a.isVisible()]


def _label(widget: QtWidgets.QWidget) -> str:
    text = getattr(widget, "text", None)
    return text() if callable(text) else widget.objectName()


def _buttons(container: QtWidgets.QWidget) -> list[str]:
    return [b.text() for b in container.findChildren(QtWidgets.QAbstractButton) if b.isVisible()]


def open_tab(qtbot, tabs: QtWidgets.QTabWidget, title: str) -> None:
    """Click the tab with this title."""
    bar = tabs.tabBar()
    titles = [bar.tabText(i) for i in range(bar.count())]
    assert title in titles, f"no tab {title!r}; there are {titles}"
    qtbot.mouseClick(bar, LEFT, pos=bar.tabRect(titles.index(title)).center())
    assert tabs.currentIndex() == titles.index(title)


def pick(qtbot, combo: QtWidgets.QComboBox, text: str) -> None:
    """Choose ``text`` in a drop-down list as a person does: click it open, arrow keys to the entry, Enter."""
    target = combo.findText(text)
    assert target >= 0, f"no entry {text!r}; there are {[combo.itemText(i) for i in range(combo.count())]}"
    click(qtbot, combo)
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=5_000)
    steps = target - view.currentIndex().row()
    key = QtCore.Qt.Key.Key_Down if steps > 0 else QtCore.Qt.Key.Key_Up
    for _ in range(abs(steps)):
        qtbot.keyClick(view, key)
    assert view.currentIndex().row() == target, "the arrow keys did not reach the entry"
    qtbot.keyClick(view, QtCore.Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=5_000)
    assert combo.currentText() == text
