"""Import rules of dlquiz/cards: no import cycles (imports inside functions and TYPE_CHECKING blocks count too), and
the room imports only the root helpers, never review, grading, interop or cli."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "dlquiz"
CARDS = "dlquiz.cards"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """Every dlquiz module ``path`` imports, anywhere in the file; `from a import b` counts as a.b when a.b exists."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative import
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {module for module in found if module in known}


def graph(prefix: str) -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {
        name: {target for target in imported(name, path, known) if target.startswith(prefix) and target != name}
        for name, path in found.items()
        if name.startswith(prefix)
    }


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), i.e. every import cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_cycles():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_reader_sees_imports_inside_functions(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from dlquiz.cards import deck\n    import dlquiz.cards.card\n", encoding="utf-8")
    assert imported("dlquiz.x", source, {"dlquiz.cards.deck", "dlquiz.cards.card", "dlquiz.cards"}) == {
        "dlquiz.cards.deck",
        "dlquiz.cards.card",
    }


def test_no_import_cycle_inside_cards():
    edges = graph(CARDS)
    assert "dlquiz.cards.deck" in edges and "dlquiz.cards.types" in edges["dlquiz.cards.deck"]
    assert cycles(edges) == []


@pytest.mark.parametrize("name", sorted(name for name in modules() if name.startswith(CARDS)))
def test_cards_import_only_the_root_helpers(name):
    found = modules()
    other_rooms = ("dlquiz.review", "dlquiz.grading", "dlquiz.interop", "dlquiz.cli")
    used = imported(name, found[name], set(found))
    assert not [module for module in used if module.startswith(other_rooms)]
