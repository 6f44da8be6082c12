"""The .deb as a packager checks it: Depends, glibc floor, run paths, lintian, copyright, changelog.

Built once per run (see conftest.py) and inspected unpacked; installing it is test_deb_install.py's job.
"""

from __future__ import annotations

import gzip
import re
import shutil
import struct
import sys
from pathlib import Path

import bundle_policy
import elfinfo
import pytest
import runpath

from hfgui import __version__
from tests.packaging.helpers import APP_ID, ROOT, DebBuild, run

OPT = "opt/hfgui"
MAX_BUNDLE_BYTES = 150 * 1024 * 1024
# First run creates the build venv from PyPI (pip's cache makes later runs quicker); a hang guard only.
pytestmark = pytest.mark.timeout(1800)

# Ubuntu 22.04 LTS as released: the upstream version of each package the .deb may depend on. Its archive
# cannot be reached from CI, so they are written down here; a new dependency must be looked up and added.
UBUNTU_2204 = {
    "libbrotli1": "1.0.9",  # QtNetwork (the local socket of one window per user)
    "libbz2-1.0": "1.0.8",
    "libc6": "2.35",
    "libdbus-1-3": "1.12.20",
    "libegl1": "1.4.0",
    "libffi8": "3.4.2",
    "libfontconfig1": "2.13.1",
    "libfreetype6": "2.11.1",
    "libgcc-s1": "12",
    "libgl1": "1.4.0",
    "libgssapi-krb5-2": "1.19.2",  # QtNetwork (Negotiate authentication)
    "libglib2.0-0": "2.72.1",
    "liblzma5": "5.2.5",
    "libssl3": "3.0.2",
    "libstdc++6": "12",
    "libwayland-client0": "1.20.0",
    "libwayland-cursor0": "1.20.0",
    "libwayland-egl1": "1.20.0",
    "libx11-6": "2:1.7.5",
    "libx11-xcb1": "2:1.7.5",
    "libxcb-cursor0": "0.1.1",
    "libxcb-glx0": "1.14",
    "libxcb-icccm4": "0.4.1",
    "libxcb-image0": "0.4.0",
    "libxcb-keysyms1": "0.4.0",
    "libxcb-randr0": "1.14",
    "libxcb-render-util0": "0.3.9",
    "libxcb-render0": "1.14",
    "libxcb-shape0": "1.14",
    "libxcb-shm0": "1.14",
    "libxcb-sync1": "1.14",
    "libxcb-util1": "0.4.0",
    "libxcb-xfixes0": "1.14",
    "libxcb-xkb1": "1.14",
    "libxcb1": "1.14",
    "libxkbcommon-x11-0": "1.4.0",
    "libxkbcommon0": "1.4.0",
    "libzstd1": "1.4.8",
    "zlib1g": "1:1.2.11",
}
# Libraries the distributions keep ABI-stable and patch for security: never bundled, always depended on.
SYSTEM_LIBRARIES = {
    "libssl.so.3": "libssl3",
    "libcrypto.so.3": "libssl3",
    "libz.so.1": "zlib1g",
    "libffi.so.8": "libffi8",
}
# The two errors lintian reports for any vendor bundle in /opt; packaging/README.md justifies each.
ALLOWED_LINTIAN_ERRORS = ("dir-or-file-in-opt", "embedded-library")


def _depends(deb: Path) -> dict[str, str | None]:
    """Depends as {package: minimum version or None}."""
    field = run(["dpkg-deb", "-f", str(deb), "Depends"]).stdout
    depends = {}
    for part in filter(None, (p.strip() for p in field.split(","))):
        match = re.fullmatch(r"(\S+)(?: \(>= ([^)]+)\))?", part)
        assert match, f"unexpected Depends entry {part!r} (alternatives or other relations)"
        depends[match.group(1)] = match.group(2)
    return depends


def _elves(build: DebBuild) -> list[Path]:
    return list(elfinfo.elf_files(build.tree / OPT))


def test_depends_come_from_the_bundled_qt_plugins(deb_build: DebBuild) -> None:
    names = set(_depends(deb_build.deb))
    # xcb platform plugin, EGL/GL integrations, fonts, D-Bus (portal theme): what Qt needs at run time.
    expected = {"libxcb-cursor0", "libxkbcommon-x11-0", "libegl1", "libfontconfig1", "libdbus-1-3", "libc6"}
    assert expected <= names, f"missing from Depends: {expected - names}"


def test_depends_are_satisfied_by_ubuntu_22_04(deb_build: DebBuild) -> None:
    for package, minimum in _depends(deb_build.deb).items():
        assert package in UBUNTU_2204, (
            f"{package}: look up its Ubuntu 22.04 version and add it to UBUNTU_2204"
        )
        if minimum is not None:
            older = run(["dpkg", "--compare-versions", UBUNTU_2204[package], "ge", minimum])
            assert older.returncode == 0, f"{package} (>= {minimum}): Ubuntu 22.04 has {UBUNTU_2204[package]}"


def test_every_bundled_elf_needs_at_most_glibc_2_35(deb_build: DebBuild) -> None:
    elves = _elves(deb_build)
    assert len(elves) > 50  # the interpreter, its extension modules, Qt and its plugins
    glibc = set()
    for elf in elves:
        needs = elfinfo.version_needs(elf)
        glibc |= {v for versions in needs.values() for v in versions if v.startswith("GLIBC_")}
        assert bundle_policy.too_new(needs) == [], f"{elf.relative_to(deb_build.tree)} needs too new symbols"
    newest = max(glibc, key=elfinfo.version_key)
    assert elfinfo.version_key(newest) <= (2, 35), newest
    # dpkg-shlibdeps derived the same floor from the symbols: libc6 (>= 2.35) at most.
    libc = _depends(deb_build.deb)["libc6"]
    assert run(["dpkg", "--compare-versions", libc, "le", "2.35"]).returncode == 0, f"libc6 (>= {libc})"


def test_openssl_and_other_stable_system_libraries_are_depended_on_not_bundled(deb_build: DebBuild) -> None:
    bundled = {path.name for path in (deb_build.tree / OPT).rglob("*")}
    depends = _depends(deb_build.deb)
    for soname, package in SYSTEM_LIBRARIES.items():
        assert soname not in bundled, f"{soname} is bundled: the system's security updates would not reach it"
        assert package in depends, f"{package} missing from Depends"
    assert {name for name in bundled if name.startswith("libexpat")} == set()


def test_no_run_path_points_outside_the_bundle(deb_build: DebBuild) -> None:
    bundle = deb_build.tree / OPT
    with_run_path = 0
    for elf in _elves(deb_build):
        entries = elfinfo.run_paths(elf)
        with_run_path += bool(entries)
        assert not any(entry.startswith("/") for entry in entries), f"{elf}: {entries}"
        assert runpath.foreign_entries(elf, bundle) == [], f"{elf}: {entries}"
    assert with_run_path > 10  # PySide6's $ORIGIN paths, which the bundle needs, are still there


def test_lintian_reports_only_what_a_vendor_bundle_cannot_avoid(deb_build: DebBuild) -> None:
    if shutil.which("lintian") is None:
        pytest.skip("lintian not installed (apt-get install lintian)")
    result = run(["lintian", "--tag-display-limit", "0", str(deb_build.deb)])
    errors = re.findall(r"^E: hfgui: (\S+)(.*)$", result.stdout, re.M)
    assert errors, "lintian found no errors at all: is dir-or-file-in-opt no longer reported?"
    unexpected = [f"{tag}{where}" for tag, where in errors if tag not in ALLOWED_LINTIAN_ERRORS]
    assert unexpected == [], "\n".join(unexpected)
    readme = (ROOT / "packaging" / "README.md").read_text()
    for tag in {tag for tag, _ in errors}:
        assert f"`{tag}`" in readme, f"packaging/README.md must justify lintian's {tag}"


def test_copyright_is_dep5_and_covers_every_bundled_distribution(deb_build: DebBuild) -> None:
    text = (deb_build.tree / "usr/share/doc/hfgui/copyright").read_text()
    paragraphs = [dict(re.findall(r"^([\w-]+):[ \t]*(.*)$", p, re.M)) for p in text.split("\n\n")]
    assert paragraphs[0]["Format"] == "https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
    assert paragraphs[1]["Files"] == "*"
    defined = {p["License"] for p in paragraphs if "License" in p and "Files" not in p}
    for paragraph in (p for p in paragraphs if "Files" in p):
        names = re.split(r" (?:or|and) ", paragraph["License"])
        assert set(names) <= defined, f"no License paragraph for {set(names) - defined}"
    header = text.split("\n\n")[0]  # its Comment lists the bundled distributions, " name: licence"
    listed = {_canonical(name) for name in re.findall(r"^ ([\w.-]+): ", header, re.M)}
    lister = Path(__file__).with_name("bundled_distributions.py")
    found = run([str(deb_build.venv_python), str(lister), str(deb_build.bundle)])
    assert found.returncode == 0, found.stderr
    bundled = {_canonical(name) for name in found.stdout.split()}
    assert {"pyside6-essentials", "requests", "keyring", "certifi"} <= bundled
    assert bundled - listed == set(), "bundled but missing from packaging/linux/copyright"
    assert listed - bundled == set(), "listed in packaging/linux/copyright but no longer bundled"


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_changelog_is_a_compressed_debian_changelog_of_this_version(deb_build: DebBuild) -> None:
    changelog = deb_build.tree / "usr/share/doc/hfgui/changelog.gz"
    with gzip.open(changelog, "rt") as f:
        assert f.readline().startswith(f"hfgui ({__version__}) ")
    parsed = run(["dpkg-parsechangelog", "-l", str(changelog), "-S", "Version"])
    assert parsed.returncode == 0 and parsed.stdout.strip() == __version__, parsed.stderr


def test_manual_page_documents_the_command_and_its_subcommands(deb_build: DebBuild) -> None:
    with gzip.open(deb_build.tree / "usr/share/man/man1/hfgui.1.gz", "rt") as f:
        page = f.read()
    assert re.search(rf'^\.TH HFGUI "1" .* "hfgui {re.escape(__version__)}"', page, re.M), page[:300]
    for subcommand in ("download", "verify", "list", "check", "delete"):
        assert re.search(rf"^{subcommand}$", page, re.M), f"{subcommand} missing from the manual page"


def test_shared_libraries_are_not_executable(deb_build: DebBuild) -> None:
    libraries = [p for p in (deb_build.tree / OPT).rglob("*.so*") if p.is_file() and not p.is_symlink()]
    assert libraries
    assert [p.name for p in libraries if p.stat().st_mode & 0o111] == []
    assert (deb_build.tree / OPT / "hfgui").stat().st_mode & 0o111


def test_desktop_file_validates_and_launches_the_installed_command(deb_build: DebBuild) -> None:
    desktop = deb_build.tree / f"usr/share/applications/{APP_ID}.desktop"
    result = run(["desktop-file-validate", str(desktop)])
    assert result.returncode == 0 and "error" not in result.stdout, result.stdout
    entries = dict(line.split("=", 1) for line in desktop.read_text().splitlines() if "=" in line)
    assert (deb_build.tree / "usr/bin" / entries["Exec"].split()[0]).readlink() == Path("/opt/hfgui/hfgui")
    assert entries["Icon"] == APP_ID


@pytest.mark.parametrize("size", [48, 128, 256])
def test_hicolor_icons_have_their_nominal_size(deb_build: DebBuild, size: int) -> None:
    data = (deb_build.tree / f"usr/share/icons/hicolor/{size}x{size}/apps/{APP_ID}.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (size, size)


def test_metainfo_validates(deb_build: DebBuild) -> None:
    metainfo = deb_build.tree / f"usr/share/metainfo/{APP_ID}.metainfo.xml"
    assert f"<id>{APP_ID}</id>" in metainfo.read_text()
    if shutil.which("appstreamcli") is None:
        pytest.skip("appstreamcli not installed (apt-get install appstream)")
    result = run(["appstreamcli", "validate", "--no-net", str(metainfo)])
    assert result.returncode == 0, result.stdout + result.stderr


def test_bundle_is_small_and_passes_the_bundle_policy(deb_build: DebBuild) -> None:
    bundle = deb_build.tree / OPT
    size = sum(p.lstat().st_size for p in bundle.rglob("*"))
    assert size < MAX_BUNDLE_BYTES, f"/opt/hfgui is {size / 2**20:.0f} MiB"
    check = run([sys.executable, str(ROOT / "packaging/pyinstaller/bundle_policy.py"), "check", str(bundle)])
    assert check.returncode == 0, check.stderr
    assert (bundle / "_internal" / "resources" / "catalog.json").is_file()
