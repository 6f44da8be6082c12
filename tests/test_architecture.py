"""The layout holds: imports between subpackages run one way (no cycles), core never imports the window
or the command line, and no module or class grows past the size a reader can take in."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "hfgui"
MAX_MODULE_LINES = 400
MAX_CLASS_LINES = 180  # "about 150": a docstring and the signals it lists may take it a little over


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def unit_of(module: str) -> str:
    """The subpackage a module belongs to: hfgui.core.wire.hub -> hfgui.core.wire; root modules of a
    package (hfgui.core.errors) are their own unit."""
    parts = module.split(".")
    known = modules()
    for depth in range(len(parts) - 1, 0, -1):
        candidate = ".".join(parts[:depth])
        if candidate in known and known[candidate].name == "__init__.py" and depth >= 3:
            return candidate
    return module


def imports_of(path: Path, module: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            if node.level:
                base = ".".join([*module.split(".")[: -node.level], node.module])
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    known = modules()
    return {name for name in found if name in known and name != module}


def unit_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, path in modules().items():
        unit = unit_of(module)
        graph.setdefault(unit, set())
        for target in imports_of(path, module):
            other = unit_of(target)
            if other != unit and not unit.startswith(other + ".") and not other.startswith(unit + "."):
                graph[unit].add(other)
    return graph


def test_no_import_cycle_between_subpackages():
    graph = unit_graph()
    subpackages = {u for u in graph if modules()[u].name == "__init__.py"}
    seen: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(unit: str, path: list[str]) -> None:
        seen[unit] = 1
        for other in sorted(graph.get(unit, ())):
            if other not in subpackages:
                continue
            if seen.get(other) == 1:
                cycle = [*path[path.index(other) :], other] if other in path else [unit, other]
                pytest.fail("import cycle between subpackages: " + " -> ".join(cycle))
            if other not in seen:
                visit(other, [*path, other])
        seen[unit] = 2

    for unit in sorted(subpackages):
        if unit not in seen:
            visit(unit, [unit])


@pytest.mark.parametrize(
    ("layer", "never"), [("hfgui.core", ("hfgui.gui", "hfgui.cli")), ("hfgui.gui", ("hfgui.cli",))]
)
def test_layers_import_downwards_only(layer, never):
    for module, path in modules().items():
        if module.startswith(layer):
            wrong = sorted(t for t in imports_of(path, module) if t.startswith(never))
            assert not wrong, f"{module} imports {wrong}"


# The data flow inside core, bottom first: each imports only the ones before it (and the root modules).
# settings (a root module) reads the wire's and the store's types and is read by the engine and above.
CORE_ORDER = (
    "hfgui.core.wire",
    "hfgui.core.store",
    "hfgui.core.settings",
    "hfgui.core.engine",
    "hfgui.core.library",
)
CORE_BASE = ("hfgui.core.errors", "hfgui.core.types", "hfgui.core.words", "hfgui.core.globs")


def _core_rank(module: str) -> int | None:
    for rank, package in enumerate(CORE_ORDER):
        if module == package or module.startswith(package + "."):
            return rank
    return None


def test_core_subpackages_import_only_the_ones_below():
    wrong = []
    for module, path in modules().items():
        targets = imports_of(path, module)
        if module in CORE_BASE:
            wrong += [
                f"{module} -> {t}" for t in targets if t.startswith("hfgui.core") and t not in CORE_BASE
            ]
        rank = _core_rank(module)
        if rank is None:
            continue
        for target in targets:
            other = _core_rank(target)
            if other is not None and other > rank:
                wrong.append(f"{module} -> {target}")
    assert not wrong, "imports against the data flow:\n" + "\n".join(sorted(wrong))


def test_architecture_md_names_every_subpackage():
    text = (PACKAGE.parent / "ARCHITECTURE.md").read_text(encoding="utf-8")
    for module, path in modules().items():
        if path.name == "__init__.py" and module.count(".") == 2:
            folder = module.split(".", 1)[1].replace(".", "/") + "/"
            assert folder in text, f"ARCHITECTURE.md does not say what {folder} owns"


def test_every_subpackage_says_what_it_owns():
    for module, path in modules().items():
        if path.name == "__init__.py":
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
            assert doc and len(doc) > 20, f"{module} has no docstring saying what it owns"


def test_no_module_or_class_too_long_to_take_in():
    too_long = []
    for module, path in modules().items():
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > MAX_MODULE_LINES:
            too_long.append(f"{module}: {lines} lines")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno + 1 > MAX_CLASS_LINES:
                too_long.append(f"{module}.{node.name}: {node.end_lineno - node.lineno + 1} lines")
    assert not too_long, "\n".join(too_long)
