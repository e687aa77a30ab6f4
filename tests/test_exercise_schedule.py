"""Exercises come back when they are due: a pass (or a give-up) is an FSRS review rated by the outcome, the due ones
are listed first, a due review restarts from the template (the old file kept with its date), `study`, `decks` and
`stats` show them, and a progress backup carries the schedule. Through the CLI, with DLQUIZ_NOW moving days."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fsrs import Rating
from typer.testing import CliRunner

from dlquiz.cli.app import app
from dlquiz.grading.attempts import (
    CLEAN,
    FIRST_TRY,
    GAVE_UP,
    HINTS,
    SOLUTION,
    outcome_rule,
    review_window,
)
from dlquiz.review.records import ExerciseHelp, ExerciseReview
from dlquiz.review.repository import ProgressRepository
from dlquiz.review.store import open_store

ROOT = Path(__file__).parents[1]
SOLUTION_FILE = ROOT / "exercises" / "relu" / "solution.py"
WRONG_FILE = Path(__file__).parent / "learner_files" / "relu" / "grad_one_at_zero.py"
DAY0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
runner = CliRunner()


def at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    monkeypatch.setenv("DLQUIZ_NOW", moment.isoformat())


def cli(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


def listing() -> list[dict]:
    result = cli("exercise", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def relu_item() -> dict:
    return next(item for item in listing() if item["id"] == "relu")


def reviews(exercise: str | None = "relu") -> list[ExerciseReview]:
    store = open_store()
    try:
        return ProgressRepository(store).exercise_reviews(exercise)
    finally:
        store.close()


def grade_workspace(source: Path, home: Path) -> int:
    (home / "exercises" / "relu.py").write_text(source.read_text())
    return cli("exercise", "relu", "--lang", "en").exit_code


# --- the rules on their own ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tries", "hints", "solution", "rule"),
    [
        (1, 0, False, FIRST_TRY),
        (3, 0, False, CLEAN),
        (1, 2, False, HINTS),
        (4, 1, True, SOLUTION),
        (1, 0, True, SOLUTION),
    ],
)
def test_outcome_rules(tries, hints, solution, rule):
    assert outcome_rule(tries, hints, solution) == rule


def test_the_review_window_opens_when_the_exercise_falls_due():
    assert review_window([], DAY0).open and review_window([], DAY0).start is None
    store = open_store()
    review = ProgressRepository(store).record_exercise_review("relu", CLEAN, 3, 2, 0, at=DAY0)
    store.close()
    before = review_window([review], review.due - timedelta(seconds=1))
    assert (before.open, before.start) == (False, review.reviewed_at)  # practice until then
    after = review_window([review], review.due)
    assert (after.open, after.start) == (True, review.due)


# --- end to end through the CLI -----------------------------------------------------------------------------------


def test_pass_due_restart_hint_solution_give_up(monkeypatch, isolated_home):
    assert cli("config", "fuzz", "off").exit_code == 0  # exact intervals: the days below are FSRS's own
    at(monkeypatch, DAY0)
    assert cli("exercise", "relu").exit_code == 0  # creates the workspace file from the template
    assert relu_item()["due"] is None and relu_item()["is_due"] is False
    # A failure then a pass, no help: one review, Good, two tries.
    assert grade_workspace(WRONG_FILE, isolated_home) == 1
    assert reviews() == []  # a failure makes no review
    assert grade_workspace(SOLUTION_FILE, isolated_home) == 0
    [first] = reviews()
    assert (first.rating, first.rule, first.attempts, first.hints_used) == (Rating.Good, CLEAN, 2, 0)
    due = datetime.fromisoformat(relu_item()["due"])
    assert due == first.due and due > DAY0 + timedelta(days=1) and relu_item()["is_due"] is False

    # Before it is due: not listed as due, --next has nothing, grading again is practice.
    at(monkeypatch, due - timedelta(hours=1))
    assert relu_item()["is_due"] is False
    nothing = cli("exercise", "--next", "--lang", "en")
    assert nothing.exit_code == 0 and "No exercise is due" in nothing.output and "relu" in nothing.output
    practice = cli("exercise", "relu", "--lang", "en")
    assert practice.exit_code == 0 and "Practice" in practice.output and len(reviews()) == 1

    # Due: listed first with is_due; study and decks say so.
    at(monkeypatch, due + timedelta(days=1))
    items = listing()
    assert items[0]["id"] == "relu" and items[0]["is_due"] is True
    assert "1 exercise(s) due: `dlquiz exercise relu`" in cli("study", "--lang", "en", input="q\n").output
    assert "1 个练习到期：`dlquiz exercise relu`" in cli("decks", "--lang", "zh").output

    # --next opens it: the file starts from the template, the version that passed is kept with its date.
    opened = cli("exercise", "--next", "--lang", "en")
    assert opened.exit_code == 0, opened.output
    workspace = isolated_home / "exercises" / "relu.py"
    kept = isolated_home / "exercises" / "relu.2026-03-02.py"
    assert workspace.read_text() == (ROOT / "exercises" / "relu" / "template.py").read_text()
    assert kept.read_text() == SOLUTION_FILE.read_text() and "relu.2026-03-02.py" in opened.output
    assert cli("exercise", "relu", "--previous").stdout.strip() == SOLUTION_FILE.read_text().strip()
    # Opening it again in the same review keeps the learner's new work.
    workspace.write_text(WRONG_FILE.read_text())
    assert cli("exercise", "relu").exit_code == 1 and workspace.read_text() == WRONG_FILE.read_text()

    # A hint in this review, then a pass: Hard.
    hint = cli("exercise", "relu", "--hint", "--lang", "en")
    assert "Hint 1/" in hint.output  # each review starts again at the first hint
    assert grade_workspace(SOLUTION_FILE, isolated_home) == 0
    second = reviews()[-1]
    assert (second.rating, second.rule, second.attempts, second.hints_used) == (Rating.Hard, HINTS, 2, 1)
    assert second.state_before == first.state_after

    # Next time: the solution confirmed before a pass makes the pass Again.
    at(monkeypatch, second.due + timedelta(hours=1))
    shown = cli("exercise", "relu", "--solution", "--lang", "en", input="y\n")
    assert "count as Again" in shown.output and "def relu" in shown.output
    assert cli("exercise", "relu", "--file", str(SOLUTION_FILE)).exit_code == 0
    third = reviews()[-1]
    assert (third.rating, third.rule) == (Rating.Again, SOLUTION)

    # Giving up: Again without a pass, once per review.
    at(monkeypatch, third.due + timedelta(hours=1))
    gave_up = cli("exercise", "relu", "--give-up", "--lang", "en")
    assert gave_up.exit_code == 0 and "gave up" in gave_up.output and "def relu" in gave_up.output
    assert (reviews()[-1].rating, reviews()[-1].rule) == (Rating.Again, GAVE_UP)
    again = cli("exercise", "relu", "--give-up", "--lang", "en")
    assert again.exit_code == 2 and "not due until" in again.output


def test_a_first_try_pass_is_easy_and_stats_show_retention_and_forecast(monkeypatch):
    cli("config", "fuzz", "off")
    at(monkeypatch, DAY0)
    assert cli("exercise", "relu", "--file", str(SOLUTION_FILE)).exit_code == 0
    [first] = reviews()
    assert (first.rating, first.rule) == (Rating.Easy, FIRST_TRY)
    stats = json.loads(cli("stats", "--json").stdout)["exercises"]
    assert stats["retention"]["all"]["answers"] == 0  # a first review is learning, not remembering
    days = (first.due.date() - DAY0.date()).days
    assert days < 14 and [day["due"] for day in stats["forecast"]][days] == 1
    at(monkeypatch, first.due)
    assert cli("exercise", "relu", "--file", str(WRONG_FILE)).exit_code == 1
    assert cli("exercise", "relu", "--file", str(SOLUTION_FILE)).exit_code == 0
    stats = json.loads(cli("stats", "--json").stdout)["exercises"]
    assert stats["retention"]["all"] == {"answers": 1, "correct": 1, "rate": 1.0}
    screen = cli("stats", "--lang", "en").output
    assert "Exercise retention" in screen and "Exercises due in the next 14 days" in screen


def test_progress_export_import_keeps_the_schedule(monkeypatch, tmp_path):
    at(monkeypatch, DAY0)
    assert cli("exercise", "relu", "--file", str(SOLUTION_FILE)).exit_code == 0
    cli("exercise", "relu", "--solution")  # after a pass: no question, but the time is kept
    before_items, before_reviews = listing(), reviews()
    backup = tmp_path / "progress.jsonl"
    assert cli("progress", "export", "-o", str(backup)).exit_code == 0
    assert any(json.loads(line).get("type") == "exercise_review" for line in backup.read_text().splitlines())
    monkeypatch.setenv("DLQUIZ_HOME", str(tmp_path / "other-machine"))
    imported = cli("progress", "import", str(backup))
    assert imported.exit_code == 0 and "exercise reviews: 1 added" in imported.output
    assert listing() == before_items
    strip = [(r.exercise, r.rating, r.rule, r.reviewed_at, r.state_before, r.state_after) for r in before_reviews]
    assert [(r.exercise, r.rating, r.rule, r.reviewed_at, r.state_before, r.state_after) for r in reviews()] == strip
    again = cli("progress", "import", str(backup))
    assert "exercise reviews: 0 added, 1 already present" in again.output and len(reviews()) == 1


def test_merging_two_machines_replays_the_exercise_history(monkeypatch, tmp_path):
    at(monkeypatch, DAY0)
    store = open_store()
    ProgressRepository(store).record_exercise_review("relu", CLEAN, 3, 2, 0, at=DAY0)
    store.close()
    backup = tmp_path / "a.jsonl"
    cli("progress", "export", "-o", str(backup))
    monkeypatch.setenv("DLQUIZ_HOME", str(tmp_path / "b"))
    store = open_store()
    repository = ProgressRepository(store)
    repository.record_exercise_review("relu", FIRST_TRY, 4, 1, 0, at=DAY0 + timedelta(days=5))
    repository.save_exercise_help(ExerciseHelp("relu", 2, last_shown_at=DAY0 + timedelta(days=5)))
    store.close()
    assert cli("progress", "import", str(backup)).exit_code == 0
    merged = reviews()
    assert [r.rule for r in merged] == [CLEAN, FIRST_TRY]
    assert merged[0].state_before is None and merged[1].state_before == merged[0].state_after  # one chain
    store = open_store()
    assert ProgressRepository(store).exercise_help("relu").hints_shown == 2
    store.close()


def test_exercises_passed_before_scheduling_get_their_first_review(monkeypatch):
    """A database from before migration 2: each passed exercise is reviewed at its first pass, so it comes back."""
    from dlquiz.review import store as store_module

    every = store_module.MIGRATIONS
    monkeypatch.setattr(store_module, "MIGRATIONS", every[:1])
    old = open_store()
    repository = ProgressRepository(old)
    repository.record_exercise_attempt("relu", "failed", 20, 22, 0, at=DAY0)
    repository.record_exercise_attempt("relu", "passed", 22, 22, 1, at=DAY0 + timedelta(hours=1))
    repository.record_exercise_attempt("relu", "passed", 22, 22, 1, at=DAY0 + timedelta(hours=2))
    repository.record_exercise_attempt("gap", "passed", 8, 8, 0, at=DAY0)
    repository.record_exercise_attempt("padding", "failed", 0, 9, 0, at=DAY0)
    old.close()
    monkeypatch.setattr(store_module, "MIGRATIONS", every)
    assert {r.exercise: (r.rule, r.attempts, r.reviewed_at) for r in reviews(None)} == {
        "gap": (FIRST_TRY, 1, DAY0),
        "relu": (HINTS, 2, DAY0 + timedelta(hours=1)),
    }


def test_next_on_a_fresh_home_says_where_to_begin(isolated_home):
    english = cli("exercise", "--next", "--lang", "en")
    assert english.exit_code == 0 and "No exercise is due." in english.output
    assert "`dlquiz exercise` lists them, `dlquiz exercise NAME` starts one" in " ".join(english.output.split())
    chinese = cli("exercise", "--next", "--lang", "zh")
    said = "".join(chinese.output.split())
    assert "没有到期的练习。" in said and "`dlquizexercise名称`开始其中一个" in said
