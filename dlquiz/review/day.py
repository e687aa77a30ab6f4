"""The study day and today's queue: which day it is, where each card stands today, and what the daily limits allow.

One module decides this for every screen, so `dlquiz study`'s header, `dlquiz decks` and `dlquiz stats` agree:

- a study day runs from the `day-starts-at` hour, local time, to the same hour the next day (as in Anki);
- a stored card is new (never answered), learning, review or relearning (``queue_of``); counted by state it is
  new, learning (relearning included), review or suspended (``kind_of``) — burying hides a card for today only,
  so a buried card keeps its kind;
- today a card is suspended, buried (until the next study day starts), new, learning or review when due before the
  day ends, or later (``place_of``);
- new-per-day and reviews-per-day cap what today's queue offers, counted from the review log inside today's bounds
  (``Allowance``; an answer written under a later clock is another day's); learning cards are never capped;
- siblings (the other cloze deletions or the other direction of one deck card) of a card answered today are buried
  until the next study day when they are new or review cards, as Anki does; learning siblings are not
  (``Siblings``, setting `bury-siblings`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Generic, Protocol, TypeVar

from fsrs import State

from dlquiz.review.records import CardState, Key, SchedulingState
from dlquiz.review.repository import ProgressRepository
from dlquiz.review.settings import StudySettings

# The queue an answer comes from (stored in the review log), and a card's place in today's queue.
NEW, LEARNING, REVIEW, RELEARNING = "new", "learning", "review", "relearning"
SUSPENDED, BURIED, LATER = "suspended", "buried", "later"

_QUEUE_OF_STATE = {State.Learning: LEARNING, State.Review: REVIEW, State.Relearning: RELEARNING}


def day_bounds(now: datetime, day_starts_at: int) -> tuple[datetime, datetime]:
    """The study day containing ``now`` in local time, as instants [start, end) in ``now``'s zone."""
    local = now.astimezone()
    start = local.replace(hour=day_starts_at, minute=0, second=0, microsecond=0)
    if local < start:
        start -= timedelta(days=1)
    return start.astimezone(now.tzinfo), (start + timedelta(days=1)).astimezone(now.tzinfo)


@dataclass(frozen=True)
class StudyDay:
    start: datetime
    end: datetime
    starts_at: int  # the `day-starts-at` hour

    @classmethod
    def containing(cls, now: datetime, starts_at: int) -> StudyDay:
        start, end = day_bounds(now, starts_at)
        return cls(start, end, starts_at)

    @classmethod
    def of(cls, settings: StudySettings, now: datetime) -> StudyDay:
        return cls.containing(now, settings["day-starts-at"])

    @property
    def local_date(self) -> date:
        """The local date on which this study day began (an answer at 03:00 with days starting at 04:00 belongs
        to the day before)."""
        return self.start.astimezone().date()

    def ends(self, days: int) -> list[datetime]:
        """The ends of this day and the ``days - 1`` days after it."""
        return [self.start + timedelta(days=n + 1) for n in range(days)]

    @property
    def date_shift(self) -> timedelta:
        """Added to a UTC instant, gives a time whose date is the instant's study day: the local UTC offset at this
        day's start (one fixed offset, the one ``day_bounds`` uses, so history agrees with the queue) less the
        day-start hour."""
        offset = self.start.astimezone().utcoffset() or timedelta(0)
        return offset - timedelta(hours=self.starts_at)


def queue_of(state: CardState | SchedulingState | None) -> str:
    """Which queue a stored card is answered from: new (never answered), learning, review or relearning."""
    if state is None or state.last_review is None:
        return NEW
    return _QUEUE_OF_STATE[State(state.state)]


def kind_of(state: CardState | None) -> str:
    """A card by state, for counting cards: suspended, new, learning (relearning included) or review."""
    if state is not None and state.suspended:
        return SUSPENDED
    queue = queue_of(state)
    return LEARNING if queue == RELEARNING else queue


def shown_from(state: CardState, day: StudyDay | None = None, sibling_answered: bool = False) -> datetime:
    """When an answered card is next shown: when it falls due, or when its burial ends if that is later (a review
    card whose sibling was answered on ``day`` waits for that day's end)."""
    shown = state.due
    if state.buried_until is not None and state.buried_until > shown:
        shown = state.buried_until
    if sibling_answered and day is not None and queue_of(state) == REVIEW and shown < day.end:
        shown = day.end
    return shown


def place_of(state: CardState | None, day: StudyDay, now: datetime, sibling_answered: bool = False) -> str:
    """Where a card stands in today's queue: suspended, buried, new, learning or review (due before the day ends),
    or later. ``sibling_answered``: a sibling was answered today, which buries a new or review card."""
    if state is not None and state.suspended:
        return SUSPENDED
    if state is not None and state.buried_until is not None and state.buried_until > now:
        return BURIED
    queue = queue_of(state)
    if queue == NEW:
        return BURIED if sibling_answered else NEW
    assert state is not None
    if state.due >= day.end:
        return LATER
    if queue == REVIEW:
        return BURIED if sibling_answered else REVIEW
    return LEARNING


def note_of(key: str) -> str:
    """The deck card a review item's key belongs to: ``relu-def::reverse`` and ``relu-def`` are one card's items.
    (A card id never holds ``::``: ids are lowercase letters, digits, ``-`` and ``_``.)"""
    return key.partition("::")[0]


@dataclass(frozen=True)
class Siblings:
    """Which review items were answered today, grouped by deck card, for sibling burying."""

    answered: Mapping[tuple[str, str], frozenset[str]] = field(default_factory=dict)  # (deck, card) -> keys

    @classmethod
    def today(cls, repository: ProgressRepository, settings: StudySettings, day: StudyDay) -> Siblings:
        if not settings["bury-siblings"]:
            return cls()
        groups: dict[tuple[str, str], set[str]] = {}
        for deck_id, key in repository.keys_answered_between(day.start, day.end):
            groups.setdefault((deck_id, note_of(key)), set()).add(key)
        return cls({group: frozenset(keys) for group, keys in groups.items()})

    def answered_besides(self, deck_id: str, key: str) -> bool:
        """Whether another item of this item's deck card was answered today."""
        return bool(self.answered.get((deck_id, note_of(key)), frozenset()) - {key})


@dataclass(frozen=True)
class Allowance:
    """What today's limits still allow: new cards to introduce and reviews to show."""

    new: int
    reviews: int

    @classmethod
    def today(cls, repository: ProgressRepository, settings: StudySettings, day: StudyDay) -> Allowance:
        done = repository.answered_since(day.start, until=day.end)
        return cls(max(0, settings["new-per-day"] - done.new_cards), max(0, settings["reviews-per-day"] - done.reviews))


@dataclass(frozen=True)
class Counts:
    """What today's queue still offers within the limits: the study screen's header, a row of `dlquiz decks`."""

    new: int
    learning: int
    review: int


class Keyed(Protocol):
    """A review item as far as the queue cares: which card of which deck."""

    @property
    def deck_id(self) -> str: ...

    @property
    def key(self) -> str: ...


Item = TypeVar("Item", bound=Keyed)


@dataclass
class Queues(Generic[Item]):
    """Today's queue of some review items, before the limits: due (re)learning cards and reviews soonest first,
    new cards in deck order, and how many are hidden today."""

    new: list[Item] = field(default_factory=list)
    learning: list[tuple[datetime, Item]] = field(default_factory=list)  # (due, item), relearning included
    review: list[tuple[datetime, Item]] = field(default_factory=list)
    buried: int = 0
    buried_by_siblings: int = 0  # of the buried: those hidden only because a sibling was answered today
    suspended: int = 0
    later: int = 0  # answered cards not due before the day ends

    @classmethod
    def build(
        cls,
        items: Iterable[Item],
        states: Mapping[Key, CardState],
        day: StudyDay,
        now: datetime,
        siblings: Siblings | None = None,
    ) -> Queues[Item]:
        queues: Queues[Item] = cls()
        for item in items:
            state = states.get((item.deck_id, item.key))
            buried_by_sibling = siblings is not None and siblings.answered_besides(item.deck_id, item.key)
            place = place_of(state, day, now, buried_by_sibling)
            if place == NEW:
                queues.new.append(item)
            elif state is not None and place in (LEARNING, REVIEW):
                (queues.review if place == REVIEW else queues.learning).append((state.due, item))
            elif place == BURIED:
                queues.buried += 1
                queues.buried_by_siblings += buried_by_sibling and place_of(state, day, now) != BURIED
            elif place == SUSPENDED:
                queues.suspended += 1
            else:
                queues.later += 1
        queues.learning.sort(key=lambda pair: pair[0])
        queues.review.sort(key=lambda pair: pair[0])
        return queues

    def counts(self, allowance: Allowance) -> Counts:
        return Counts(min(len(self.new), allowance.new), len(self.learning), min(len(self.review), allowance.reviews))
