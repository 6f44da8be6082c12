"""`python -m hfgui` runs the command line (no arguments opens the window)."""

from hfgui.cli.main import main

raise SystemExit(main())
