"""Key-hint lines that wrap between hints, never inside one: at 40 columns `q quit` must not become `q` + `quit`.

rich wraps a line at any space, which splits a key from its meaning; here a line is cut only between whole pieces.
"""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.text import Text

# A hint line may break after two spaces or after a semicolon (the groups are "s suspend  b bury" and "…；:u 撤销").
_BREAKS = re.compile(r"(?<=  )(?! )|(?<=；)|(?<=; )")


def hint_pieces(line: str) -> list[str]:
    """The pieces of a hint line that must stay whole, each with the spaces that follow it."""
    return [piece for piece in _BREAKS.split(line) if piece]


def fit(pieces: list[Text], width: int) -> Text:
    """The pieces on as few lines of ``width`` cells as fit, breaking only between pieces (trailing spaces dropped
    at each break). A piece wider than the whole line keeps a line of its own, and rich folds it."""
    result = Text()
    used = 0
    for piece in pieces:
        size = cell_len(piece.plain.rstrip())
        if used and used + size > width:
            result.rstrip()
            result.append("\n")
            used = 0
        result.append_text(piece)
        used += cell_len(piece.plain)
    result.rstrip()
    return result


def fit_hint(line: str, width: int, style: str = "dim") -> Text:
    """A plain hint line (`s suspend  b bury  u undo …`) fitted to ``width``."""
    return fit([Text(piece, style=style) for piece in hint_pieces(line)], width)
