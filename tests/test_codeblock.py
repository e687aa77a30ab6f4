"""Code in a card's panel wraps with a hanging indent, measured in terminal cells, and loses nothing."""

from __future__ import annotations

import io
import random

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from dlquiz.cli.codeblock import HANG, CodeBlock, wrap_code_line

SIGMOID = "import numpy as np\n\ndef sigmoid(x):\n    e = np.exp(-np.abs(x))  # the exponent is never positive\n    return ___\n"


def console(width: int) -> Console:
    return Console(file=io.StringIO(), width=width, color_system=None, legacy_windows=False)


def shown(renderable, width: int) -> list[str]:
    screen = console(width)
    screen.print(renderable)
    return screen.file.getvalue().splitlines()  # type: ignore[attr-defined]


def test_a_line_that_fits_is_left_alone():
    line = Text("    return x.mean(axis=(2, 3))")
    assert wrap_code_line(line, 60, console(60)) == [line]


def test_a_long_line_continues_under_its_own_indentation_plus_a_hanging_indent():
    lines = shown(Panel(CodeBlock(SIGMOID)), 40)
    inside = [line[2:-2] for line in lines[1:-1]]  # the panel's border and padding off
    assert inside[3].rstrip() == "    e = np.exp(-np.abs(x))  #"
    assert [line.rstrip() for line in inside[4:6]] == ["        the exponent is never", "        positive"]
    assert inside[6].rstrip() == "    return ___"
    assert all(cell_len(line) == 40 for line in lines)


def test_chinese_comments_wrap_by_terminal_cells():
    line = Text("    y = x.max(axis=1)  # 这是每一行的最大值，不是平均值，注意轴的方向")
    pieces = wrap_code_line(line, 30, console(30))
    assert len(pieces) > 1 and all(piece.cell_len <= 30 for piece in pieces)
    assert all(piece.plain.startswith(" " * (4 + HANG)) for piece in pieces[1:])
    assert "".join(piece.plain for piece in pieces).replace(" ", "") == line.plain.replace(" ", "")


def test_deep_indentation_in_a_narrow_window_still_shows_everything():
    line = Text(" " * 24 + "value = compute(alpha, beta, gamma)")
    pieces = wrap_code_line(line, 30, console(30))
    assert all(piece.cell_len <= 30 for piece in pieces)
    assert "".join(piece.plain for piece in pieces).replace(" ", "") == line.plain.replace(" ", "")


@pytest.mark.parametrize("seed", range(40))
def test_random_code_never_overflows_and_keeps_every_character(seed):
    chooser = random.Random(seed)
    words = [
        "x",
        "np.maximum(x, 0)",
        "梯度",
        "# 注释",
        "alpha_beta_gamma_delta_epsilon",
        "=",
        "+",
        "(a, b)",
        "很长的中文变量说明",
    ]
    source = "\n".join(
        " " * chooser.choice([0, 4, 8, 12]) + " ".join(chooser.choice(words) for _ in range(chooser.randint(1, 14)))
        for _ in range(6)
    )
    width = chooser.randint(12, 70)
    lines = shown(CodeBlock(source), width)
    assert all(cell_len(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == source.replace("\n", "").replace(" ", "")
