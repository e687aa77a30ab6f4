"""Scheduling through py-fsrs with a fixed clock, the Anki-like queue, limits, undo, suspend and bury."""

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from fsrs import Card, Rating, Scheduler, State

from dlquiz.cards.deck import load_deck
from dlquiz.review import clock
from dlquiz.review.day import day_bounds
from dlquiz.review.repository import ProgressRepository
from dlquiz.review.session import StudySession
from dlquiz.review.store import open_store


@pytest.fixture
def store():
    s = open_store()
    s.set_setting("fuzz", "off")
    yield s
    s.close()


def session_for(store, deck_path, **kwargs):
    return StudySession(store, load_deck(deck_path).items(), "en", **kwargs)


def set_now(monkeypatch, moment: datetime) -> None:
    monkeypatch.setenv("DLQUIZ_NOW", moment.isoformat())


START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def test_answers_follow_py_fsrs_exactly(store, all_types_deck, monkeypatch):
    """Our stored intervals are py-fsrs's own: replay the same ratings through a bare Scheduler."""
    set_now(monkeypatch, START)
    session = session_for(store, all_types_deck)
    reference = Scheduler(enable_fuzzing=False)
    ref_card = Card(card_id=1, due=START)
    now = START
    for rating in (Rating.Good, Rating.Good, Rating.Good, Rating.Again, Rating.Good, Rating.Easy):
        turn = session.next_turn()
        # jump to the moment this card is due, as a learner coming back would
        while turn is None or turn.item.key != "relu-basic":
            if turn is None:
                now = ref_card.due
                set_now(monkeypatch, now)
                turn = session.next_turn()
                continue
            session.bury(turn)
            turn = session.next_turn()
        ref_card, _log = reference.review_card(ref_card, rating, review_datetime=now)
        session.answer(turn, rating, duration_ms=1000)
        stored = session.repository.card_state("sample", "relu-basic")
        assert clock.to_text(stored.due) == ref_card.due.isoformat(timespec="milliseconds")
        assert stored.state == int(ref_card.state)
        assert stored.stability == pytest.approx(ref_card.stability)
        assert stored.difficulty == pytest.approx(ref_card.difficulty)
        now = ref_card.due
        set_now(monkeypatch, now)
        # unbury everything for the next round
        repository = ProgressRepository(store)
        repository.save_card_states(replace(state, buried_until=None) for state in repository.card_states().values())
        session.states = session.repository.card_states(["sample"])
    assert ref_card.state == State.Review


def test_queue_order_learning_then_review_then_new(store, all_types_deck, monkeypatch):
    set_now(monkeypatch, START)
    session = session_for(store, all_types_deck)
    first = session.next_turn()
    assert first.queue == "new" and first.item.key == "relu-basic"
    session.answer(first, Rating.Easy, 500)  # graduates to review at once
    second = session.next_turn()
    session.answer(second, Rating.Again, 500)  # stays in learning, due in 1 minute
    # a minute later the learning card comes before new cards
    set_now(monkeypatch, START + timedelta(minutes=2))
    assert session.next_turn().item.key == second.item.key
    # days later, the review comes before new cards, and the learning card before the review
    set_now(monkeypatch, START + timedelta(days=30))
    turn = session.next_turn()
    assert turn.queue == "learning"
    session.answer(turn, Rating.Easy, 500)
    turn = session.next_turn()
    assert (turn.queue, turn.item.key) == ("review", "relu-basic")


def test_counts_and_daily_new_limit(store, all_types_deck, monkeypatch):
    set_now(monkeypatch, START)
    store.set_setting("new-per-day", "3")
    session = session_for(store, all_types_deck)
    assert (session.counts().new, session.counts().learning, session.counts().review) == (3, 0, 0)
    shown = []
    for _ in range(3):
        turn = session.next_turn()
        shown.append(turn.item.key)
        session.answer(turn, Rating.Easy, 100)
    assert session.next_turn() is None, "the fourth new card must wait for tomorrow"
    # the next study day (starting 04:00 local) brings new cards again
    set_now(monkeypatch, START + timedelta(days=1))
    assert session.counts().new == 3
    assert session.next_turn().item.key not in shown


def test_review_limit(store, all_types_deck, monkeypatch):
    store.set_setting("bury-siblings", "off")  # all 7 cards on day one, so all 7 are reviews later
    set_now(monkeypatch, START)
    session = session_for(store, all_types_deck)
    for _ in range(7):
        session.answer(session.next_turn(), Rating.Easy, 100)
    store.set_setting("reviews-per-day", "2")
    set_now(monkeypatch, START + timedelta(days=60))
    session = session_for(store, all_types_deck)
    assert session.counts().review == 2
    for _ in range(2):
        session.answer(session.next_turn(), Rating.Good, 100)
    assert session.next_turn() is None


def test_session_limit(store, all_types_deck, monkeypatch):
    session = session_for(store, all_types_deck, limit=2)
    session.answer(session.next_turn(), Rating.Easy, 100)
    session.answer(session.next_turn(), Rating.Easy, 100)
    assert session.next_turn() is None


def test_undo_restores_state_and_log(store, all_types_deck):
    session = session_for(store, all_types_deck)
    turn = session.next_turn()
    session.answer(turn, Rating.Good, 100)
    assert ProgressRepository(store).review_count() == 1
    assert session.summary.reviewed == 1
    undone = session.undo()
    assert undone.item.key == turn.item.key
    assert ProgressRepository(store).review_count() == 0
    assert session.repository.card_state("sample", turn.item.key) is None
    assert session.summary.reviewed == 0
    assert session.next_turn().item.key == turn.item.key, "the undone card comes back first"
    assert session.undo() is None


def test_suspend_and_bury(store, all_types_deck, monkeypatch):
    set_now(monkeypatch, START)
    session = session_for(store, all_types_deck)
    first = session.next_turn()
    session.suspend(first)
    second = session.next_turn()
    assert second.item.key != first.item.key
    session.bury(second)
    third = session.next_turn()
    assert third.item.key not in (first.item.key, second.item.key)
    # tomorrow the buried card is back, the suspended one is not
    set_now(monkeypatch, START + timedelta(days=1))
    fresh = session_for(store, all_types_deck)
    keys = []
    while (turn := fresh.next_turn()) is not None:
        keys.append(turn.item.key)
        fresh.answer(turn, Rating.Easy, 1)
    assert second.item.key in keys and first.item.key not in keys


def test_undo_of_suspend_and_bury(store, all_types_deck):
    session = session_for(store, all_types_deck)
    first = session.next_turn()
    session.suspend(first)
    second = session.next_turn()
    session.bury(second)
    assert session.undo().action == "bury"
    assert session.next_turn().item.key == second.item.key
    assert session.undo().action == "suspend"
    assert session.repository.card_state("sample", first.item.key) is None  # new and not suspended again
    assert session.next_turn().item.key == first.item.key


def test_day_bounds_respect_local_day_start(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    start, end = day_bounds(datetime(2026, 3, 2, 19, 0, tzinfo=timezone.utc), 4)  # 03:00 next day in Shanghai
    assert start == datetime(2026, 3, 1, 20, 0, tzinfo=timezone.utc)  # 04:00 Shanghai on 2 March
    assert end - start == timedelta(days=1)
