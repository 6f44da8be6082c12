"""Run `hfgui delete REPO --yes` and hold it once it has removed its first weights file (`*.bin`; the
order rmtree takes depends on the file system), so a test can kill -9 the process mid-delete: prints
"deleting" when held.

    python -m tests.cli.drivers.delete_held REPO
"""

from __future__ import annotations

import os
import sys
import time

from hfgui.cli.main import main

real_unlink = os.unlink


def unlink_then_hold(path, *args, **kwargs):
    real_unlink(path, *args, **kwargs)
    if os.fspath(path).endswith(".bin"):
        print("deleting", flush=True)
        time.sleep(3600)  # the test kills the process here


if __name__ == "__main__":
    os.unlink = unlink_then_hold  # shutil.rmtree removes files through os.unlink
    raise SystemExit(main(["delete", sys.argv[1], "--yes"]))
