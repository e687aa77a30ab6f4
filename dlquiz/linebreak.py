"""Line breaking that reads right in Chinese: rich breaks lines only at spaces, which strands a whole Chinese
sentence on the next line, starts lines with `，` and splits `η =` from `0.1`.

Rules (a small subset of Unicode's line-breaking algorithm, UAX #14, the part Chinese text needs):
- a line may break at a space, as before, and also between two characters when either is CJK (ideographs, kana,
  hangul, full-width forms and CJK punctuation);
- never before closing punctuation (`，。、；：！？）」』》】` and their ASCII forms), nor after opening punctuation;
- never inside a Latin word or a number, inside a `code span` written with backticks, nor next to a lone operator,
  so `η = 0.1` stays on one line when it fits; a piece longer than the whole line is folded, as rich does.

``install()`` makes rich's text wrapping use these rules (rich has no hook for it, so its ``divide_line`` is
replaced); text without any CJK character is wrapped by rich's own code, unchanged.
"""

from __future__ import annotations

import functools
import re
from typing import Callable

CLOSING = set("，。、；：！？）」』》〉】〕〗〙〛｝］…‥・ー々〜～’”%‰℃,.;:!?)]}") | {"\u3001", "\u3002"}
OPENING = set("（「『《〈【〔〖〘〚｛［‘“([{")
OPERATORS = {"=", "≈", "≠", "<", ">", "≤", "≥", "+", "-", "−", "×", "*", "/", "÷", "·", "→", "←", "↔", "=>", "->", "<-"}
_CJK = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3040-\u30ff\u3100-\u312f\u3130-\u318f\u31a0-\u31ff\u3200-\u4dbf\u4e00-\u9fff"
    "\ua960-\ua97f\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]"
)


def is_cjk(char: str) -> bool:
    return bool(_CJK.match(char))


def _is_space(char: str) -> bool:
    return char.isspace() and char != "\u00a0"  # a no-break space holds its neighbours together


def break_opportunities(text: str) -> list[int]:
    """The offsets where a new line may start, in order (0 excluded)."""
    words = [match.group().strip() for match in re.finditer(r"\S+", text)]
    spans = [match.span() for match in re.finditer(r"\S+", text)]
    word_at = {start: index for index, (start, _end) in enumerate(spans)}
    found: list[int] = []
    in_code = False  # between two backticks: `dlquiz stats` is one piece
    for offset in range(1, len(text)):
        before, after = text[offset - 1], text[offset]
        if before == "`":
            in_code = not in_code
        if _is_space(after) or (in_code and after != "`") or "\u00a0" in (before, after):
            continue
        if after in CLOSING or before in OPENING:
            continue
        if _is_space(before):
            index = word_at.get(offset)
            if index is not None and (words[index] in OPERATORS or (index and words[index - 1] in OPERATORS)):
                continue  # `η = 0.1`: keep a formula's operator with both of its operands
            found.append(offset)
        elif is_cjk(before) or is_cjk(after):
            found.append(offset)
    return found


def divide_line(
    text: str, width: int, fold: bool = True, *, fallback: Callable[..., list[int]] | None = None
) -> list[int]:
    """rich's ``divide_line`` contract: the offsets at which to break ``text`` so each line fits ``width`` cells."""
    from rich.cells import cell_len, chop_cells

    if fallback is not None and not any(char == "\u00a0" or is_cjk(char) for char in text):
        return fallback(text, width, fold)
    starts = [0, *break_opportunities(text), len(text)]
    breaks: list[int] = []
    used = 0
    for start, end in zip(starts, starts[1:], strict=False):
        piece = text[start:end]
        length = cell_len(piece.rstrip())
        if used + length <= width:
            used += cell_len(piece)
        elif length > width and fold:  # longer than a whole line: start a new line, then fold it
            if used and start:
                breaks.append(start)
            chunks = _fold(piece, width, chop_cells)
            for chunk in chunks[:-1]:
                start += len(chunk)
                breaks.append(start)
            used = cell_len(chunks[-1])
        elif used and start:
            breaks.append(start)
            used = cell_len(piece)
        else:
            used += cell_len(piece)  # too long and no folding: rich crops it
    return breaks


def _fold(piece: str, width: int, chop_cells: Callable[[str, int], list[str]]) -> list[str]:
    """Cut a piece longer than a line into lines of ``width`` cells, moving each cut back a character or two so
    that no line starts with closing punctuation (`；`) nor ends with opening punctuation (`（`)."""
    chunks: list[str] = []
    rest = piece
    while rest:
        chunk = chop_cells(rest, width)[0]
        cut = len(chunk)
        while 1 < cut < len(rest) and (rest[cut] in CLOSING or rest[cut - 1] in OPENING):
            cut -= 1
        chunks.append(rest[:cut])
        rest = rest[cut:]
    return chunks


@functools.lru_cache(maxsize=1)
def install() -> None:
    """Make rich wrap text by the rules above (once per process; text without CJK is wrapped as rich does)."""
    import rich.text

    original = rich.text.divide_line
    rich.text.divide_line = functools.partial(divide_line, fallback=original)
