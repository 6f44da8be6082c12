"""Print the Python distributions a PyInstaller bundle carries, one a line (run with the build venv's Python).

    BUILD_VENV/bin/python bundled_distributions.py BUNDLE_DIR

Modules come from the executable's PYZ archive and from the top-level entries of _internal/ (extension
modules, data packages); each is mapped to the installed distribution that provides it.
"""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

from PyInstaller.archive.readers import CArchiveReader


def main(bundle: Path) -> None:
    pyz = CArchiveReader(str(bundle / "hfgui")).open_embedded_archive("PYZ.pyz")
    modules = {name.split(".")[0] for name in pyz.toc}
    modules |= {path.name.split(".")[0] for path in (bundle / "_internal").iterdir()}
    providers = importlib.metadata.packages_distributions()
    print("\n".join(sorted({dist for module in modules for dist in providers.get(module, [])})))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
