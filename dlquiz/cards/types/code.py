"""Code cards: a function with one blank (``___``); the learner's fill is run against an exercise's cases and compared
with PyTorch's references, exactly as exercise files are.

The cards room cannot import the grading room, so two things reach this module at run time instead:
- the exercise catalog, for validation ("the exercise exists, the code defines one of its functions"): the command
  line hands an ``ExerciseLookup`` to ``cards.exercise_lookup``; without one (a library caller) those two checks are
  skipped;
- the grading of a fill: the challenge carries the code and the exercise (mode CODE), and the study screen is handed
  the grader.
"""

from __future__ import annotations

import ast
import random
from typing import Any

from dlquiz.cards.anki_note import BASIC_NOTE, AnkiNote, escape, html_field
from dlquiz.cards.card import Card, ReviewItem
from dlquiz.cards.challenge import BLANK, CODE, Challenge, fill_blank
from dlquiz.cards.exercise_lookup import exercises
from dlquiz.cards.fields import TEXT_SCHEMA, Report, line_of, text_problem
from dlquiz.cards.types.base import CardType
from dlquiz.text import Text


def defined_functions(source: str) -> list[str]:
    """The names of the functions ``source`` defines at its top level (SyntaxError when it does not parse)."""
    tree = ast.parse(source)
    return [node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


class Code(CardType):
    name = "code"
    required = ("exercise", "question", "code", "answer")
    text_fields = ("question",)

    def check_fields(self, raw: Any, label: Text, report: Report) -> None:
        functions = self._exercise_functions(raw, label, report)
        code, answer = raw.get("code"), raw.get("answer")
        code_line, answer_line = line_of(raw, "code"), line_of(raw, "answer")
        code_ok = answer_ok = False
        if "code" in raw:
            if not isinstance(code, str) or text_problem(code):
                report(
                    code_line,
                    f"{label.en}: code must be Python source (a block: `code: |`)",
                    f"{label.zh}：code 必须是 Python 源代码（写成块：`code: |`）",
                )
            elif code.count(BLANK) != 1:
                report(
                    code_line,
                    f"{label.en}: code must contain exactly one blank `{BLANK}`, found {code.count(BLANK)}",
                    f"{label.zh}：code 必须恰好包含一个空 `{BLANK}`，现在有 {code.count(BLANK)} 个",
                )
            else:
                code_ok = True
        if "answer" in raw:
            if not isinstance(answer, str) or text_problem(answer):
                report(
                    answer_line,
                    f'{label.en}: answer must be the text that fills the blank, e.g. "x.mean(axis=0)"',
                    f'{label.zh}：answer 必须是填进空里的代码，例如 "x.mean(axis=0)"',
                )
            elif BLANK in answer:
                report(
                    answer_line,
                    f"{label.en}: the answer must fill the blank, not contain `{BLANK}`",
                    f"{label.zh}：answer 应该填进空里，而不是包含 `{BLANK}`",
                )
            else:
                answer_ok = True
        if not (code_ok and answer_ok):
            return
        try:
            defined = defined_functions(fill_blank(code, answer))
        except SyntaxError as error:  # Python's own words (error.msg) in both languages
            report(
                code_line,
                f"{label.en}: the code with the answer filled in is not valid Python "
                f"(line {error.lineno} of the code: {error.msg})",
                f"{label.zh}：把 answer 填进去后，code 不是有效的 Python（code 第 {error.lineno} 行：{error.msg}）",
            )
            return
        if not defined:
            report(
                code_line,
                f"{label.en}: the code must define the exercise's function (`def name(...):`)",
                f"{label.zh}：code 必须定义练习的函数（`def name(...):`）",
            )
        elif functions is not None:
            self._check_functions(raw, label, defined, functions, report)

    @staticmethod
    def _exercise_functions(raw: Any, label: Text, report: Report) -> tuple[str, ...] | None:
        """The functions of the card's exercise; None (reported) when there is no such exercise, or no catalog."""
        exercise = raw.get("exercise")
        if "exercise" in raw and not isinstance(exercise, str):  # `exercise:` left empty; a wrong id: the deck
            report(
                line_of(raw, "exercise"),
                f"{label.en}: a code card needs 'exercise': the id of the exercise that grades it",
                f"{label.zh}：code 卡片需要 'exercise'：给它评分的练习的 id",
            )
        lookup = exercises()
        if lookup is None or not isinstance(exercise, str):
            return None
        functions = lookup.functions(exercise)
        if functions is None:
            known = ", ".join(lookup.names())
            report(
                line_of(raw, "exercise"),
                f"{label.en}: no exercise named {exercise!r} (exercises: {known or 'none'})",
                f"{label.zh}：没有名为 {exercise!r} 的练习（已有的练习：{known or '无'}）",
            )
        return functions

    @staticmethod
    def _check_functions(raw: Any, label: Text, defined: list[str], functions: tuple[str, ...], report: Report) -> None:
        exercise = str(raw["exercise"])
        lookup = exercises()
        assert lookup is not None
        graded = [name for name in defined if name in functions]
        if not graded:
            report(
                line_of(raw, "code"),
                f"{label.en}: the code defines {', '.join(defined)}, none of the functions of "
                f"exercise {exercise} ({', '.join(functions)})",
                f"{label.zh}：code 定义了 {', '.join(defined)}，但都不是练习 {exercise} 的函数（{', '.join(functions)}）",
            )
        elif lookup.called_together(exercise) and set(functions) - set(defined):
            missing = ", ".join(name for name in functions if name not in defined)
            report(
                line_of(raw, "code"),
                f"{label.en}: the cases of exercise {exercise} call its functions together, so "
                f"the code must define all of them (missing: {missing})",
                f"{label.zh}：练习 {exercise} 的用例会一起调用它的函数，所以 code 必须把它们都定义出来（缺少：{missing}）",
            )

    def challenge(self, item: ReviewItem, lang: str, rng: random.Random) -> Challenge:
        card = item.card
        question = card.text("question").pick(lang)
        return Challenge(
            item,
            CODE,
            question,
            str(card.fields["answer"]),
            self.extra(card, lang),
            code=str(card.fields["code"]),
            exercise=card.exercise,
        )

    def schema_fields(self) -> dict[str, Any]:
        return {
            "exercise": {
                "type": "string",
                "pattern": "^[a-z0-9][a-z0-9_-]*$",
                "description": "Required: the exercise whose cases and PyTorch references grade the fill.",
            },
            "question": TEXT_SCHEMA,
            "code": {
                "type": "string",
                # exactly one ___: one, and not two
                "pattern": f"^(?![\\s\\S]*{BLANK}[\\s\\S]*{BLANK})[\\s\\S]*{BLANK}[\\s\\S]*$",
                "description": "A complete Python function of the exercise, with exactly one blank `___`.",
            },
            "answer": {"type": "string", "minLength": 1, "description": "A correct fill, shown after answering."},
        }

    def anki_note(self, card: Card, lang: str) -> AnkiNote:
        """A basic note: the question and the code (blank shown) on the front, the fill on the back."""
        front = html_field(card.text("question"), lang) + f"<pre><code>{escape(str(card.fields['code']))}</code></pre>"
        back = f"<pre><code>{escape(str(card.fields['answer']))}</code></pre>"
        return AnkiNote(BASIC_NOTE, (front, back, html_field(card.text("extra"), lang), ""))
