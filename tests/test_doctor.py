"""`dlquiz doctor`: each finding, what it says to do, its exit code, and --prune deleting card states only."""

import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest
from fsrs import Rating, State
from typer.testing import CliRunner

from dlquiz import paths
from dlquiz.cli.app import app
from dlquiz.review.records import CardState, ReviewLog, SchedulingState
from dlquiz.review.repository import ProgressRepository
from dlquiz.review.store import open_store

runner = CliRunner()
REVIEWED = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
SCHEDULE = SchedulingState(State.Review, None, 4.0, 5.0, datetime(2026, 3, 5, 9, 0, tzinfo=timezone.utc), REVIEWED)


def add_state(repository, deck_id, card_id):
    repository.save_card_state(CardState.scheduled(deck_id, card_id, SCHEDULE))


def add_review(repository, deck_id, card_id):
    repository.add_review(ReviewLog(deck_id, card_id, Rating.Good, "review", REVIEWED, None, None, SCHEDULE))


def counts(home: Path) -> tuple[int, int]:
    store = open_store(home / "progress.sqlite3")
    try:
        repository = ProgressRepository(store)
        return repository.card_state_count(), repository.review_count()
    finally:
        store.close()


@pytest.fixture
def sample_home(isolated_home, all_types_deck):
    (isolated_home / "decks").mkdir(parents=True)
    shutil.copy(all_types_deck, isolated_home / "decks" / "sample.yaml")
    return isolated_home


def test_healthy_without_a_database_creates_none(isolated_home):
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "no progress database yet" in result.output and "All good." in result.output
    assert not (isolated_home / "progress.sqlite3").exists()


def test_healthy_database(sample_home):
    store = open_store()
    with store.transaction():
        repository = ProgressRepository(store)
        add_state(repository, "sample", "relu-basic::reverse")
        add_review(repository, "sample", "relu-basic::reverse")
    store.close()
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "integrity ok" in result.output and "1 reviews, 1 card states" in result.output
    assert "2 deck(s) load" in result.output and "All good." in result.output


def test_a_damaged_file_gets_the_store_message_and_the_other_checks_still_run(isolated_home):
    isolated_home.mkdir(parents=True)
    garbage = b"not a database at all " * 200
    (isolated_home / "progress.sqlite3").write_bytes(garbage)
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 1
    assert "is damaged" in result.output and "left untouched" in result.output and "Move it aside" in result.output
    assert "deck(s) load" in result.output and "exercise(s) load" in result.output
    assert "Traceback" not in result.output
    assert (isolated_home / "progress.sqlite3").read_bytes() == garbage


def test_integrity_check_failures_are_listed(isolated_home):
    store = open_store()
    with store.transaction():
        repository = ProgressRepository(store)
        for n in range(15):
            add_review(repository, "dl-notes", f"card-{n}")
    store.close()
    # Point an index at another column behind SQLite's back: its entries no longer match the rows.
    db = sqlite3.connect(isolated_home / "progress.sqlite3")
    db.execute("PRAGMA writable_schema = ON")
    db.execute(
        "UPDATE sqlite_master SET sql = 'CREATE INDEX review_log_time ON review_log (card_id)' WHERE name = 'review_log_time'"
    )
    db.commit()
    db.close()
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 1
    assert "is damaged" in result.output and "missing from index review_log_time" in result.output
    assert "… and 5 more" in result.output and "REINDEX" in result.output


def test_orphaned_progress_is_counted_per_deck_and_pruned_only_after_confirmation(sample_home):
    store = open_store()
    with store.transaction():
        repository = ProgressRepository(store)
        add_state(repository, "sample", "relu-basic")  # a real card
        add_review(repository, "sample", "relu-basic")
        add_state(repository, "sample", "removed-card")  # cards no deck has any more
        add_review(repository, "sample", "removed-card")
        add_review(repository, "sample", "removed-card")
        add_state(repository, "gone-deck", "a")
        add_state(repository, "gone-deck", "b")
        add_review(repository, "gone-deck", "a")
    store.close()
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 1
    assert "3 card state(s) belong to no card of any deck" in result.output
    assert "gone-deck: 2 card state(s), 1 review(s)" in result.output
    assert "sample: 1 card state(s), 2 review(s)" in result.output
    assert "--prune" in result.output

    declined = runner.invoke(app, ["doctor", "--prune"], input="n\n")
    assert declined.exit_code == 1 and "Nothing deleted." in declined.output
    assert counts(sample_home) == (4, 4)

    pruned = runner.invoke(app, ["doctor", "--prune"], input="y\n")
    assert "deleted 3 orphaned card state row(s)" in pruned.output
    assert pruned.exit_code == 0, pruned.output  # what is left is history only: a note, not a problem
    assert counts(sample_home) == (1, 4)  # the review log is never deleted
    again = runner.invoke(app, ["doctor"])
    assert again.exit_code == 0 and "3 review-log row(s) of removed cards are kept" in again.output


def test_a_deck_studied_by_path_can_be_named(sample_home, tmp_path, all_types_deck):
    elsewhere = tmp_path / "mine.yaml"
    elsewhere.write_text(
        all_types_deck.read_text(encoding="utf-8").replace("id: sample", "id: mine", 1), encoding="utf-8"
    )
    store = open_store()
    with store.transaction():
        repository = ProgressRepository(store)
        add_state(repository, "mine", "gap-params")
    store.close()
    assert runner.invoke(app, ["doctor"]).exit_code == 1
    result = runner.invoke(app, ["doctor", "--deck", str(elsewhere)])
    assert result.exit_code == 0, result.output


def test_broken_decks_are_listed_and_hold_back_pruning(sample_home):
    (sample_home / "decks" / "broken.yaml").write_text(
        "format: 1\nid: broken\ntitle: Broken\ncards:\n  - id: a\n    type: basic\n    front: only a front\n",
        encoding="utf-8",
    )
    store = open_store()
    with store.transaction():
        repository = ProgressRepository(store)
        add_state(repository, "broken", "a")  # progress of the broken deck: not orphaned, only unreadable now
        add_state(repository, "sample", "removed-card")
    store.close()
    result = runner.invoke(app, ["doctor", "--prune"], input="y\n")
    assert result.exit_code == 1
    assert "1 deck file(s) failed to load" in result.output
    assert "broken.yaml:5:" in result.output and "dlquiz deck check" in result.output
    assert "deleted 1 orphaned card state row(s)" in result.output
    assert "Kept the card states of broken" in result.output
    assert counts(sample_home) == (1, 0)


def test_broken_exercise_folders_are_listed(isolated_home, tmp_path, monkeypatch):
    root = tmp_path / "exercises"
    shutil.copytree(paths.exercises_dir() / "relu", root / "relu")
    shutil.copytree(paths.exercises_dir() / "relu", root / "gap")  # its exercise.yaml still says id: relu
    monkeypatch.setattr(paths, "exercises_dir", lambda: root)
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 1
    assert "1 exercise folder(s) failed to load" in result.output
    assert "but the folder is named 'gap'" in result.output


def test_doctor_speaks_chinese_with_lang_zh_and_under_a_chinese_locale(sample_home, monkeypatch):
    store = open_store()
    with store.transaction():
        repository = ProgressRepository(store)
        add_state(repository, "sample", "relu-basic")
        add_state(repository, "gone-deck", "a")
        add_review(repository, "gone-deck", "a")
    store.close()
    result = runner.invoke(app, ["doctor", "--lang", "zh"])
    assert result.exit_code == 1
    assert "1 条卡片状态不属于任何卡组中的卡片" in result.output
    assert "gone-deck：1 条卡片状态，1 次复习" in result.output and "dlquiz doctor --prune" in result.output
    assert "2 个卡组加载正常" in result.output and "card state" not in result.output

    pruned = runner.invoke(app, ["doctor", "--prune", "--lang", "zh"], input="y\n")
    assert "删除 gone-deck 的 1 条孤立卡片状态？复习记录会保留。" in pruned.output
    assert "已删除 1 条孤立卡片状态" in pruned.output and "一切正常。" in pruned.output
    assert pruned.exit_code == 0 and counts(sample_home) == (1, 1)

    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    by_locale = runner.invoke(app, ["doctor"])
    assert by_locale.exit_code == 0 and "完整性正常" in by_locale.output and "一切正常。" in by_locale.output
    english = runner.invoke(app, ["doctor", "--lang", "en"])
    assert "integrity ok" in english.output and "All good." in english.output


def test_doctor_in_chinese_names_a_broken_deck_and_what_to_do(sample_home):
    (sample_home / "decks" / "broken.yaml").write_text("id: broken\ncards: [\n", encoding="utf-8")
    result = runner.invoke(app, ["doctor", "--lang", "zh"])
    assert result.exit_code == 1
    assert "1 个卡组文件加载失败" in result.output and "broken.yaml" in result.output
    assert "dlquiz deck check FILE" in result.output
