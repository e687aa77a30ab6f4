"""The progress repository: typed rows in and out, each write one transaction, and damaged rows reported clearly."""

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from fsrs import Card, Rating, Scheduler, State
from typer.testing import CliRunner

from dlquiz.cli.app import app
from dlquiz.errors import DlquizError
from dlquiz.review import repository as repository_module
from dlquiz.review.day import queue_of
from dlquiz.review.records import CardState, ExerciseAttempt, ReviewLog, SchedulingState
from dlquiz.review.repository import ProgressRepository
from dlquiz.review.store import open_store

runner = CliRunner()
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def store():
    opened = open_store()
    yield opened
    opened.close()


def first_answer(deck="d", card="c", rating=Rating.Good, at=T0) -> ReviewLog:
    after, _log = Scheduler(enable_fuzzing=False).review_card(Card(card_id=0, due=at), rating, review_datetime=at)
    return ReviewLog(deck, card, rating, "new", at, 1200, None, SchedulingState.from_card(after))


def test_records_survive_their_dict_and_the_database_unchanged(store):
    review = first_answer()
    state = CardState.scheduled("d", "卷积", review.state_after, suspended=True, buried_until=T0 + timedelta(hours=3))
    attempt = ExerciseAttempt("relu", T0, "failed", 2, 5, 1, "case 3: wrong sign")
    assert ReviewLog.from_dict(review.to_dict()) == review
    assert CardState.from_dict(state.to_dict()) == state
    assert ExerciseAttempt.from_dict(attempt.to_dict()) == attempt
    assert SchedulingState.from_card(review.state_after.to_card()) == review.state_after

    repository = ProgressRepository(store)
    saved = repository.record_answer(review)
    repository.save_card_state(state)
    repository.add_exercise_attempt(attempt)
    assert saved.id is not None and repository.reviews("d", "c") == [saved]
    assert repository.card_state("d", "卷积") == state
    assert repository.exercise_attempts("relu") == [attempt]
    assert set(repository.card_states(["d"])) == {("d", "c"), ("d", "卷积")}
    assert repository.card_states(["other"]) == {}


def test_an_answer_keeps_the_suspension_and_ends_the_burial(store):
    repository = ProgressRepository(store)
    repository.set_suspended("d", "c", True, T0)
    repository.bury("d", "c", T0 + timedelta(days=1), T0)
    new = repository.card_state("d", "c")
    assert new.last_review is None and new.suspended and new.buried_until == T0 + timedelta(days=1)
    review = first_answer()
    repository.record_answer(review)
    answered = repository.card_state("d", "c")
    assert answered.schedule == review.state_after
    assert answered.suspended and answered.buried_until is None


def test_an_answer_is_saved_whole_or_not_at_all(store, monkeypatch):
    repository = ProgressRepository(store)
    repository.record_answer(first_answer())
    before = repository.card_state("d", "c")
    # the review-log insert fails after the card state was written in the same transaction
    monkeypatch.setattr(repository_module, "_ADD_REVIEW", "INSERT INTO no_such_table VALUES (1)")
    later = first_answer(rating=Rating.Easy, at=T0 + timedelta(minutes=10))
    with pytest.raises(DlquizError):
        repository.record_answer(later)
    assert repository.card_state("d", "c") == before
    assert repository.review_count() == 1


def test_writes_inside_a_transaction_join_it_and_roll_back_with_it(store):
    repository = ProgressRepository(store)
    with pytest.raises(RuntimeError), store.transaction():
        repository.record_answer(first_answer())
        repository.set_hints_shown("relu", 2)
        store.set_setting("new-per-day", "5")
        raise RuntimeError("interrupted")
    assert (repository.review_count(), repository.card_state_count(), repository.hints_shown("relu")) == (0, 0, 0)
    assert store.settings() == {}


def test_undo_puts_the_card_and_the_log_back(store):
    repository = ProgressRepository(store)
    saved = repository.record_answer(first_answer())
    repository.restore("d", "c", None, drop_log_id=saved.id)
    assert repository.card_state("d", "c") is None and repository.review_count() == 0


def test_answered_since_counts_new_cards_once_and_reviews(store):
    repository = ProgressRepository(store)
    repository.record_answer(first_answer(card="a", rating=Rating.Again))
    repository.record_answer(first_answer(card="a", at=T0 + timedelta(minutes=1)))  # the same new card again
    review = first_answer(card="b")
    repository.add_review(ReviewLog("d", "b", Rating.Good, "review", T0, 900, review.state_after, review.state_after))
    assert repository.answered_since(T0) == (1, 1)
    assert repository.answered_since(T0 + timedelta(seconds=30)) == (1, 0)


def hand_edit(home, statement):
    """What another program might do to the file: not something dlquiz itself can write."""
    connection = sqlite3.connect(home / "progress.sqlite3")
    connection.execute(statement)
    connection.commit()
    connection.close()


def test_an_unreadable_card_state_is_one_clear_message(isolated_home, all_types_deck, store):
    ProgressRepository(store).record_answer(first_answer("sample", "relu-basic"))
    hand_edit(isolated_home, "UPDATE card_state SET due = 'next tuesday'")
    with pytest.raises(DlquizError, match="unreadable card state .*deck sample, card relu-basic"):
        ProgressRepository(store).card_states()
    result = runner.invoke(app, ["study", str(all_types_deck)], input="q\n")
    assert result.exit_code == 1
    assert "unreadable card state" in result.output and "Restore a backup" in result.output
    assert "Traceback" not in result.output


def test_an_unreadable_review_names_its_row(isolated_home, store):
    ProgressRepository(store).record_answer(first_answer())
    hand_edit(isolated_home, "UPDATE review_log SET state_after = '{\"state\": 9}'")
    with pytest.raises(DlquizError, match="unreadable review-log row .*id 1"):
        ProgressRepository(store).reviews("d", "c")
    # A backup is what rescues the other rows: it skips this one and names it, instead of failing whole.
    result = runner.invoke(app, ["progress", "export", "-o", "-"])
    assert result.exit_code == 0 and "skipped 1 unreadable row(s)" in result.output
    assert "unreadable review-log row" in result.output and '"type":"review"' not in result.output


def test_records_keep_the_scheduler_s_state(store):
    """A card read back is the card py-fsrs would go on scheduling: no field lost or rounded beyond milliseconds."""
    scheduler = Scheduler(enable_fuzzing=False)
    card, now = Card(card_id=0, due=T0), T0
    repository = ProgressRepository(store)
    for rating in (Rating.Good, Rating.Good, Rating.Again, Rating.Good):
        before = repository.card_state("d", "c")
        card, _log = scheduler.review_card(card if before is None else before.schedule.to_card(), rating, now)
        schedule_before = None if before is None else before.schedule
        repository.record_answer(
            ReviewLog("d", "c", rating, queue_of(before), now, 1, schedule_before, SchedulingState.from_card(card))
        )
        now = card.due
    stored = repository.card_state("d", "c")
    assert stored.state == card.state == State.Review
    assert (stored.step, stored.stability, stored.difficulty) == (card.step, card.stability, card.difficulty)
    assert stored.due == card.due and stored.last_review == card.last_review
