"""Desktop integration as a desktop sees it: the window's app id and title on a real X server, AppStream."""

from __future__ import annotations

import os
import re
import shutil
import struct
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.packaging.helpers import APP_ID, ROOT, run

METADATA = ROOT / "resources" / "metadata"


def _desktop_entries() -> dict[str, str]:
    text = (METADATA / f"{APP_ID}.desktop").read_text()
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


@pytest.mark.skipif(
    shutil.which("xvfb-run") is None or shutil.which("xprop") is None,
    reason="needs xvfb-run and xprop (apt-get install xvfb x11-utils)",
)
def test_window_on_x11_carries_the_desktop_file_id_and_a_single_title(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "WAYLAND"))}
    env["HFGUI_HOME"] = str(tmp_path / "home")
    script = Path(__file__).with_name("x11_window_properties.py")
    result = run(["xvfb-run", "-a", sys.executable, str(script)], env=env, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    props = dict(re.findall(r"^(\w+)\([A-Z_0-9]+\) = (.*)$", result.stdout, re.M))
    # The app id GNOME and KDE match against the .desktop file (Qt sends the same to Wayland compositors).
    assert props["_GTK_APPLICATION_ID"] == props["_KDE_NET_WM_DESKTOP_FILE"] == f'"{APP_ID}"'
    wm_class = re.findall(r'"([^"]*)"', props["WM_CLASS"])
    assert wm_class[1] == _desktop_entries()["StartupWMClass"]  # X11 docks match the class
    title = props["_NET_WM_NAME"].strip('"')
    assert title.count("hfgui") == 1, f"doubled window title: {title!r}"


def test_desktop_file_name_is_the_desktop_file_id(qapp) -> None:
    from hfgui.gui.app import make_application

    app = make_application([])
    assert app.desktopFileName() == APP_ID
    assert (METADATA / f"{APP_ID}.desktop").is_file()


def test_metainfo_names_the_developer_and_shows_a_screenshot() -> None:
    component = ET.parse(METADATA / f"{APP_ID}.metainfo.xml").getroot()
    assert component.findtext("developer/name") and component.get("type") == "desktop-application"
    assert component.find("developer").get("id")
    assert component.findtext("developer_name") == component.findtext("developer/name")
    assert component.findtext("launchable") == f"{APP_ID}.desktop"
    screenshot = component.find("screenshots/screenshot[@type='default']")
    assert screenshot is not None and screenshot.findtext("caption")
    image = screenshot.find("image")
    # Software centres fetch the image from the repository's docs/screenshot.png on the main branch.
    homepage = component.findtext("url[@type='homepage']")
    repository = homepage.removeprefix("https://github.com/")
    assert image.text == f"https://raw.githubusercontent.com/{repository}/main/docs/screenshot.png"
    png = (ROOT / "docs" / "screenshot.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (int(image.get("width")), int(image.get("height")))
