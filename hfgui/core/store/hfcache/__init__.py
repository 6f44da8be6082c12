"""The shared Hugging Face cache (`$HF_HUB_CACHE`): install files as huggingface_hub lays them out; read it.

Layout (huggingface_hub 2.4, hub-protocol §6.1), per repository folder `models--owner--name/`:
`blobs/<etag>` holds the bytes, `snapshots/<commit>/<path>` is a relative symlink to the blob (or the file
itself where symlinks are unavailable), `refs/<revision>` holds the 40-hex commit without a newline, and
`trees/<commit>.json` is the full listing of the commit, which huggingface_hub reads to tell a complete
snapshot from a partial one. hfgui adds `.hfgui-staging/` (partial downloads) which huggingface_hub ignores.

`layout` says where things go, `snapshot` writes a commit's files (with `placing` doing the atomic moves
and links), `records` reads and writes refs/ and trees/, `contents` reads what a cache holds. Callers use
the names gathered here.
"""

from hfgui.core.store.hfcache.contents import (
    CachedFile,
    CachedModel,
    CachedRevision,
    cached_listing,
    cached_model,
    cached_models,
    delete_cached_model,
    find_snapshot,
)
from hfgui.core.store.hfcache.layout import (
    REPO_PREFIX,
    SEPARATOR,
    STAGING_DIR_NAME,
    CacheTarget,
    hub_cache_dir,
    is_commit,
    repo_folder_name,
    repo_id_from_folder,
)
from hfgui.core.store.hfcache.placing import symlinks_disabled, symlinks_supported
from hfgui.core.store.hfcache.records import TREE_FORMAT_VERSION, write_ref, write_tree
from hfgui.core.store.hfcache.snapshot import (
    CACHEDIR_TAG,
    CACHEDIR_TAG_CONTENT,
    blob_available,
    file_installed,
    install_file,
    link_existing_blob,
    missing_files,
    prepare,
    reuse_cached,
    snapshot_complete,
)

__all__ = [
    "CACHEDIR_TAG",
    "CACHEDIR_TAG_CONTENT",
    "REPO_PREFIX",
    "SEPARATOR",
    "STAGING_DIR_NAME",
    "TREE_FORMAT_VERSION",
    "CacheTarget",
    "CachedFile",
    "CachedModel",
    "CachedRevision",
    "blob_available",
    "cached_listing",
    "cached_model",
    "cached_models",
    "delete_cached_model",
    "file_installed",
    "find_snapshot",
    "hub_cache_dir",
    "install_file",
    "is_commit",
    "link_existing_blob",
    "missing_files",
    "prepare",
    "repo_folder_name",
    "repo_id_from_folder",
    "reuse_cached",
    "snapshot_complete",
    "symlinks_disabled",
    "symlinks_supported",
    "write_ref",
    "write_tree",
]
