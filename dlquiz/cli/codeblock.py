"""Python code inside a card's panel: highlighted, and wrapped so that a long line still reads as code.

A panel cannot leave long lines to the terminal, and rich's own wrapping starts every continuation at column 0,
where it reads as a new statement at the outer level (``# the exponent is never`` / ``positive`` under the
``def``). Here a continuation keeps its line's indentation plus a hanging indent of ``HANG`` columns, the way
Python's own continuation lines are written. Widths are counted in terminal cells, so Chinese comments wrap right.
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.syntax import Syntax
from rich.text import Text

HANG = 4  # extra indentation of a continuation line
NARROWEST_BODY = 16  # below this many cells for the text itself a hanging indent costs more than it helps


class CodeBlock:
    """``source`` as the study screen shows it."""

    def __init__(self, source: str) -> None:
        self.source = source.rstrip("\n").expandtabs(4)

    def _lines(self) -> list[Text]:
        syntax = Syntax(self.source, "python", theme="ansi_dark", background_color="default")
        highlighted = syntax.highlight(self.source)
        highlighted.rstrip()
        return list(highlighted.split("\n", allow_blank=True))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self._lines():
            for piece in wrap_code_line(line, options.max_width, console):
                piece.no_wrap = True
                piece.end = "\n"
                yield piece

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        longest = max((line.cell_len for line in self._lines()), default=1)
        return Measurement(min(longest, NARROWEST_BODY), longest).clamp(max_width=options.max_width)


def wrap_code_line(line: Text, width: int, console: Console) -> list[Text]:
    """``line`` cut to ``width`` cells: the first piece as it is, each continuation indented by the line's own
    indentation plus HANG. A line that fits is returned unchanged."""
    if line.cell_len <= width:
        return [line]
    indent = len(line.plain) - len(line.plain.lstrip(" "))
    hang = indent + HANG
    if width - hang < NARROWEST_BODY:  # deeply indented in a narrow window: plain wrapping, nothing lost
        return list(line.wrap(console, width, overflow="fold"))
    body = line[indent:]
    pieces = body.wrap(console, width - hang, overflow="fold")
    return [Text(" " * (indent if index == 0 else hang)) + piece for index, piece in enumerate(pieces)]
