"""The download engine: a model's plan, the space check, files moved and verified (segments, hashing,
bandwidth), progress and how many files and connections run at once."""
