"""Grading a code card: the card's code with the learner's fill, run like an exercise file.

The filled code is written to a file in a run folder and graded by ``grader.grade_file`` in the learner's own
isolated process, with the exercise's cases for the functions the code defines and PyTorch's references computed
(or read from the reference cache) the normal way. The result is what the study screen shows: the verdict, the
diagnosis when a known mistake matches, and the first failing case in one line.

Nothing heavy is imported at module level: the study screen imports this before any card is graded.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dlquiz.grading import messages as M
from dlquiz.grading.catalog import load_exercise
from dlquiz.grading.runfolder import RunFolder

if TYPE_CHECKING:
    from dlquiz.grading.grader import GradeResult

ONE_LINE_CHARS = 200  # the first failing case is shown on one line of the answer panel


@dataclass(frozen=True)
class SnippetResult:
    """The verdict on one filled code; the texts are bilingual ({"en": …, "zh": …})."""

    status: str  # passed | failed | error (could not run as a whole: syntax error, exception on import, timeout …)
    cases_passed: int
    cases_total: int
    diagnosis: dict | None = None  # the known mistake the output matches
    failure: dict | None = None  # the first failing case (or what stopped the code), one line
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.status == "passed"


def one_line(text: str, limit: int = ONE_LINE_CHARS) -> str:
    """``text`` with its line breaks and runs of spaces folded, cut at ``limit`` characters."""
    folded = re.sub(r"\s+", " ", text).strip()
    return folded if len(folded) <= limit else folded[: limit - 1] + "…"


def grade_code(exercise_id: str, source: str) -> SnippetResult:
    """Grade ``source`` (the card's code, filled) with ``exercise_id``'s cases for the functions it defines.

    DlquizError when it cannot be graded for reasons that are not the learner's (unknown exercise, no PyTorch).
    """
    exercise = load_exercise(exercise_id)
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        line = error.lineno or 0
        return SnippetResult(
            "error",
            0,
            0,
            failure=M.bi(
                one_line(f"Syntax error on line {line} of the code: {error.msg}"),
                one_line(f"代码第 {line} 行有语法错误：{error.msg}"),
            ),
        )
    defined = {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    functions = [name for name in exercise.functions if name in defined]
    if not functions:
        names = ", ".join(exercise.functions)
        return SnippetResult(
            "error",
            0,
            0,
            failure=M.bi(f"The code defines none of {names}.", f"代码没有定义 {names} 中的任何一个函数。"),
        )
    from dlquiz.grading.grader import grade_file

    folder = RunFolder()  # locked while it runs, removed after; a dlquiz killed meanwhile leaves it to remove_stale
    try:
        path = folder.path / f"{exercise.id.replace('-', '_')}_card.py"
        path.write_text(source, encoding="utf-8")
        result = grade_file(exercise, path, functions=functions)
    finally:
        folder.remove()
    return _summarise(result)


# The grader speaks of the learner's file; a code card has no file, only the card's code with the fill.
_YOUR_FILE = {"en": ("your file", "your code"), "zh": ("你的文件", "你的代码")}


def _as_code(texts: dict) -> dict:
    return {lang: text.replace(*_YOUR_FILE[lang]) if lang in _YOUR_FILE else text for lang, text in texts.items()}


def _summarise(result: GradeResult) -> SnippetResult:
    diagnosis = _as_code(result.diagnoses[0].message) if result.diagnoses else None
    failure: dict | None = None
    if result.status == "error" and result.error_message:
        detail = result.error_detail.strip().splitlines()[-1:] if result.error_detail else []
        extra = f" ({detail[0].strip()})" if detail and result.error_kind not in ("syntax",) else ""
        failure = {lang: one_line(text + extra) for lang, text in _as_code(result.error_message).items()}
    elif result.first_failure is not None:
        case = result.first_failure
        messages = _as_code(case.message)
        failure = {lang: one_line(f"{case.name} [{case.inputs}]: {text}") for lang, text in messages.items()}
    return SnippetResult(result.status, result.cases_passed, result.cases_total, diagnosis, failure, result.seconds)
