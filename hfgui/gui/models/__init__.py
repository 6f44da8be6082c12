"""The Models tab: the catalog's rows and their download state, the downloads that run them, and the
details of the selected model."""
