"""The shape of the code: packages import one way only (council settings and units → data layers → travel →
analyses → public API, command line and app), no module imports itself round a circle, and the app's first page
loads none of the heavy libraries it does not use."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {"geo": 0, "layers": 1, "routing": 2, "analyses": 3, "caremap": 4, "ui": 4, "app_pages": 5, "app": 6}
"""Each package's place in the pipeline: a module may import its own package and those placed before it. The public
interface (``caremap``) and the app's helpers (``ui``) are side by side: neither imports the other."""
KNOWN_CIRCLES: list[set[str]] = []
"""Circles still to be removed: none (the report, once three modules importing each other, is a package importing
one way)."""
HEAVY = ("pyvrp", "spopt", "pulp", "access", "matplotlib", "reportlab", "osmium", "osmnx", "networkx", "openpyxl",
         "odf", "vrplib", "scipy", "pyogrio", "streamlit.emojis")
"""Libraries the first map (Explore) does not need: the solver, the site chooser, the report's, OSM readers, the
workbooks', SciPy (no travel is measured on the estimate), the GeoJSON reader (the council's layers are read back as
kept, :mod:`layers.council_cache`) and Streamlit's catalogue of emojis."""


def _modules() -> dict[str, Path]:
    found = {"app": ROOT / "app.py"}
    for package in LAYERS:
        for path in sorted((ROOT / package).rglob("*.py")) if (ROOT / package).is_dir() else []:
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The project's modules a file imports anywhere in it (at the top, inside functions, for type checking)."""

    def resolve(name: str) -> str | None:
        parts = name.split(".")
        for end in range(len(parts), 0, -1):
            if ".".join(parts[:end]) in modules:
                return ".".join(parts[:end])
        return None

    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(resolve(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.update(resolve(f"{node.module}.{alias.name}") or resolve(node.module) for alias in node.names)
    return found - {None}


@cache
def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, modules) - {name} for name, path in modules.items()}


def _circles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                circles.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return circles


def test_packages_import_only_those_before_them_in_the_pipeline():
    upward = sorted(f"{name} imports {target}" for name, targets in _graph().items() for target in targets
                    if (here := name.split(".")[0]) != (there := target.split(".")[0])
                    and LAYERS[there] >= LAYERS[here])
    assert upward == []


def test_no_module_imports_itself_round_a_circle():
    assert sorted(map(sorted, _circles(_graph()))) == sorted(map(sorted, KNOWN_CIRCLES))


def test_the_graph_reader_finds_a_circle_and_an_upward_import():
    # The checks above pass because the code is clean, not because the reader misses things.
    graph = {"geo.a": {"layers.b"}, "layers.b": {"geo.a"}, "layers.c": set()}
    assert _circles(graph) == [{"geo.a", "layers.b"}]
    assert "analyses.report.model" in _graph()["analyses.report.html_page"] and "caremap.api" in _graph()["caremap"]


@pytest.mark.slow
def test_the_first_map_loads_no_library_it_does_not_use(herefordshire):
    """The Explore page, run as the app runs it on a fresh server (Herefordshire's layers kept on disk, as the
    ``herefordshire`` fixture leaves them in the tests' home), loads neither the solver, the site chooser, the
    report libraries, the OSM readers nor SciPy (they load with the pages and measures that use them)."""
    code = ("import json, sys\nfrom streamlit.testing.v1 import AppTest\n"
            f"app = AppTest.from_file({str(ROOT / 'app.py')!r}, default_timeout=120).run()\n"
            "assert not app.exception, app.exception\n"
            "print(json.dumps({'title': app.title[0].value, 'loaded': sorted(name for name in "
            f"{HEAVY!r} if name in sys.modules)}}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"title": "Explore Herefordshire", "loaded": []}
