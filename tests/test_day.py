"""The study day and today's queue (``review.day``): day boundaries, where each card stands, the daily limits."""

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pytest
from fsrs import Rating, State

from dlquiz.review.day import (
    BURIED,
    LATER,
    LEARNING,
    NEW,
    REVIEW,
    SUSPENDED,
    Allowance,
    Queues,
    StudyDay,
    kind_of,
    place_of,
    queue_of,
    shown_from,
)
from dlquiz.review.records import CardState, ReviewLog, SchedulingState
from dlquiz.review.repository import ProgressRepository
from dlquiz.review.settings import StudySettings
from dlquiz.review.store import open_store

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
TODAY = StudyDay.containing(NOW, 4)  # 2026-03-02 04:00 UTC to 2026-03-03 04:00 UTC (the tests run in UTC)


def card(state=State.Review, due=NOW, answered=True, suspended=False, buried_until=None, key="c") -> CardState:
    last = NOW - timedelta(days=3) if answered else None
    return CardState("d", key, state, None, 3.0, 5.0, due, last, suspended, buried_until)


@dataclass(frozen=True)
class Item:
    deck_id: str
    key: str


@pytest.fixture
def shanghai(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()


def test_a_study_day_starts_at_the_local_hour(shanghai):
    late = StudyDay.containing(datetime(2026, 3, 2, 19, 0, tzinfo=timezone.utc), 4)  # 03:00 on 3 March in Shanghai
    assert late.start == datetime(2026, 3, 1, 20, 0, tzinfo=timezone.utc)  # 04:00 on 2 March in Shanghai
    assert late.end - late.start == timedelta(days=1)
    assert late.local_date == date(2026, 3, 2)
    # an instant plus the shift has its study day as date: 03:00 Shanghai (19:00 UTC) still counts for 2 March
    assert (datetime(2026, 3, 2, 19, 0) + late.date_shift).date() == date(2026, 3, 2)
    assert (datetime(2026, 3, 2, 20, 0) + late.date_shift).date() == date(2026, 3, 3)


def test_where_a_card_stands_today():
    assert place_of(None, TODAY, NOW) == NEW
    assert place_of(card(answered=False, suspended=True), TODAY, NOW) == SUSPENDED
    assert place_of(card(answered=False, buried_until=TODAY.end), TODAY, NOW) == BURIED
    assert place_of(card(answered=False, buried_until=NOW - timedelta(hours=1)), TODAY, NOW) == NEW  # burial over
    assert place_of(card(due=TODAY.end - timedelta(minutes=1)), TODAY, NOW) == REVIEW  # due later today
    assert place_of(card(due=TODAY.end), TODAY, NOW) == LATER
    assert place_of(card(State.Relearning, due=NOW), TODAY, NOW) == LEARNING
    assert place_of(card(State.Learning, due=NOW, buried_until=TODAY.end), TODAY, NOW) == BURIED


def test_kinds_count_buried_cards_by_their_state():
    assert [kind_of(None), kind_of(card(State.Relearning)), kind_of(card(buried_until=TODAY.end))] == [
        NEW,
        LEARNING,
        REVIEW,
    ]
    assert kind_of(card(suspended=True)) == SUSPENDED
    assert queue_of(card(State.Relearning)) == "relearning" and queue_of(card(answered=False)) == NEW
    assert shown_from(card(due=NOW, buried_until=TODAY.end)) == TODAY.end
    assert shown_from(card(due=NOW + timedelta(days=5), buried_until=TODAY.end)) == NOW + timedelta(days=5)


def test_queues_sort_due_cards_soonest_first_and_the_limits_cap_them():
    states = {
        ("d", "late"): card(due=NOW + timedelta(hours=2), key="late"),
        ("d", "early"): card(due=NOW - timedelta(days=2), key="early"),
        ("d", "learn"): card(State.Learning, due=NOW + timedelta(minutes=5), key="learn"),
        ("d", "hidden"): card(buried_until=TODAY.end, key="hidden"),
        ("d", "off"): card(suspended=True, key="off"),
        ("d", "future"): card(due=NOW + timedelta(days=9), key="future"),
    }
    items = [Item("d", key) for key in ("late", "early", "learn", "hidden", "off", "future", "n1", "n2", "n3")]
    queues = Queues.build(items, states, TODAY, NOW)
    assert [item.key for _due, item in queues.review] == ["early", "late"]
    assert [item.key for _due, item in queues.learning] == ["learn"]
    assert [item.key for item in queues.new] == ["n1", "n2", "n3"]
    assert (queues.buried, queues.suspended, queues.later) == (1, 1, 1)
    counts = queues.counts(Allowance(new=2, reviews=1))
    assert (counts.new, counts.learning, counts.review) == (2, 1, 1)  # learning cards are never capped


def test_the_allowance_counts_what_was_done_since_the_day_began(isolated_home):
    store = open_store()
    repository = ProgressRepository(store)
    after = SchedulingState(State.Review, None, 3.0, 5.0, NOW + timedelta(days=3), NOW)
    yesterday = TODAY.start - timedelta(hours=1)
    for n, (at, queue) in enumerate([(NOW, "new"), (NOW, "review"), (NOW, "review"), (yesterday, "new")]):
        repository.add_review(ReviewLog("d", f"c{n}", Rating.Good, queue, at, 1000, None, after))
    store.set_setting("new-per-day", "1")
    store.set_setting("reviews-per-day", "5")
    allowance = Allowance.today(repository, StudySettings(store.settings()), TODAY)
    store.close()
    assert allowance == Allowance(new=0, reviews=3)  # yesterday's new card does not count; never below 0
