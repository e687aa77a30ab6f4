"""The package's import structure: no import cycles (imports inside functions count too), and each room imports
only the rooms below it. See CONTRIBUTING.md for the rooms.

The graph is read from the source with ``ast``, so nothing is imported and a cycle hidden in a function body (which
only bites at run time, in whichever order the modules happen to load) is found as surely as a module-level one.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "dlquiz"

# room -> rooms it must never import (the root helpers and the rooms not listed are allowed)
FORBIDDEN = {
    "cards": ("review", "interop", "cli"),
    "grading": ("review", "interop", "cli"),
    "review": ("interop", "cli"),
    "interop": ("cli",),
}
ROOMS = ("cards", "grading", "review", "interop", "cli")
CLI_IMPORTERS = {"dlquiz.__main__"}  # besides the cli package itself: the `python -m dlquiz` entry point


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    target: str  # imported module of the package
    file: str  # relative to the folder holding the package: dlquiz/cli/app.py
    line: int

    def where(self) -> str:
        return f"{self.file}:{self.line}"


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, root: Path, modules: set[str]) -> list[Import]:
    """Every import of a module of the package in ``path``: at module level, in functions, under TYPE_CHECKING."""
    name = module_name(path, root)
    file = path.relative_to(root.parent).as_posix()
    is_package = path.name == "__init__.py"
    found: list[Import] = []

    def add(target: str, line: int) -> None:
        # `import a.b.c` or `from a.b import c` names the most specific module that exists
        while target and target not in modules:
            target = target.rpartition(".")[0]
        if target and target != name:
            found.append(Import(name, target, file, line))

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                package = name if is_package else name.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{node.module}" if node.module else package
            else:
                base = node.module or ""
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                add(submodule if submodule in modules else base, node.lineno)
    return found


def import_graph(root: Path) -> list[Import]:
    files = sorted(root.rglob("*.py"))
    modules = {module_name(path, root) for path in files}
    return [edge for path in files for edge in imports_of(path, root, modules)]


def cycles(edges: list[Import]) -> list[list[Import]]:
    """One cycle per strongly connected component that has one (Tarjan), each as the imports that close it."""
    graph: dict[str, list[Import]] = {}
    for edge in edges:
        graph.setdefault(edge.source, []).append(edge)
        graph.setdefault(edge.target, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def connect(node: str) -> None:  # recursive: the package has a few dozen modules
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for edge in graph[node]:
            if edge.target not in index:
                connect(edge.target)
                low[node] = min(low[node], low[edge.target])
            elif edge.target in on_stack:
                low[node] = min(low[node], index[edge.target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(component)

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return [_a_cycle_in(component, graph) for component in components]


def _a_cycle_in(component: set[str], graph: dict[str, list[Import]]) -> list[Import]:
    """A shortest way from the component's first module back to itself (breadth first, inside the component)."""
    start = min(component)
    came_by: dict[str, Import] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for edge in sorted(graph[node], key=lambda e: e.target):
                if edge.target not in component or edge.target in came_by:
                    continue
                came_by[edge.target] = edge
                following.append(edge.target)
        if start in came_by:
            break
        frontier = following
    path = [came_by[start]]
    while path[0].source != start:
        path.insert(0, came_by[path[0].source])
    return path


def describe(cycle: list[Import]) -> str:
    return " -> ".join(f"{edge.source} ({edge.where()})" for edge in cycle) + f" -> {cycle[0].source}"


def room_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ROOMS else None


def room_violations(edges: list[Import]) -> list[str]:
    problems = []
    for edge in edges:
        source_room, target_room = room_of(edge.source), room_of(edge.target)
        if target_room == "cli" and source_room != "cli" and edge.source not in CLI_IMPORTERS:
            problems.append(f"{edge.where()}: {edge.source} imports {edge.target}; only the cli imports the cli")
        elif source_room in FORBIDDEN and target_room in FORBIDDEN[source_room]:
            problems.append(
                f"{edge.where()}: {edge.source} imports {edge.target}; "
                f"{source_room} must not import {', '.join(FORBIDDEN[source_room])}"
            )
        elif source_room is None and edge.source not in CLI_IMPORTERS and target_room is not None:
            problems.append(
                f"{edge.where()}: the root helper {edge.source} imports {edge.target}; root helpers import no room"
            )
    return problems


# --- the package ------------------------------------------------------------------------------------------------


def test_the_package_has_no_import_cycle():
    found = cycles(import_graph(PACKAGE))
    assert not found, "import cycles:\n" + "\n".join(describe(cycle) for cycle in found)


def test_each_room_imports_only_what_it_may():
    problems = room_violations(import_graph(PACKAGE))
    assert not problems, "\n".join(problems)


def test_the_graph_sees_the_package():
    # Guards the two tests above against passing vacuously (e.g. a wrong PACKAGE path or a parser that finds nothing).
    edges = import_graph(PACKAGE)
    assert len({edge.source for edge in edges}) > 30
    assert any(edge.source == "dlquiz.__main__" and edge.target == "dlquiz.cli" for edge in edges)
    assert any(edge.source.startswith("dlquiz.cli.") and room_of(edge.target) == "grading" for edge in edges)


# --- the checker itself, on small packages written for the purpose ---------------------------------------------


def write_package(root: Path, files: dict[str, str]) -> Path:
    package = root / "pkg"
    for name, source in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    for folder in [package, *[p for p in package.rglob("*") if p.is_dir()]]:
        (folder / "__init__.py").touch()
    return package


def test_a_cycle_through_a_function_level_import_is_found(tmp_path):
    package = write_package(
        tmp_path,
        {
            "a.py": "from pkg import b\n",
            "b.py": "def later():\n    from pkg.c import thing\n    return thing\n",
            "c.py": "import pkg.a\nthing = 1\n",
            "d.py": "from pkg import a\n",  # depends on the cycle but is not part of it
        },
    )
    [cycle] = cycles(import_graph(package))
    assert [edge.source for edge in cycle] == ["pkg.a", "pkg.b", "pkg.c"]
    assert [edge.line for edge in cycle] == [1, 2, 1]
    assert describe(cycle).endswith("-> pkg.a")


def test_relative_and_type_checking_imports_count(tmp_path):
    package = write_package(
        tmp_path,
        {
            "room/x.py": "from . import y\n",
            "room/y.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..room.x import X\n",
            "z.py": "from .room import x\n",
        },
    )
    edges = {(edge.source, edge.target) for edge in import_graph(package)}
    assert {("pkg.room.x", "pkg.room.y"), ("pkg.room.y", "pkg.room.x"), ("pkg.z", "pkg.room.x")} <= edges
    assert [sorted(edge.source for edge in cycle) for cycle in cycles(import_graph(package))] == [
        ["pkg.room.x", "pkg.room.y"]
    ]


def test_an_acyclic_package_passes(tmp_path):
    package = write_package(tmp_path, {"a.py": "import pkg.b\nimport os\n", "b.py": "from pkg import c\n", "c.py": ""})
    assert cycles(import_graph(package)) == []


@pytest.mark.parametrize(
    "source, target, allowed",
    [
        ("dlquiz.grading.workflow", "dlquiz.review.store", False),
        ("dlquiz.cards.deck", "dlquiz.cli.app", False),
        ("dlquiz.review.stats", "dlquiz.grading.attempts", True),
        ("dlquiz.review.stats", "dlquiz.interop.backup", False),
        ("dlquiz.interop.backup", "dlquiz.review.store", True),
        ("dlquiz.interop.backup", "dlquiz.cli.progress", False),
        ("dlquiz.cli.exercise", "dlquiz.grading.workflow", True),
        ("dlquiz.cli.exercise", "dlquiz.cli.app", True),
        ("dlquiz.__main__", "dlquiz.cli", True),
        ("dlquiz.text", "dlquiz.cli", False),
        ("dlquiz.console", "dlquiz.review.store", False),
        ("dlquiz.grading.grader", "dlquiz.fsutil", True),
    ],
)
def test_room_rules(source, target, allowed):
    edge = Import(source, target, "dlquiz/x.py", 1)
    assert (room_violations([edge]) == []) is allowed
