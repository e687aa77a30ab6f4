"""Every byte dlquiz shows goes through ``dlquiz.console``, the one place that removes terminal controls from deck
text. A module that printed another way (print, typer.echo, sys.stdout.write, its own rich Console) would open a
path for a deck's escape sequences: this test reads every module with ``ast`` and names any such call."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "dlquiz"
GATE = PACKAGE / "console.py"
# The learner's process talks to the grader through a pipe, never to the terminal: its writes are not output.
NOT_TERMINAL = {PACKAGE / "grading" / "child.py"}
FORBIDDEN_ATTRIBUTES = {("typer", "echo"), ("click", "echo"), ("typer", "secho"), ("click", "secho")}


def bypasses(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("print", "Console"):
            found.append((node.lineno, func.id))
        elif isinstance(func, ast.Attribute):
            owner = func.value
            if isinstance(owner, ast.Name) and (owner.id, func.attr) in FORBIDDEN_ATTRIBUTES:
                found.append((node.lineno, f"{owner.id}.{func.attr}"))
            elif func.attr == "write" and isinstance(owner, ast.Attribute) and owner.attr in ("stdout", "stderr"):
                found.append((node.lineno, f"{ast.unparse(owner)}.write"))
            elif func.attr == "Console":
                found.append((node.lineno, ast.unparse(func)))
    return found


def test_nothing_writes_to_the_terminal_around_the_console_gate():
    problems = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {call} — use dlquiz.console (make_console, echo, echo_json)"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != GATE and path not in NOT_TERMINAL
        for line, call in bypasses(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert problems == []


def test_the_check_finds_each_way_around_the_gate():
    source = "print(1)\ntyper.echo(2)\nsys.stdout.write('x')\nrich.console.Console()\nConsole()\nconsole.print(3)\n"
    assert [line for line, _call in bypasses(ast.parse(source))] == [1, 2, 3, 4, 5]
