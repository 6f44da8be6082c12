"""Entry script of the frozen bundle: runs the same `main()` as the `hfgui` console script."""

from __future__ import annotations

import sys

from hfgui.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
