#!/bin/sh
# Build dist/hfgui_<version>_<arch>.deb from the PyInstaller bundle.
#
# Layout: the bundle in /opt/hfgui, /usr/bin/hfgui -> /opt/hfgui/hfgui, the desktop file, AppStream
# metainfo, hicolor icons, manual page, copyright and changelog under /usr/share. Depends is computed by
# dpkg-shlibdeps from the libraries the bundled binaries (Qt plugins included) actually link and that the
# bundle does not carry itself. Needs dpkg-dev (dpkg-shlibdeps), help2man and the runtime libraries
# installed on the build machine, so their packages can be looked up; a missing one is reported by name.
#
# Environment: HFGUI_SKIP_BUNDLE=1 reuses an existing dist/hfgui instead of rebuilding it;
# HFGUI_DEB_COMPRESSION = xz (default, smallest) | gzip | zstd | none (gzip is much faster for tests).
set -eu
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
build_dir="${HFGUI_BUILD_DIR:-$root/build}"
dist_dir="${HFGUI_DIST_DIR:-$root/dist}"
bundle="$dist_dir/hfgui"
app_id="io.github.hfgui.HfGui"
maintainer="hfgui developers <hfgui@users.noreply.github.com>"
metadata="resources/metadata"
icons="resources/icons"

for tool in dpkg-shlibdeps:dpkg-dev help2man:help2man; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || { echo "build-deb: ${tool%%:*} missing; apt-get install ${tool#*:}" >&2; exit 1; }
done

if [ "${HFGUI_SKIP_BUNDLE:-0}" != 1 ] || [ ! -x "$bundle/hfgui" ]; then
    "$root/packaging/linux/build-bundle.sh"
fi

version="$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' hfgui/__init__.py)"
arch="$(dpkg --print-architecture)"
[ -n "$version" ] || { echo "build-deb: no __version__ in hfgui/__init__.py" >&2; exit 1; }

stage="$build_dir/deb/root"
rm -rf "$build_dir/deb"
mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin"
cp -a "$bundle" "$stage/opt/hfgui"
chmod -R u+rwX,go+rX,go-w "$stage/opt/hfgui"
# Shared libraries are mapped, not run: 0644 like a distribution's (the wheels ship them 0755).
find "$stage/opt/hfgui" -type f \( -name '*.so' -o -name '*.so.*' \) -exec chmod 0644 {} +
ln -s /opt/hfgui/hfgui "$stage/usr/bin/hfgui"

install -D -m 0644 "$metadata/$app_id.desktop" "$stage/usr/share/applications/$app_id.desktop"
install -D -m 0644 "$metadata/$app_id.metainfo.xml" "$stage/usr/share/metainfo/$app_id.metainfo.xml"
for size in 48 128 256; do
    png="$icons/hfgui-$size.png"
    [ -f "$png" ] || { echo "build-deb: missing icon $png" >&2; exit 1; }
    install -D -m 0644 "$png" "$stage/usr/share/icons/hicolor/${size}x${size}/apps/$app_id.png"
done
if [ -f "$icons/hfgui.svg" ]; then
    install -D -m 0644 "$icons/hfgui.svg" "$stage/usr/share/icons/hicolor/scalable/apps/$app_id.svg"
fi
# Documentation Debian policy asks for: the DEP-5 copyright file (licences of everything bundled) and the
# changelog, written from the AppStream release notes.
doc="$stage/usr/share/doc/hfgui"
install -D -m 0644 packaging/linux/copyright "$doc/copyright"
"${PYTHON:-python3}" packaging/linux/changelog.py "$metadata/$app_id.metainfo.xml" "$version" "$maintainer" \
    > "$build_dir/deb/changelog"
gzip -9n -c "$build_dir/deb/changelog" > "$doc/changelog.gz"
# The manual page, from the frozen command's own --help and --version, dated like the changelog and
# wrapped at 80 columns whatever the terminal (reproducible).
COLUMNS=80 SOURCE_DATE_EPOCH="$(dpkg-parsechangelog -l "$build_dir/deb/changelog" -S Timestamp)" \
    help2man --no-info --name "desktop model manager for the Hugging Face Hub" \
    --output "$build_dir/deb/hfgui.1" "$bundle/hfgui"
mkdir -p "$stage/usr/share/man/man1"
gzip -9n -c "$build_dir/deb/hfgui.1" > "$stage/usr/share/man/man1/hfgui.1.gz"

# Depends: every shared library a bundled ELF needs that the bundle itself does not provide, with the
# oldest version that has the symbols used (see shlibs.local for the two libraries without symbol files).
shlib_work="$build_dir/deb/shlibdeps"
mkdir -p "$shlib_work/debian"
printf 'Source: hfgui\n\nPackage: hfgui\nArchitecture: any\n' > "$shlib_work/debian/control"
cp packaging/linux/shlibs.local "$shlib_work/debian/shlibs.local"  # minimum versions the bundle really needs
elf_list="$build_dir/deb/elf-files"
find "$stage/opt/hfgui" -type f | while IFS= read -r file; do
    if [ "$(head -c 4 "$file" | od -An -c | tr -d ' \n')" = '177ELF' ]; then echo "$file"; fi
done > "$elf_list"
search_dirs="$(find "$stage/opt/hfgui" -type d | sed 's/^/-l/')"
# shellcheck disable=SC2046,SC2086  # one argument per file/directory (no spaces: the paths are ours)
depends="$(cd "$shlib_work" && dpkg-shlibdeps -O --ignore-missing-info $search_dirs -e $(cat "$elf_list") \
    2>"$build_dir/deb/shlibdeps.log" | sed -n 's/^shlibs:Depends=//p')" || {
    cat "$build_dir/deb/shlibdeps.log" >&2
    echo "build-deb: dpkg-shlibdeps failed; install the libraries named above and retry" >&2
    exit 1
}
[ -n "$depends" ] || { echo "build-deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

cat > "$stage/DEBIAN/control" <<EOF
Package: hfgui
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $(du -sk "$stage" | cut -f1)
Depends: $depends
Recommends: gnome-keyring | kwalletmanager, xdg-desktop-portal
Section: utils
Priority: optional
Homepage: https://github.com/hfgui/hfgui
Description: desktop model manager for the Hugging Face Hub
 Browse a curated catalog, search the Hub and download whole model
 repositories with resumable, checksum-verified transfers; private and
 gated models work with a token kept in the system keyring.
EOF

deb="$dist_dir/hfgui_${version}_${arch}.deb"
compression="${HFGUI_DEB_COMPRESSION:-xz}"
dpkg-deb --root-owner-group -Z"$compression" --build "$stage" "$deb" >/dev/null
echo "build-deb: $deb ($(du -h "$deb" | cut -f1))"
