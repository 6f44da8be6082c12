"""The Search tab: Hub search results page by page, and a result's files to pick from."""
