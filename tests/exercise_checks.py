"""Checks shared by the exercise tests (embedding, rnn, autoregressive): the note, the mistakes, the CLI."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

from typer.testing import CliRunner

from dlquiz.cli import exercise as exercise_cli
from dlquiz.cli.app import app
from dlquiz.grading.catalog import Exercise
from dlquiz.grading.compare import mistake_outcome, compare_value
from dlquiz.grading.spec import Case, Raises

exercise_cli.register(app)  # idempotent: the CLI module registers it already
HERE = Path(__file__).resolve()


def notes_text() -> str | None:
    """The author's DLNotes.txt where a checkout has it (shared/seeds/ beside some parent folder), else None."""
    for folder in HERE.parents:
        candidate = folder / "shared" / "seeds" / "DLNotes.txt"
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    return None


def assert_note_is_verbatim(exercise: Exercise, deck_source: str) -> None:
    """The note holds the deck's source line for the topic, and is a verbatim piece of DLNotes where that exists."""
    assert deck_source in exercise.note
    notes = notes_text()
    if notes is not None:
        assert exercise.note.strip() in notes


def solution_module(exercise: Exercise) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"{exercise.id}_solution", exercise.solution_path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def same(function: str, actual: object, expected: object) -> bool:
    """Whether two outcomes agree as the grader would judge them (an expected error agrees on its type)."""
    if isinstance(actual, Raises) or isinstance(expected, Raises):
        return isinstance(actual, Raises) and isinstance(expected, Raises) and actual.exception is expected.exception
    return compare_value(function, actual, expected, 1e-7, 1e-7).passed


def assert_mistakes_are_told_apart(mistakes: list, cases: list[Case], expected: list) -> None:
    """Every mistake is wrong on some case, and every two mistakes of a function differ on some case, so the
    grader's diagnosis can name the one a learner made."""
    outcomes = {
        m.name: [(mistake_outcome(m, c)[0] if c.function == m.function else None) for c in cases] for m in mistakes
    }
    for mistake in mistakes:
        wrong = [
            case.name
            for case, outcome, value in zip(cases, outcomes[mistake.name], expected, strict=False)
            if outcome is not None and not same(case.function, outcome, value)
        ]
        assert wrong, f"{mistake.name} matches PyTorch on every case"
    for first in mistakes:
        for second in mistakes:
            if first.name >= second.name or first.function != second.function:
                continue
            differ = any(
                a is not None and b is not None and not same(case.function, a, b)
                for case, a, b in zip(cases, outcomes[first.name], outcomes[second.name], strict=False)
            )
            assert differ, f"{first.name} and {second.name} give the same output on every case"


def cli_grade(name: str, path: Path) -> tuple[int, dict]:
    """`dlquiz exercise NAME --file PATH --json`, run as a user runs it: the exit code and the JSON report."""
    result = CliRunner().invoke(app, ["exercise", name, "--file", str(path), "--json"])
    return result.exit_code, json.loads(result.stdout)


def assert_diagnosed(
    exercise: Exercise, path: Path, mistake: str, words: str, kind: str, case_name: str | None = None
) -> None:
    """Grading the learner file ``path`` fails and names exactly ``mistake``, with ``words`` in its English message
    and a Chinese one. Without ``case_name`` the first failing case is of ``kind``; with it, that case fails with
    ``kind`` and carries the diagnosis."""
    from dlquiz.grading.grader import grade_file

    result = grade_file(exercise, path)
    assert result.status == "failed" and result.error_kind is None, result.summary()
    assert [d.name for d in result.diagnoses] == [mistake]
    assert words in result.diagnoses[0].message["en"] and result.diagnoses[0].message["zh"]
    if case_name is None:
        assert result.first_failure is not None and result.first_failure.kind == kind
    else:
        case = next(c for c in result.cases if c.name == case_name)
        assert not case.passed and case.kind == kind and case.diagnosis == mistake
