"""What the user has and may want: the installed library and its care (verify, update, delete),
imports, leftovers, the catalog and how a repository's files group into choices, sizes and memory fit,
what access a model allows, and where a model comes from (the Hub or a plain URL)."""
