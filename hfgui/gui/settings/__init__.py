"""The Settings dialog: its Account (token), Downloads and Network pages, each a part of its own, and
saving what they hold."""
