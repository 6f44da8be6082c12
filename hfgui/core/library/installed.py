"""The local model library: the one object the CLI and the window ask what is installed, to check a model
and to delete one. The work is done by `listing`, `references`, `integrity` and `removal`; their names
the rest of hfgui uses are gathered here too."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from hfgui.core.engine.planner import STAGING_DIR_NAME, model_root
from hfgui.core.library import listing, removal
from hfgui.core.library import references as reference_records
from hfgui.core.library.integrity import Problem, check_cached, check_folder, check_model
from hfgui.core.library.listing import cached_models
from hfgui.core.library.model_state import (
    SOURCE_DEST,
    SOURCE_HF_CACHE,
    SOURCE_LIBRARY,
    SOURCE_REFERENCE,
    InstalledModel,
    InstallState,
)
from hfgui.core.library.references import REFERENCE_FORMAT, REFERENCES_DIR, Reference
from hfgui.core.store import destinations
from hfgui.core.store.manifest import Manifest, read_manifest
from hfgui.core.wire.repo_id import validate_repo_id

__all__ = [
    "REFERENCES_DIR",
    "REFERENCE_FORMAT",
    "SOURCE_DEST",
    "SOURCE_HF_CACHE",
    "SOURCE_LIBRARY",
    "SOURCE_REFERENCE",
    "InstallState",
    "InstalledModel",
    "Library",
    "Problem",
    "Reference",
    "cached_models",
    "check_cached",
    "check_folder",
]

# The order a model present in several places is listed in.
_PLACE_ORDER = {SOURCE_LIBRARY: 0, SOURCE_REFERENCE: 1, SOURCE_DEST: 2, SOURCE_HF_CACHE: 3}


class Library:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def staging_dir(self) -> Path:
        return self.root / STAGING_DIR_NAME

    def model_root(self, repo_id: str) -> Path:
        return model_root(self.root, validate_repo_id(repo_id))

    def manifest(self, repo_id: str) -> Manifest | None:
        return read_manifest(self.model_root(repo_id))

    # --- references (models imported in place) ---------------------------------------------------

    @property
    def references_dir(self) -> Path:
        return reference_records.references_dir(self.root)

    def reference_file(self, repo_id: str) -> Path:
        return reference_records.reference_file(self.root, repo_id)

    def reference(self, repo_id: str) -> Reference | None:
        return reference_records.read_reference(self.root, repo_id)

    def add_reference(self, reference: Reference) -> Path:
        return reference_records.write_reference(self.root, reference)

    def forget_reference(self, repo_id: str) -> bool:
        """Remove the record only (never the files it points at); True if there was one."""
        return reference_records.forget_reference(self.root, repo_id)

    def references(self) -> list[Reference]:
        return reference_records.all_references(self.root)

    # --- what is installed -----------------------------------------------------------------------

    def all_models(
        self, cache_dir: Path | None = None, *, include_cache: bool = True, include_dest: bool = False
    ) -> list[InstalledModel]:
        """The library's models, models imported by reference and (unless `include_cache` is False)
        the models in the Hugging Face cache at `cache_dir` (default: huggingface_hub's own cache);
        with `include_dest`, models downloaded with --dest into folders the index knows (source "dest":
        opt-in, since deleting such a row must remove its folder, not the library's copy of that id).

        Sorted by id; a model present in several places is listed once per place.
        """
        models = list(self.installed())
        models.extend(ref.listed() for ref in self.references())
        if include_dest:
            models.extend(self.dest_models())
        if include_cache:
            models.extend(cached_models(cache_dir))
        return sorted(models, key=lambda m: (m.repo_id, _PLACE_ORDER.get(m.source, 3)))

    def installed(self) -> list[InstalledModel]:
        """Every model folder in the library, plus downloads that so far exist only as partials."""
        return listing.library_models(self.root, self.staging_dir)

    def destinations(self) -> list[Path]:
        """The `--dest` folders downloads went into that still exist (the library's index)."""
        return [d.path for d in destinations.known_destinations(self.root)]

    def dest_models(self) -> list[InstalledModel]:
        """Models downloaded with --dest into folders the index knows (source "dest")."""
        return listing.dest_models(self.root)

    # --- care ------------------------------------------------------------------------------------

    def check(self, repo_id: str, on_file: Callable[[str], None] | None = None) -> list[Problem]:
        """Re-hash every installed file against the manifest; an empty list means all is well.

        Problems are recorded (the model shows as damaged) so the next download fetches only those files.
        """
        return check_model(self, repo_id, on_file)

    def discard_unfinished(
        self,
        repo_id: str,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        partial_keys: Sequence[str] = (),
    ) -> int:
        """Cancel's clean-up: an unfinished download's partials and the files it verified so far, never
        an installed copy's; returns the bytes freed (see removal.discard_unfinished)."""
        return removal.discard_unfinished(self, repo_id, include, exclude, partial_keys)

    def delete(self, repo_id: str) -> int:
        """Remove the model folder and its partial downloads; returns the bytes freed.

        A model imported by reference only loses its record (0 bytes freed): the user's files are
        never touched.
        """
        return removal.delete_model(self, repo_id)
