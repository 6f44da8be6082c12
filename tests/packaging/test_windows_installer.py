"""The NSIS installer, compiled here with Linux's makensis against a dummy bundle.

What can only be seen on Windows (the registry, the finish page) is checked in makensis' own trace of
the compiled script (-V4), the version resource is read from the installer's PE file, and signing runs
a stand-in `signtool` that records what it was asked to sign.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
from pathlib import Path

import pytest

from hfgui import __version__
from tests.packaging.helpers import ROOT, run

pytestmark = pytest.mark.skipif(
    shutil.which("makensis") is None, reason="makensis missing (apt-get install nsis)"
)
README = ROOT / "packaging" / "README.md"
SCRIPT = ROOT / "packaging" / "windows" / "hfgui.nsi"
BUNDLE_FILES = ("hfgui.exe", "hfgui-gui.exe", "_internal/resources/catalog.json")


def _checkout_with_dummy_bundle(root: Path) -> Path:
    """A folder laid out like the repository root after PyInstaller: packaging/windows and dist/hfgui."""
    shutil.copytree(SCRIPT.parent, root / "packaging" / "windows")
    for name in BUNDLE_FILES:
        (root / "dist" / "hfgui" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "dist" / "hfgui" / name).write_bytes(b"placeholder")
    return root


def _compile(root: Path, version: str, *options: str, env: dict[str, str] | None = None):
    return run(
        [
            "makensis",
            "-WX",
            *options,
            f"-DVERSION={version}",
            "-DDIST_DIR=dist\\hfgui",
            "packaging\\windows\\hfgui.nsi",
        ],
        cwd=root,
        env=env,
    )


def _fixed_file_info(exe: Path) -> tuple[str, str]:
    """FileVersion and ProductVersion of the PE version resource (VS_FIXEDFILEINFO), as a.b.c.d."""
    data = exe.read_bytes()
    start = data.find(struct.pack("<I", 0xFEEF04BD))
    assert start > 0, "no version resource"
    file_ms, file_ls, product_ms, product_ls = struct.unpack("<4I", data[start + 8 : start + 24])
    as_text = lambda ms, ls: f"{ms >> 16}.{ms & 0xFFFF}.{ls >> 16}.{ls & 0xFFFF}"  # noqa: E731
    return as_text(file_ms, file_ls), as_text(product_ms, product_ls)


def _packaging_readme_command() -> str:
    blocks = re.findall(r"^```\n(.*?)^```$", README.read_text(), re.M | re.S)
    commands = [line for block in blocks for line in block.splitlines() if line.startswith("makensis ")]
    assert len(commands) == 1, "packaging/README.md should give exactly one makensis command"
    return commands[0]


def test_readme_command_works_verbatim_from_the_repository_root(tmp_path: Path) -> None:
    argv = _packaging_readme_command().split()  # as cmd.exe would pass it: no quotes, backslashes kept
    outfile = next(arg for arg in argv if arg.startswith("-DOUTFILE=")).removeprefix("-DOUTFILE=")
    root = _checkout_with_dummy_bundle(tmp_path)
    result = run(argv, cwd=root)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    setup = root / outfile.replace("\\", "/")
    assert setup.read_bytes()[:2] == b"MZ"
    if shutil.which("7zz"):  # the installer carries the bundle's files under their names
        listing = run(["7zz", "l", "-slt", str(setup)]).stdout
        paths = set(re.findall(r"^Path = (.*)$", listing, re.M))
        assert {name.replace("/", os.sep) for name in BUNDLE_FILES} <= paths, paths


def test_top_readme_gives_the_same_makensis_command() -> None:
    top = re.findall(r"`(makensis [^`]*)`", (ROOT / "README.md").read_text())
    assert top == [_packaging_readme_command()], f"README.md says {top}"


@pytest.mark.parametrize(
    ("version", "numeric"), [("0.2.0rc1", "0.2.0.0"), ("1.4.2", "1.4.2.0"), ("0.3.1.dev2", "0.3.1.0")]
)
def test_pre_release_versions_get_a_numeric_file_version(tmp_path: Path, version: str, numeric: str) -> None:
    root = _checkout_with_dummy_bundle(tmp_path)
    result = _compile(root, version)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    setup = root / "dist" / f"hfgui-{version}-setup.exe"  # the script's default OUTFILE
    assert _fixed_file_info(setup) == (numeric, numeric)
    assert version.encode("utf-16-le") in setup.read_bytes()  # ProductVersion keeps the full version


def test_version_without_three_parts_is_refused(tmp_path: Path) -> None:
    result = _compile(_checkout_with_dummy_bundle(tmp_path), "0.2")
    assert result.returncode != 0 and "VERSION must look like 1.2.3" in result.stdout + result.stderr


def _trace(root: Path) -> str:
    """makensis' trace of every instruction it compiled."""
    result = _compile(root, __version__, "-V4")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    return result.stdout


def _block(trace: str, header: str) -> str:
    """The instructions of one Function/Section in the trace."""
    start = trace.index(header)
    return trace[start : trace.index("End\n", start)]


def test_registry_view_size_and_unelevated_start(tmp_path: Path) -> None:
    trace = _trace(_checkout_with_dummy_bundle(tmp_path))
    # 64-bit registry view for the install and the uninstall, so the entry is where Windows lists 64-bit apps.
    assert "SetRegView: 64" in _block(trace, 'Function: ".onInit"')
    assert "SetRegView: 64" in _block(trace, 'Function: "un.onInit"')
    app = _block(trace, 'Section: "hfgui (required)"')
    assert re.search(r"WriteRegDWORD: HKLM\\.*\\io\.github\.hfgui\.HfGui\\EstimatedSize=\$0", app)
    assert "IntFmt: $0->$0 (fmt:0x%08X)" in app
    # The finish page's "Start hfgui" goes through Explorer, which runs it as the signed-in user.
    assert '!define: "MUI_FINISHPAGE_RUN_FUNCTION"="StartUnelevated"' in trace
    assert 'Exec: ""$WINDIR\\explorer.exe" "$INSTDIR\\hfgui-gui.exe""' in _block(
        trace, 'Function: "StartUnelevated"'
    )


def test_add_to_path_is_optional_and_undone_by_the_uninstaller(tmp_path: Path) -> None:
    assert re.search(r'^Section /o "Add hfgui to PATH"', SCRIPT.read_text(), re.M), (
        "must be unticked by default"
    )
    trace = _trace(_checkout_with_dummy_bundle(tmp_path))
    add = _block(trace, 'Section: "Add hfgui to PATH"')
    remove = _block(trace, 'Section: "Uninstall"')
    for block in (add, remove):
        assert 'SetEnvironmentVariable(t "HFGUI_DIR", t "$INSTDIR")' in block
        assert "SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment" in block
        assert (
            "DoNotExpandEnvironmentNames" in block and "'ExpandString'" in block
        )  # %SystemRoot% entries kept
        assert "SendMessage: (timeout=5000)(0xFFFF,0x001A,0,STR:Environment)" in block  # WM_SETTINGCHANGE
    assert "$$parts + $$env:HFGUI_DIR" in add and "$$parts + " not in remove
    assert "AddedToPath=1" in add and "AddedToPath" in remove


def test_signing_runs_only_with_a_certificate_configured(tmp_path: Path) -> None:
    tools = tmp_path / "tools"
    tools.mkdir()
    log = tmp_path / "signtool.log"
    # Stands in for the Windows SDK's signtool: records its arguments and whether the file to sign exists.
    (tools / "signtool").write_text(
        f'#!/bin/sh\nfor f; do :; done\n[ -f "$f" ] && echo "$* (exists)" >> {log}\n'
    )
    (tools / "signtool").chmod(0o755)
    env = {**os.environ, "PATH": f"{tools}:{os.environ['PATH']}"}
    env.pop("WINDOWS_SIGN_CERT", None)

    unsigned = _compile(_checkout_with_dummy_bundle(tmp_path / "unsigned"), __version__, env=env)
    assert unsigned.returncode == 0, unsigned.stdout[-3000:]
    assert not log.exists()

    env |= {"WINDOWS_SIGN_CERT": "0123456789ABCDEF", "WINDOWS_SIGN_TIMESTAMP_URL": "http://ts.example"}
    root = _checkout_with_dummy_bundle(tmp_path / "signed")
    signed = _compile(root, __version__, env=env)
    assert signed.returncode == 0, signed.stdout[-3000:]
    calls = log.read_text().splitlines()
    options = "sign /sha1 0123456789ABCDEF /fd sha256 /tr http://ts.example /td sha256 "
    assert all(call.startswith(options) for call in calls), calls
    assert len(calls) == 3, calls  # the bundle's programs, the uninstaller, the installer
    assert calls[0].endswith("dist/hfgui/hfgui.exe dist/hfgui/hfgui-gui.exe (exists)")
    assert calls[2].endswith(f"hfgui-{__version__}-setup.exe (exists)")  # signed last, once complete
