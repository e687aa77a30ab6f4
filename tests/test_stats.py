"""`dlquiz stats`: every figure on a known history (clock fixed at Monday 2026-03-02 09:00 UTC, day starts at 04:00).

The review log and the card states are written through the repository as they are given here (not by studying):
stats reads them independently, so each figure can be set up on its own. Study days run from 04:00 to 04:00,
so an answer at 03:00 on 03-02 belongs to 03-01.
"""

import io
import json
import shutil
from datetime import date, datetime, timedelta

import pytest
from fsrs import Rating, State
from rich.console import Console
from typer.testing import CliRunner

from dlquiz.cards import library
from dlquiz.cli.app import app
from dlquiz.cli.stats_screen import LEVELS, forecast_chart, heatmap, render
from dlquiz.grading.catalog import list_exercises
from dlquiz.review import clock, stats
from dlquiz.review.records import CardState, ExerciseAttempt, ReviewLog, SchedulingState
from dlquiz.review.repository import ProgressRepository
from dlquiz.review.store import open_store

runner = CliRunner()

# (card key, reviewed_at, rating, queue, duration_ms)
HISTORY = [
    ("relu-basic", "2026-03-02T08:00", 3, "review", 10_000),  # today
    ("bn-choice", "2026-03-02T07:00", 1, "review", 20_000),  # today, a lapse
    ("gap-params", "2026-03-02T03:00", 3, "review", 5_000),  # before 04:00: still yesterday's study day
    ("bn-cloze::c1", "2026-03-01T10:00", 3, "new", 5_000),
    ("conv-size", "2026-02-28T10:00", 2, "learning", 7_000),
    ("bn-cloze::c2", "2026-02-26T10:00", 3, "relearning", None),  # 02-27 has no answers: the streak stops there
    ("relu-basic::reverse", "2026-02-20T10:00", 4, "review", 4_000),  # in the 30-day window, not the 7-day one
    ("relu-basic", "2026-01-10T10:00", 1, "review", 60_000),  # only in "all"
]

# (card key, state, last_review, due, suspended, buried_until); bn-choice has no row: it is new
STATES = [
    ("relu-basic", 2, "2026-03-02T08:00", "2026-04-01T08:00", 0, None),  # interval 30 d: mature
    ("relu-basic::reverse", 2, "2026-02-20T10:00", "2026-03-13T10:00", 0, None),  # exactly 21 d: mature; day 11
    ("bn-cloze::c1", 1, "2026-03-01T10:00", "2026-03-02T09:10", 0, None),  # learning, due today
    ("bn-cloze::c2", 3, "2026-02-26T10:00", "2026-02-27T10:00", 0, None),  # relearning, overdue: day 0
    ("gap-params", 2, "2026-02-12T10:00", "2026-03-04T08:00", 0, "2026-03-05T04:00"),  # 20.9 d; buried -> day 3
    ("conv-size", 2, "2026-02-28T10:00", "2026-03-03T10:00", 1, None),  # suspended: not in the forecast
    ("gone-card", 2, "2026-02-28T10:00", "2026-03-03T10:00", 0, None),  # no such card in the deck: not counted
]


def _at(text: str) -> datetime:
    return clock.from_text(text + ":00.000+00:00")


def _review(deck: str, key: str, at: str, rating: int, queue: str, duration: int | None) -> ReviewLog:
    # stats reads neither state; the one after is a plausible one (reviewed then, due a day later)
    after = SchedulingState(State.Review, None, 5.0, 5.0, _at(at) + timedelta(days=1), _at(at))
    return ReviewLog(deck, key, Rating(rating), queue, _at(at), duration, None, after)


@pytest.fixture
def history(isolated_home, all_types_deck):
    (isolated_home / "decks").mkdir(parents=True)
    shutil.copy(all_types_deck, isolated_home / "decks" / "sample.yaml")
    store = open_store()
    repository = ProgressRepository(store)
    with store.transaction():
        repository.add_reviews(
            _review("sample", key, at, rating, queue, duration) for key, at, rating, queue, duration in HISTORY
        )
        # another deck's answer (a deck since deleted): part of the whole history, not of `stats sample`
        repository.add_review(_review("old-deck", "x", "2026-03-02T06:00", 3, "review", 1000))
        repository.save_card_states(
            CardState(
                "sample",
                key,
                State(state),
                0,
                5.0,
                5.0,
                _at(due),
                _at(last),
                bool(suspended),
                _at(buried) if buried else None,
            )
            for key, state, last, due, suspended, buried in STATES
        )
    store.set_setting("desired-retention", "0.85")
    now = clock.now()
    repository.add_exercise_attempt(ExerciseAttempt("relu", now, "failed", 3, 9, 0, "relu_grad wrong at 0"))
    repository.add_exercise_attempt(ExerciseAttempt("relu", now, "passed", 9, 9, 1))
    repository.add_exercise_attempt(ExerciseAttempt("gap", now, "error", 0, 6, 0, "SyntaxError"))
    yield store
    store.close()


def compute(store, deck=None):
    loaded = library.load([deck] if deck else None)
    return stats.compute(store, loaded.decks, deck=deck)


def test_cards_by_state_per_deck_and_tag(history):
    result = compute(history, "sample")
    counts = {"total": 7, "new": 1, "learning": 2, "review": 3, "suspended": 1, "mature": 2}
    assert result.cards.as_json() == counts
    assert result.by_deck["sample"].as_json() == counts
    assert result.by_tag["activation"].as_json() == {
        "total": 2,
        "new": 0,
        "learning": 0,
        "review": 2,
        "suspended": 0,
        "mature": 2,
    }
    assert result.by_tag["normalization"].as_json() == {
        "total": 3,
        "new": 1,
        "learning": 2,
        "review": 0,
        "suspended": 0,
        "mature": 0,
    }
    assert result.by_tag["pooling"].as_json() == {
        "total": 1,
        "new": 0,
        "learning": 0,
        "review": 1,
        "suspended": 0,
        "mature": 0,
    }
    assert result.by_tag["cnn"].as_json() == {
        "total": 1,
        "new": 0,
        "learning": 0,
        "review": 0,
        "suspended": 1,
        "mature": 0,
    }
    assert list(result.by_tag) == sorted(result.by_tag)


def test_all_decks_add_the_built_in_deck_and_the_whole_history(history):
    builtin = [deck for deck in library.load().decks if deck.id != "sample"]
    extra = sum(len(deck.items()) for deck in builtin)
    result = compute(history)
    assert result.cards.total == 7 + extra and result.cards.new == 1 + extra
    assert set(result.by_deck) == {"sample", *(deck.id for deck in builtin)}
    assert result.total_reviews == len(HISTORY) + 1  # the deleted deck's answer counts in the whole history
    assert compute(history, "sample").total_reviews == len(HISTORY)


def test_reviews_per_study_day_and_streak(history):
    result = compute(history, "sample")
    per_day = {when.isoformat(): day.reviews for when, day in result.days.items()}
    assert per_day == {
        "2026-03-02": 2,
        "2026-03-01": 2,
        "2026-02-28": 1,
        "2026-02-26": 1,
        "2026-02-20": 1,
        "2026-01-10": 1,
    }
    assert result.today == date(2026, 3, 2)
    assert result.reviews_in("today") == 2
    assert result.streak == 3  # 03-02, 03-01, 02-28


def test_streak_counts_from_yesterday_until_today_has_answers(history, monkeypatch):
    monkeypatch.setenv("DLQUIZ_NOW", "2026-03-03T10:00:00+00:00")
    assert compute(history, "sample").streak == 3
    monkeypatch.setenv("DLQUIZ_NOW", "2026-03-04T10:00:00+00:00")
    assert compute(history, "sample").streak == 0


def test_day_start_setting_moves_answers_between_days(history):
    history.set_setting("day-starts-at", "2")
    result = compute(history, "sample")
    assert result.days[date(2026, 3, 2)].reviews == 3  # 03:00 is now after the day's start
    assert result.streak == 3


def test_true_retention_counts_review_queue_answers_only(history):
    result = compute(history, "sample")
    assert (result.retention("7d").answers, result.retention("7d").correct) == (3, 2)
    assert (result.retention("30d").answers, result.retention("30d").correct) == (4, 3)
    assert (result.retention("all").answers, result.retention("all").correct) == (5, 3)
    assert result.retention("all").rate == pytest.approx(0.6)
    assert result.desired_retention == 0.85


def test_time_studying_sums_logged_durations(history):
    result = compute(history, "sample")
    assert result.time_ms("today") == 30_000
    assert result.time_ms("7d") == 47_000  # + 03-01 (10 s) + 02-28 (7 s); 02-26 has no duration
    assert result.time_ms("30d") == 51_000
    assert result.time_ms("all") == 111_000


def test_forecast_of_the_next_14_days(history):
    result = compute(history, "sample")
    assert [when.isoformat() for when, _n in result.forecast[:2]] == ["2026-03-02", "2026-03-03"]
    assert len(result.forecast) == 14
    due = {i: n for i, (_when, n) in enumerate(result.forecast) if n}
    # day 0: c1 due today and c2 overdue; day 3: gap-params (due 03-04, buried until 03-05 04:00); day 11: reverse
    assert due == {0: 2, 3: 1, 11: 1}


def test_exercises_passed_attempted_new(history):
    result = compute(history)
    catalog = [exercise.id for exercise in list_exercises()]
    assert [line.id for line in result.exercises] == catalog
    by_id = {line.id: line for line in result.exercises}
    assert (by_id["relu"].status, by_id["relu"].attempts, by_id["relu"].last.status) == ("passed", 2, "passed")
    assert (by_id["gap"].status, by_id["gap"].attempts, by_id["gap"].last.summary) == ("attempted", 1, "SyntaxError")
    assert result.exercise_counts() == {"passed": 1, "attempted": 1, "new": len(catalog) - 2}
    # a named deck shows only the exercises its cards link to (the sample deck links none)
    assert compute(history, "sample").exercises == []


def test_json_output(history):
    result = runner.invoke(app, ["stats", "sample", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {
        "format",
        "now",
        "today",
        "deck",
        "decks",
        "cards",
        "by_deck",
        "by_tag",
        "reviews",
        "retention",
        "forecast",
        "time_ms",
        "exercises",
    }
    assert data["deck"] == "sample" and data["decks"] == [{"id": "sample", "title": "Sample"}]
    assert data["cards"] == {"total": 7, "new": 1, "learning": 2, "review": 3, "suspended": 1, "mature": 2}
    assert data["reviews"] == {
        "total": 8,
        "today": 2,
        "days_studied": 6,
        "streak_days": 3,
        "per_day": {
            "2026-01-10": 1,
            "2026-02-20": 1,
            "2026-02-26": 1,
            "2026-02-28": 1,
            "2026-03-01": 2,
            "2026-03-02": 2,
        },
    }
    assert data["retention"] == {
        "desired": 0.85,
        "7d": {"answers": 3, "correct": 2, "rate": 0.6667},
        "30d": {"answers": 4, "correct": 3, "rate": 0.75},
        "all": {"answers": 5, "correct": 3, "rate": 0.6},
    }
    assert data["time_ms"] == {"today": 30_000, "7d": 47_000, "30d": 51_000, "all": 111_000}
    assert [day["due"] for day in data["forecast"]] == [2, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]
    no_answers = {"answers": 0, "correct": 0, "rate": None}
    assert {key: value for key, value in data["exercises"].items() if key != "forecast"} == {
        "passed": 0,
        "attempted": 0,
        "new": 0,
        "due": 0,
        "problem": None,
        "items": [],
        "retention": {"7d": no_answers, "30d": no_answers, "all": no_answers},
    }
    assert [day["due"] for day in data["exercises"]["forecast"]] == [0] * 14
    everything = json.loads(runner.invoke(app, ["stats", "--json"]).stdout)
    relu = next(item for item in everything["exercises"]["items"] if item["id"] == "relu")
    assert relu["status"] == "passed" and relu["attempts"] == 2
    assert relu["last"] == {
        "at": "2026-03-02T09:00:00.000+00:00",
        "status": "passed",
        "cases_passed": 9,
        "cases_total": 9,
        "summary": "",
    }


def test_screen_fits_60_columns_without_colour(history):
    console = Console(file=io.StringIO(), width=60, color_system=None)
    render(compute(history), console, "en")
    screen = console.file.getvalue()
    assert max(len(line) for line in screen.splitlines()) <= 60
    assert "\x1b[" not in screen
    for expected in (
        "streak 3 day(s)",
        "9 reviews on 6 days",
        "desired retention: 85.0%",
        "transfer-learning",
        "Mon 03-02",
        "Sun 03-15",
        "relu",
        "✓ 9/9 · 2026-03-02",
        "1m 52s",
    ):
        assert expected in screen, expected


def test_heatmap_cells():
    days = {
        date(2026, 3, 2): stats.Day(reviews=4),
        date(2026, 3, 1): stats.Day(reviews=1),
        date(2026, 2, 23): stats.Day(reviews=2),
    }
    console = Console(file=io.StringIO(), width=60, color_system=None)
    console.print(heatmap(days, date(2026, 3, 2)))
    rows = console.file.getvalue().splitlines()
    monday, tuesday, sunday = rows[1], rows[2], rows[7]
    assert monday.startswith("Mon ") and sunday.startswith("Sun ")
    # the last column is the week of today (Monday 03-02); the one before is the week of 02-23
    assert monday.rstrip()[-3:] == f"{LEVELS[2]} {LEVELS[4]}"  # 2 of 4 -> level 2, 4 of 4 -> the full block
    assert sunday.rstrip()[-1] == LEVELS[1]  # Sunday 03-01, one review, in the 02-23 week
    assert tuesday.rstrip()[-1] == LEVELS[0] and len(tuesday.rstrip()) == len(monday.rstrip()) - 2  # future: blank
    assert rows[-1].strip().startswith("less ·")


def test_forecast_bars_scale_to_the_busiest_day():
    console = Console(file=io.StringIO(), width=60, color_system=None)
    console.print(forecast_chart([(date(2026, 3, 2), 10), (date(2026, 3, 3), 5), (date(2026, 3, 4), 0)], 60))
    today, tomorrow, after = console.file.getvalue().splitlines()
    assert today.count("█") == 40 and today.endswith(" 10")
    assert tomorrow.count("█") == 20 and tomorrow.endswith(" 5")
    assert "█" not in after and after.endswith("· 0")


def test_no_reviews_yet_says_what_to_run(isolated_home):
    result = runner.invoke(app, ["stats"])
    assert result.exit_code == 0, result.output
    assert "No reviews yet" in result.output and "dlquiz study" in result.output
    data = json.loads(runner.invoke(app, ["stats", "--json"]).stdout)
    assert data["reviews"]["total"] == 0 and data["reviews"]["streak_days"] == 0
    assert data["retention"]["7d"] == {"answers": 0, "correct": 0, "rate": None}


def test_usage_errors_exit_2(isolated_home):
    assert runner.invoke(app, ["stats", "no-such-deck"]).exit_code == 2
    assert runner.invoke(app, ["stats", "--lang", "fr"]).exit_code == 2


def test_a_broken_deck_is_a_warning_not_a_failure(history, isolated_home):
    (isolated_home / "decks" / "bad.yaml").write_text("format: 1\nid: bad\ntitle: Bad\ncards: []\n", encoding="utf-8")
    result = runner.invoke(app, ["stats", "--json"])
    assert result.exit_code == 0
    assert "failed to load" in result.stderr and "dlquiz doctor" in result.stderr
    assert json.loads(result.stdout)["by_deck"]["sample"]["total"] == 7
