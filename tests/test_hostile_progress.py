"""Progress data can't crash or fool dlquiz: hostile progress files, damaged rows and pages, extreme clocks, a full,
read-only or locked database. Every case ends in one clear message and the right exit code, and nothing is lost."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fsrs import Rating
from typer.testing import CliRunner

from dlquiz.cli.app import app
from dlquiz.review import store as store_module
from dlquiz.review.records import ReviewLog, SchedulingState
from dlquiz.review.repository import ProgressRepository
from dlquiz.review.session import StudySession
from dlquiz.review.store import open_store

runner = CliRunner()
HOSTILE = Path(__file__).parent / "data" / "hostile_progress"
T0 = datetime(2026, 2, 20, 9, 0, tzinfo=timezone.utc)


def db_path(home: Path) -> Path:
    return home / "progress.sqlite3"


def clean(result, code: int = 1) -> str:
    output = " ".join(result.output.split())  # rich wraps long messages at the console's width
    assert result.exit_code == code, output
    assert "internal error" not in output and "Traceback" not in output, output
    return output


def a_review(card: str, at: datetime, stability: float = 3.0) -> ReviewLog:
    after = SchedulingState(2, None, stability, 5.0, at + timedelta(days=3), at)
    return ReviewLog("sample", card, Rating.Good, "new", at, 1200, None, after)


def saved_rows(home: Path) -> tuple[int, int]:
    store = open_store(db_path(home))
    try:
        repository = ProgressRepository(store)
        return repository.review_count(), repository.card_state_count()
    finally:
        store.close()


# -- progress import refuses out-of-range values with FILE:LINE ---------------------------------------------------

REJECTED = {
    "stability_nan.jsonl": "stability must be a finite number",
    "stability_infinity.jsonl": "stability must be a finite number",
    "stability_minus_infinity.jsonl": "stability must be a finite number",
    "stability_zero.jsonl": "stability must be a finite number in (0,",
    "stability_negative.jsonl": "stability must be a finite number in (0,",
    "state_after_stability_nan.jsonl": "stability must be a finite number",
    "difficulty_out_of_range.jsonl": "difficulty must be a finite number in [1, 10]",
    "answered_without_stability.jsonl": "an answered card needs a stability",
    "duration_negative.jsonl": "duration_ms must be a whole number from 0",
    "step_negative.jsonl": "step must be a whole number from 0",
    "attempt_count_negative.jsonl": "cases_passed must be a whole number from 0",
    "attempt_more_passed_than_total.jsonl": "cases_passed (4) is more than cases_total (3)",
    "hint_count_negative.jsonl": "hints_shown must be a whole number from 0",
    "attempt_status_unknown.jsonl": "status must be one of passed, failed, error",
    "integer_beyond_sqlite.jsonl": "duration_ms must be a whole number from 0 to 9223372036854775807",
    "hints_beyond_sqlite.jsonl": "hints_shown must be a whole number from 0 to 9223372036854775807",
    "time_before_year_1.jsonl": "outside years 1-9999",
    "time_after_year_9999.jsonl": "outside years 1-9999",
    "nested_too_deep.jsonl": "nested deeper than a progress record",
    "nested_extra_field.jsonl": "nested deeper than a progress record",
}


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_an_out_of_range_record_is_refused_by_line_and_nothing_is_imported(isolated_home, name):
    store = open_store()
    ProgressRepository(store).record_answer(a_review("relu-basic", T0))
    store.close()
    result = runner.invoke(app, ["progress", "import", str(HOSTILE / name)])
    output = clean(result)
    assert f"{HOSTILE / name}:2:" in output and REJECTED[name] in output, output
    assert "Nothing was imported" in output
    assert saved_rows(isolated_home) == (1, 1)


def test_a_header_nested_beyond_python_recursion_is_refused(isolated_home):
    name = HOSTILE / "header_nested_too_deep.jsonl"
    output = clean(runner.invoke(app, ["progress", "import", str(name)]))
    assert f"{name}:1: nested deeper" in output


def test_the_extreme_times_a_file_may_hold_still_study(isolated_home, all_types_deck, tmp_path):
    """Times inside years 1-9999 are accepted; a card last reviewed in year 1 and due in 9999 studies normally."""
    file = tmp_path / "extremes.jsonl"
    card = {
        "type": "card",
        "deck_id": "sample",
        "card_id": "relu-basic",
        "state": 2,
        "step": None,
        "stability": 1e9,
        "difficulty": 10,
        "due": "2026-01-01T00:00:00Z",
        "last_review": "0001-01-01T00:00:00Z",
        "suspended": 0,
        "buried_until": "9999-12-31T00:00:00Z",
    }
    other = {
        **card,
        "card_id": "relu-input",
        "stability": 0.001,
        "difficulty": 1,
        "buried_until": None,
        "last_review": "2026-01-01T00:00:00Z",
        "due": "9999-12-31T23:59:59Z",
    }
    file.write_text(open(HOSTILE / "stability_nan.jsonl").readline() + json.dumps(card) + "\n" + json.dumps(other))
    clean(runner.invoke(app, ["progress", "import", str(file)]), 0)
    clean(runner.invoke(app, ["study", str(all_types_deck), "-n", "3"], input="\n3\n" * 3 + "q\n"), 0)
    clean(runner.invoke(app, ["stats"]), 0)


# -- the same checks on what the database holds --------------------------------------------------------------------


def damage_row(home: Path, sql: str) -> None:
    db = sqlite3.connect(db_path(home))
    db.execute(sql)
    db.commit()
    db.close()


@pytest.mark.parametrize(
    "sql, message",
    [
        ("UPDATE card_state SET stability = -2.0", "stability must be a finite number"),
        ("UPDATE card_state SET stability = 9e999", "stability must be a finite number"),
        ("UPDATE card_state SET difficulty = 0.0", "difficulty must be"),
        ("UPDATE card_state SET state = 7", "state must be 1"),
        ("UPDATE card_state SET due = 'soon'", "Invalid isoformat"),
        ("UPDATE card_state SET due = '0001-01-01T00:00:00+05:00'", "outside years 1-9999"),
        ("UPDATE card_state SET step = -1", "step must be a whole number"),
    ],
)
def test_a_damaged_card_row_is_reported_by_every_command_and_skipped_by_export(
    isolated_home, all_types_deck, tmp_path, sql, message
):
    (isolated_home / "decks").mkdir(parents=True)
    (isolated_home / "decks" / "sample.yaml").write_bytes(all_types_deck.read_bytes())
    store = open_store()
    repository = ProgressRepository(store)
    repository.record_answer(a_review("relu-basic", T0))
    repository.record_answer(a_review("relu-input", T0))
    store.close()
    damage_row(isolated_home, sql + " WHERE card_id = 'relu-basic'")
    for command in (["study", str(all_types_deck)], ["decks"], ["stats", str(all_types_deck)]):
        output = clean(runner.invoke(app, command, input="q\n"))
        assert "unreadable card state (deck sample, card relu-basic" in output and message in output, output
    doctor = clean(runner.invoke(app, ["doctor", "--deck", str(all_types_deck)]))
    assert "1 progress row(s) hold values dlquiz cannot use" in doctor and message in doctor
    backup = tmp_path / "backup.jsonl"
    exported = clean(runner.invoke(app, ["progress", "export", "-o", str(backup)]), 0)
    assert "skipped 1 unreadable row(s)" in exported
    records = [json.loads(line) for line in backup.read_text().splitlines()[1:]]
    assert sorted((r["type"], r["card_id"]) for r in records) == [
        ("card", "relu-input"),
        ("review", "relu-basic"),
        ("review", "relu-input"),
    ]


def test_damaged_review_and_exercise_rows_are_reported(isolated_home, tmp_path):
    store = open_store()
    repository = ProgressRepository(store)
    repository.record_answer(a_review("relu-basic", T0))
    repository.record_exercise_attempt("relu", "passed", 3, 3, 0)
    repository.set_hints_shown("relu", 1)
    store.close()
    damage_row(isolated_home, "UPDATE review_log SET state_after = '{\"state\": 2}', duration_ms = -5")
    damage_row(isolated_home, "UPDATE exercise_attempt SET status = 'owned'")
    damage_row(isolated_home, "UPDATE exercise_hint SET hints_shown = -1")
    doctor = clean(runner.invoke(app, ["doctor"]))
    assert "3 progress row(s) hold values" in doctor
    assert "review-log row (id 1" in doctor and "status must be one of" in doctor and "hint count" in doctor
    output = clean(runner.invoke(app, ["exercise"]))
    assert "unreadable exercise attempt (id 1" in output
    backup = tmp_path / "backup.jsonl"
    clean(runner.invoke(app, ["progress", "export", "-o", str(backup)]), 1)  # hint_counts still refuses: reported


# -- DLQUIZ_NOW at the ends of time --------------------------------------------------------------------------------


@pytest.mark.parametrize("moment", ["0001-01-01", "0001-01-01T00:00:00+01:00", "9999-12-31", "9999-12-31T23:59:59Z"])
@pytest.mark.parametrize("command", [["study"], ["decks"], ["stats"], ["progress", "export", "-o", "-"]])
def test_dlquiz_now_at_the_ends_of_time_gets_a_clear_message(monkeypatch, moment, command):
    monkeypatch.setenv("DLQUIZ_NOW", moment)
    output = clean(runner.invoke(app, command, input="q\n"))
    assert "DLQUIZ_NOW=" in output and ("outside the times" in output or "not an ISO 8601" in output), output


# -- a full disk, a read-only file, a lock held by another dlquiz ----------------------------------------------------


class _FullAtCommit(sqlite3.Connection):
    """SQLite's behaviour on a full disk: COMMIT fails with SQLITE_FULL and the transaction is already rolled back."""

    def execute(self, sql, *args):  # type: ignore[override]
        if sql.strip().upper() == "COMMIT" and self.in_transaction and _FullAtCommit.full:
            super().execute("ROLLBACK")
            raise sqlite3.OperationalError("database or disk is full")
        return super().execute(sql, *args)

    full = True


@pytest.fixture
def full_disk(monkeypatch):
    real_connect = sqlite3.connect
    monkeypatch.setattr(
        store_module.sqlite3, "connect", lambda path, **kwargs: real_connect(path, factory=_FullAtCommit, **kwargs)
    )
    _FullAtCommit.full = True
    return _FullAtCommit


def test_a_full_disk_is_reported_as_a_full_disk_and_the_answer_as_not_recorded(
    isolated_home, all_types_deck, full_disk
):
    full_disk.full = False
    store = open_store()
    ProgressRepository(store).record_answer(a_review("relu-input", T0 - timedelta(days=30)))
    store.close()
    full_disk.full = True
    result = runner.invoke(app, ["study", str(all_types_deck)], input="\n3\n")
    output = clean(result)
    assert "This answer (Good) was NOT recorded" in output
    assert "the disk holding" in output and "is full" in output and "Free some space" in output
    assert "cannot rollback" not in output
    full_disk.full = False
    assert saved_rows(isolated_home) == (1, 1)
    config = clean(runner.invoke(app, ["config", "new-per-day", "5"]), 0)
    assert "new-per-day = 5" in config


def test_a_config_change_on_a_full_disk_says_so(isolated_home, full_disk):
    output = clean(runner.invoke(app, ["config", "new-per-day", "5"]))
    assert "is full" in output and "cannot rollback" not in output


def test_a_typed_answer_on_a_read_only_database_shows_the_verdict_and_says_it_was_not_recorded(
    isolated_home, all_types_deck, monkeypatch
):
    open_store().close()
    real_connect = sqlite3.connect
    monkeypatch.setattr(
        store_module.sqlite3, "connect", lambda path, **kwargs: real_connect(f"file:{path}?mode=ro", uri=True, **kwargs)
    )
    result = runner.invoke(app, ["study", str(all_types_deck), "--tag", "pooling"], input="zero\n\n")
    output = clean(result)
    assert "✓ Correct" in output and "This answer (Good) was NOT recorded" in output
    assert "read-only" in output


def hold_lock() -> sqlite3.Connection:
    holder = sqlite3.connect(db_path(Path(os.environ["DLQUIZ_HOME"])), isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    return holder


def test_a_lock_held_past_the_timeout_keeps_the_answer_and_retries_it(isolated_home, all_types_deck, monkeypatch):
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_S", 0.2)
    open_store().close()
    holder = hold_lock()
    releaser = threading.Timer(0.7, lambda: holder.execute("COMMIT"))  # the other dlquiz finishes meanwhile
    releaser.start()
    try:
        result = runner.invoke(app, ["study", str(all_types_deck), "-n", "1"], input="\n3\n\n\n\n")
    finally:
        releaser.join()
        holder.close()
    output = clean(result, 0)
    assert "locked by another dlquiz. Your answer is kept" in output
    assert "Saved (after waiting for the lock)" in output and "nothing was lost" not in output
    assert saved_rows(isolated_home) == (1, 1)


def test_a_lock_never_released_says_the_answer_was_not_recorded(isolated_home, all_types_deck, monkeypatch):
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_S", 0.1)
    open_store().close()
    holder = hold_lock()
    try:
        result = runner.invoke(app, ["study", str(all_types_deck)], input="\n3\n\nq\n")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    output = clean(result)
    assert "Your answer is kept" in output and "Still locked" in output
    assert "This answer (Good) was NOT recorded" in output and "nothing was lost" not in output
    assert "is busy" in output
    assert saved_rows(isolated_home) == (0, 0)


# -- two sessions on one deck -------------------------------------------------------------------------------------


def test_two_sessions_never_both_introduce_the_same_new_card(isolated_home, all_types_deck):
    from dlquiz.cards.deck import load_deck

    items = load_deck(all_types_deck).items()
    first_store, second_store = open_store(), open_store()
    first, second = StudySession(first_store, items, "en"), StudySession(second_store, items, "en")
    shown_first, shown_second = first.next_turn(), second.next_turn()
    assert shown_first and shown_second and shown_first.item.key == shown_second.item.key
    assert shown_second.queue == "new"
    first.answer(shown_first, Rating.Good, 1000)
    second.answer(shown_second, Rating.Good, 1000)  # shown from a stale copy: applied to the card as it is now
    reviews = list(ProgressRepository(first_store).reviews("sample", shown_first.item.key))
    assert [review.queue for review in reviews] == ["new", "learning"]
    assert reviews[1].state_before == reviews[0].state_after
    # A third session reading the card now sees it as it is, not new.
    third = StudySession(open_store(), items, "en")
    third.states.pop(("sample", shown_first.item.key), None)  # pretend its copy predates both answers
    assert third._turn(shown_first.item, datetime.now(timezone.utc)).queue != "new"
    first_store.close()
    second_store.close()


# -- damaged pages ------------------------------------------------------------------------------------------------


def many_reviews(count: int) -> None:
    store = open_store()
    repository = ProgressRepository(store)
    with store.transaction():
        repository.add_reviews(a_review(f"card-{n}", T0 + timedelta(minutes=n)) for n in range(count))
        for n in range(0, count, 50):
            repository.record_answer(a_review(f"card-{n}", T0 + timedelta(days=1, minutes=n)))
        repository.record_exercise_attempt("relu", "failed", 1, 3, 0)
    store.set_setting("new-per-day", "7")
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()


def page_size(path: Path) -> int:
    return int.from_bytes(path.read_bytes()[16:18], "big")


def test_garbage_over_every_page_but_the_header_gets_the_damaged_message_everywhere(
    isolated_home, all_types_deck, tmp_path
):
    many_reviews(300)
    path = db_path(isolated_home)
    data = bytearray(path.read_bytes())
    size = page_size(path)
    data[size:] = bytes((n * 37 + 11) % 251 for n in range(len(data) - size))
    path.write_bytes(bytes(data))
    for command in (
        ["decks"],
        ["study", str(all_types_deck)],
        ["stats"],
        ["config", "new-per-day", "3"],
        ["unsuspend"],
        ["exercise"],
        ["doctor"],
    ):
        output = clean(runner.invoke(app, command, input="q\n"))
        assert "damaged" in output and "progress export" in output, (command, output)
    backup = tmp_path / "salvaged.jsonl"
    output = clean(runner.invoke(app, ["progress", "export", "-o", str(backup)]), 0)
    assert "damaged: exported every row that could still be read" in output
    assert json.loads(backup.read_text().splitlines()[0])["dlquiz_progress"] == 1
    assert path.read_bytes() == bytes(data), "the damaged file is left as it was"


def test_doctors_advice_salvages_every_readable_review(isolated_home, tmp_path, monkeypatch):
    many_reviews(2000)
    path = db_path(isolated_home)
    db = sqlite3.connect(path)
    leaves = db.execute(
        "SELECT pageno, ncell FROM dbstat WHERE name = 'review_log' AND pagetype = 'leaf' ORDER BY pageno"
    ).fetchall()
    total = db.execute("SELECT COUNT(*) FROM review_log").fetchone()[0]
    db.close()
    damaged = leaves[3:6]  # three leaf pages in the middle of the log
    data = bytearray(path.read_bytes())
    size = page_size(path)
    for page, _cells in damaged:
        data[(page - 1) * size : page * size] = b"\xa5" * size
    path.write_bytes(bytes(data))

    doctor = clean(runner.invoke(app, ["doctor"]))
    assert "is damaged" in doctor and "progress export -o backup.jsonl" in doctor
    backup = tmp_path / "backup.jsonl"
    clean(runner.invoke(app, ["progress", "export", "-o", str(backup)]), 0)
    fresh = tmp_path / "fresh-home"
    monkeypatch.setenv("DLQUIZ_HOME", str(fresh))
    clean(runner.invoke(app, ["progress", "import", str(backup)]), 0)
    reviews, _cards = saved_rows(fresh)
    assert reviews == total - sum(cells for _page, cells in damaged)
    assert open_store().settings() == {"new-per-day": "7"}


# -- files left behind, DLQUIZ_HOME, CSV encodings ---------------------------------------------------------------


def test_a_killed_export_leaves_no_temporary_behind_after_the_next_run(isolated_home, tmp_path):
    many_reviews(20)
    target = tmp_path / "backup.jsonl"
    code = (
        "import os, sys; from dlquiz.review.store import open_store; from dlquiz.interop import backup\n"
        "class Die:\n  def write(self, text): os.kill(os.getpid(), 9)\n"
        "import dlquiz.interop.backup as b; b.write_export = lambda store, handle: os.kill(os.getpid(), 9)\n"
        f"b.export_to_file(open_store(), __import__('pathlib').Path({str(target)!r}))\n"
    )
    killed = subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    )
    assert killed.returncode == -9
    left = [p.name for p in tmp_path.iterdir() if p.name.startswith(".backup.jsonl.")]
    assert left, "the killed export left its temporary (what this test is about)"
    clean(runner.invoke(app, ["progress", "export", "-o", str(target)]), 0)
    assert sorted(p.name for p in tmp_path.iterdir() if "backup" in p.name) == ["backup.jsonl"]


def test_a_live_writers_temporary_is_left_alone(tmp_path):
    from dlquiz import fsutil

    live = tmp_path / f".backup.jsonl.{os.getppid()}-abcd1234.tmp"
    live.write_text("being written")
    with fsutil.atomic_write(tmp_path / "backup.jsonl") as handle:
        handle.write("x")
    assert live.exists()


def test_doctor_fails_when_dlquiz_home_is_a_file(isolated_home):
    isolated_home.parent.mkdir(parents=True, exist_ok=True)
    isolated_home.write_text("I am a file")
    output = clean(runner.invoke(app, ["doctor"]))
    assert "is a file, not a folder" in output and "DLQUIZ_HOME" in output
    output = clean(runner.invoke(app, ["config", "new-per-day", "5"]))
    assert "is a file, not a folder" in output
    assert isolated_home.read_text() == "I am a file"


def test_utf16_without_a_bom_is_refused_by_csv_import(tmp_path):
    source = tmp_path / "cards.csv"
    source.write_bytes("front,back\n什么是 ReLU,max(0, x)\n".encode("utf-16-le"))
    target = tmp_path / "cards.yaml"
    output = clean(runner.invoke(app, ["import", str(source), "-o", str(target)]))
    assert "is not UTF-8 text" in output and "UTF-16" in output and "CSV UTF-8" in output
    assert not target.exists()
