"""What hfgui does, without Qt: talk to the Hub, plan and run verified downloads, keep the library on
disk. The window (hfgui.gui) and the command line (hfgui.cli) both drive it."""
