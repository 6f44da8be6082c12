"""A throw-away Debian 12 root: debootstrap'd into a temporary folder, used through chroot, then deleted.

Packages are installed into it, never into the running system. Every command runs in a private mount
namespace (`unshare --mount`) that mounts /proc (and any socket the command needs) inside the root; the
mounts vanish with the command, so nothing stays mounted and the folder can always be deleted.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path

from tests.packaging.helpers import run

SUITE = "bookworm"  # Debian 12
MIRROR = os.environ.get("HFGUI_DEBIAN_MIRROR", "http://deb.debian.org/debian")
TOOLS = ("debootstrap", "unshare", "chroot", "mount")
BASE_ENV = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME": "/root",
    "LC_ALL": "C.UTF-8",
    "DEBIAN_FRONTEND": "noninteractive",
}


class DebianRoot:
    def __init__(self, path: Path) -> None:
        self.path = path

    def bootstrap(self) -> None:
        """Make a minimal Debian 12 (no Python, no X) from the Debian mirror, with apt's package lists."""
        made = run(["debootstrap", "--variant=minbase", SUITE, str(self.path), MIRROR])
        assert made.returncode == 0, f"debootstrap failed:\n{made.stdout[-2000:]}\n{made.stderr[-2000:]}"
        update = self.run(["apt-get", "update", "-q"])
        assert update.returncode == 0, update.stdout + update.stderr

    def run(
        self,
        argv: list[str],
        env: dict[str, str] | None = None,
        sockets: tuple[str, ...] = (),
        x_display: bool = False,
    ) -> subprocess.CompletedProcess[str]:
        """Run argv chrooted with a clean environment. `sockets` are host paths (a D-Bus socket) bound to the
        same path inside; `x_display` runs it under a fresh Xvfb whose abstract socket the root shares."""
        root = shlex.quote(str(self.path))
        script = ["set -e", f"mount -t proc proc {root}/proc"]
        for socket in sockets:
            inside = shlex.quote(str(self.path) + socket)
            script += [f"touch {inside}", f"mount --bind {shlex.quote(socket)} {inside}"]
        assignments = [shlex.quote(f"{k}={v}") for k, v in {**BASE_ENV, **(env or {})}.items()]
        if x_display:  # xvfb-run sets DISPLAY and XAUTHORITY; the cookie is copied in
            script.append(f'cp "$XAUTHORITY" {root}/tmp/.Xauthority')
            assignments += ['DISPLAY="$DISPLAY"', "XAUTHORITY=/tmp/.Xauthority"]
        script.append(f"exec chroot {root} /usr/bin/env -i {' '.join(assignments)} {shlex.join(argv)}")
        command = ["unshare", "--mount", "--propagation", "private", "--fork", "sh", "-c", "\n".join(script)]
        return run(["xvfb-run", "-a", *command] if x_display else command)

    def remove(self) -> None:
        """Delete the root, refusing while anything is mounted inside it (a bind mount would be followed)."""
        prefix = str(self.path.resolve()) + "/"
        with open("/proc/self/mountinfo") as mounts:
            inside = [line.split()[4] for line in mounts if line.split()[4].startswith(prefix)]
        assert inside == [], f"still mounted in the throw-away root: {inside}"
        shutil.rmtree(self.path, ignore_errors=True)
