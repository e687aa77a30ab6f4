"""What the learner sees of a review item, and the judging of what they answer.

A card type builds the Challenge (``dlquiz.cards.types.make_challenge``). Nothing here touches the terminal: the study
screen renders ``question``/``answer`` (Markdown) as the ``mode`` says and feeds the learner's keys or typed text back
to ``judge``; a CODE challenge's fill is graded by running it (the study screen is handed the grading, since cards
cannot import it). The screen knows the modes, never the card types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from dlquiz.cards.card import ReviewItem
from dlquiz.text import normalize_answer

REVEAL, CHOICE, INPUT, CODE = "reveal", "choice", "input", "code"
BLANK = "___"  # the blank of a CODE challenge's code
MODES = (REVEAL, CHOICE, INPUT, CODE)


@dataclass(frozen=True)
class Verdict:
    correct: bool
    expected: str  # what the right answer is, as Markdown


@dataclass
class Challenge:
    item: ReviewItem
    mode: str  # REVEAL: think, then reveal; CHOICE: pick options; INPUT: type an answer; CODE: fill the blank of code
    question: str
    answer: str
    extra: str = ""
    options: list[str] = field(default_factory=list)  # CHOICE: the options in the order shown, numbered from 1
    correct_options: frozenset[int] = frozenset()
    check: Callable[[str], bool] | None = None  # CHOICE and INPUT: is this response right? (the card type's rule)
    code: str = ""  # CODE: the code with its one blank (``___``), graded against ``exercise``'s cases
    exercise: str | None = None  # CODE: the exercise whose cases and PyTorch references grade the filled code

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"unknown challenge mode {self.mode!r} (modes: {', '.join(MODES)})")
        if self.mode in (CHOICE, INPUT) and self.check is None:
            raise ValueError(f"a {self.mode} challenge needs a check for the learner's answer")
        if self.mode == CODE and not (self.code and self.exercise):
            raise ValueError("a code challenge needs the code and the exercise that grades it")

    @property
    def multiple(self) -> bool:
        return len(self.correct_options) > 1

    def parse_choice(self, response: str) -> frozenset[int] | None:
        """'2', '1 3', '1,3' or '13' → option indices; None when it names no valid option."""
        return parse_choice(response, len(self.options))

    def missing_options(self, response: str) -> list[int]:
        """The numbers in ``response`` that name no option (``'15'`` among 4 options: ``[5]``), in order."""
        digits = re.sub(r"[\s,，、;]+", "", normalize_answer(response))
        if not digits.isdigit():
            return []
        return sorted({int(d) for d in digits if not 1 <= int(d) <= len(self.options)})

    def filled(self, fill: str) -> str:
        """CODE: the code with ``fill`` in its blank."""
        return fill_blank(self.code, fill)

    def judge(self, response: str) -> Verdict:
        if self.check is None:
            raise ValueError(f"a {self.mode} challenge is not judged here: the learner rates it, or the grader runs it")
        return Verdict(self.check(response), self.answer)


def parse_choice(response: str, count: int) -> frozenset[int] | None:
    """Option indices named by ``response`` among ``count`` options; None when it names no valid option."""
    digits = re.sub(r"[\s,，、;]+", "", normalize_answer(response))
    if not digits or not digits.isdigit():
        return None
    chosen = frozenset(int(d) - 1 for d in digits)
    if any(not 0 <= index < count for index in chosen):
        return None
    return chosen


def fill_blank(code: str, fill: str) -> str:
    """``code`` with its blank replaced by ``fill``; the lines of a multi-line fill keep the blank's indentation."""
    before, blank, after = code.partition(BLANK)
    if not blank:
        raise ValueError("the code has no blank")
    indent = before[before.rfind("\n") + 1 :]
    indent = indent[: len(indent) - len(indent.lstrip())]
    lines = fill.strip("\n").split("\n")
    return before + ("\n" + indent).join(line.rstrip() for line in lines) + after
