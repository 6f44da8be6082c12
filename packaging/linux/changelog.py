"""Write the package's Debian changelog from the AppStream metainfo's <releases>, newest first.

    python3 changelog.py METAINFO VERSION MAINTAINER > changelog     # build-deb.sh gzips it

The metainfo is the one place release notes are written (software centres show them too); VERSION must be
its newest release, so a version bump without release notes fails the build instead of shipping a
changelog that stops at the previous release. Standard library only.
"""

from __future__ import annotations

import sys
import textwrap
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from email.utils import format_datetime


def _items(description: ET.Element | None) -> list[str]:
    """Each <p> and <li> of a release description as one line of text."""
    if description is None:
        return []
    nodes = [node for node in description.iter() if node.tag in ("p", "li")]
    return [" ".join("".join(node.itertext()).split()) for node in nodes]


def debian_changelog(metainfo: str, version: str, maintainer: str) -> str:
    releases = ET.parse(metainfo).getroot().findall("./releases/release")
    if not releases or releases[0].get("version") != version:
        newest = releases[0].get("version") if releases else "none"
        raise ValueError(
            f"{metainfo}: the newest <release> is {newest}, not {version}; "
            f"add the release notes for {version}"
        )
    entries = []
    for release in releases:
        day = datetime.strptime(release.get("date", ""), "%Y-%m-%d").replace(tzinfo=timezone.utc)
        items = _items(release.find("description")) or [f"Release {release.get('version')}."]
        body = "\n".join(
            textwrap.fill(item, width=78, initial_indent="  * ", subsequent_indent="    ") for item in items
        )
        entries.append(
            f"hfgui ({release.get('version')}) unstable; urgency=medium\n\n{body}\n\n"
            f" -- {maintainer}  {format_datetime(day)}\n"
        )
    return "\n".join(entries)


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: changelog.py METAINFO VERSION MAINTAINER", file=sys.stderr)
        return 2
    try:
        sys.stdout.write(debian_changelog(*argv))
    except (ValueError, ET.ParseError) as exc:
        print(f"changelog: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
