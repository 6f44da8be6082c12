"""Programs the command-line tests run in a process of their own (to kill it, or to time it)."""
