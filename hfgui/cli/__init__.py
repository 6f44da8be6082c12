"""The `hfgui` command line: one module per subcommand over hfgui.core, loaded only when it runs."""
