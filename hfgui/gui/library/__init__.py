"""The Library tab: what is installed (library, Hugging Face cache, imports), its care (verify, update,
delete) and leftover partial downloads."""
