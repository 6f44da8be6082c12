"""Run one download_file in its own process (the kill -9 test kills it mid-file).

Usage: python -m tests.core.helpers.download_one '<json: endpoint, task fields, staging, stall_timeout>'
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

from hfgui.core.engine.transfer import FileTask, download_file
from hfgui.core.wire.hub import HubClient


def main(argv: list[str]) -> int:
    spec = json.loads(argv[1])
    task = FileTask(**{**spec["task"], "dest": Path(spec["task"]["dest"])})
    client = HubClient(spec["endpoint"], token=False)
    download_file(
        client, task, Path(spec["staging"]), cancel=threading.Event(), stall_timeout=spec["stall_timeout"]
    )
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
