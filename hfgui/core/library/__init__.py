"""What the user has and may want: the installed library and its care (verify, update, delete),
imports, leftovers, the catalog and how a repository's files group into choices, sizes and memory fit."""
