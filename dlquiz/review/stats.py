"""The figures of `dlquiz stats`: card counts, reviews per day, streak, retention, forecast, time, exercises.

No terminal code here (``stats_screen`` draws these). The review log can hold hundreds of thousands of rows, so the
repository sums it per study day; everything about reviews is derived from those few hundred day rows. Card states
are one row per card, read once and classified by ``day`` (as `dlquiz study` and `dlquiz decks` classify them).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from dlquiz.cards.deck import Deck
from dlquiz.errors import DlquizError
from dlquiz.review import clock
from dlquiz.review.day import LEARNING, REVIEW, Siblings, StudyDay, kind_of, shown_from
from dlquiz.review.exercise_schedule import forecast as exercise_forecast
from dlquiz.review.records import CardState, ExerciseAttempt, ExerciseReview
from dlquiz.review.repository import ProgressRepository
from dlquiz.review.repository import ReviewDay as Day
from dlquiz.review.settings import StudySettings
from dlquiz.review.store import Store

JSON_FORMAT = 1
MATURE_DAYS = 21
FORECAST_DAYS = 14
# Windows in study days counted back from today (today included); None = the whole history.
WINDOWS: dict[str, int | None] = {"today": 1, "7d": 7, "30d": 30, "all": None}
RETENTION_WINDOWS = ("7d", "30d", "all")


@dataclass
class CardCounts:
    """Review items by state. new + learning + review + suspended = total; mature is a part of review."""

    total: int = 0
    new: int = 0
    learning: int = 0  # relearning cards count here too, as in `dlquiz decks`
    review: int = 0
    suspended: int = 0
    mature: int = 0

    def add(self, kind: str, mature: bool) -> None:
        self.total += 1
        setattr(self, kind, getattr(self, kind) + 1)
        self.mature += int(mature)

    def as_json(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in ("total", "new", "learning", "review", "suspended", "mature")}


@dataclass(frozen=True)
class Retention:
    answers: int
    correct: int

    @property
    def rate(self) -> float | None:
        return self.correct / self.answers if self.answers else None


@dataclass(frozen=True)
class ExerciseLine:
    id: str
    title: Any
    status: str  # passed | attempted | new
    attempts: int
    last: ExerciseAttempt | None
    due: datetime | None = None  # None: never reviewed
    is_due: bool = False


@dataclass
class Stats:
    now: datetime
    today: date
    deck: str | None  # the deck asked for, None for all decks
    decks: list[Deck]
    desired_retention: float
    cards: CardCounts
    by_deck: dict[str, CardCounts]
    by_tag: dict[str, CardCounts]
    days: dict[date, Day]  # every study day with at least one answer
    forecast: list[tuple[date, int]]
    exercises: list[ExerciseLine] = field(default_factory=list)
    exercise_problem: str | None = None  # why the exercise list could not be read
    # Recall reviews of exercises (not their first review) per study day: (answers, correct = passed, Hard or better)
    exercise_days: dict[date, Retention] = field(default_factory=dict)
    exercise_forecast: list[tuple[date, int]] = field(default_factory=list)

    # -- derived from the day rows -----------------------------------------------------------

    @property
    def total_reviews(self) -> int:
        return sum(day.reviews for day in self.days.values())

    def _in_window(self, window: str) -> list[Day]:
        length = WINDOWS[window]
        first = None if length is None else self.today - timedelta(days=length - 1)
        return [day for when, day in self.days.items() if first is None or first <= when <= self.today]

    def reviews_in(self, window: str) -> int:
        return sum(day.reviews for day in self._in_window(window))

    def time_ms(self, window: str) -> int:
        return sum(day.duration_ms for day in self._in_window(window))

    def retention(self, window: str) -> Retention:
        days = self._in_window(window)
        return Retention(sum(d.review_answers for d in days), sum(d.review_correct for d in days))

    @property
    def streak(self) -> int:
        """Consecutive study days with answers, ending today, or yesterday when today has none yet."""
        day = self.today if self.today in self.days else self.today - timedelta(days=1)
        count = 0
        while day in self.days:
            count += 1
            day -= timedelta(days=1)
        return count

    def exercise_retention(self, window: str) -> Retention:
        """Like the cards' true retention: of the exercises reviewed again when due, the share passed without the
        solution (rated Hard, Good or Easy)."""
        length = WINDOWS[window]
        first = None if length is None else self.today - timedelta(days=length - 1)
        days = [r for when, r in self.exercise_days.items() if first is None or first <= when <= self.today]
        return Retention(sum(r.answers for r in days), sum(r.correct for r in days))

    @property
    def exercises_due(self) -> int:
        return sum(line.is_due for line in self.exercises)

    def exercise_counts(self) -> dict[str, int]:
        counts = {"passed": 0, "attempted": 0, "new": 0}
        for line in self.exercises:
            counts[line.status] += 1
        return counts

    def as_json(self, lang: str) -> dict[str, Any]:
        """The figures for scripts; the keys are stable (documented in the README)."""
        from dlquiz.text import pick

        def rate(value: float | None) -> float | None:
            return None if value is None else round(value, 4)

        return {
            "format": JSON_FORMAT,
            "now": clock.to_text(self.now),
            "today": self.today.isoformat(),
            "deck": self.deck,
            "decks": [{"id": d.id, "title": pick(d.title, lang, separator=" / ")} for d in self.decks],
            "cards": self.cards.as_json(),
            "by_deck": {deck_id: counts.as_json() for deck_id, counts in self.by_deck.items()},
            "by_tag": {tag: counts.as_json() for tag, counts in self.by_tag.items()},
            "reviews": {
                "total": self.total_reviews,
                "today": self.reviews_in("today"),
                "days_studied": len(self.days),
                "streak_days": self.streak,
                "per_day": {when.isoformat(): day.reviews for when, day in sorted(self.days.items())},
            },
            "retention": {
                "desired": self.desired_retention,
                **{
                    window: {"answers": r.answers, "correct": r.correct, "rate": rate(r.rate)}
                    for window in RETENTION_WINDOWS
                    for r in [self.retention(window)]
                },
            },
            "forecast": [{"day": when.isoformat(), "due": count} for when, count in self.forecast],
            "time_ms": {window: self.time_ms(window) for window in WINDOWS},
            "exercises": {
                **self.exercise_counts(),
                "due": self.exercises_due,
                "problem": self.exercise_problem,
                "retention": {
                    window: {"answers": r.answers, "correct": r.correct, "rate": rate(r.rate)}
                    for window in RETENTION_WINDOWS
                    for r in [self.exercise_retention(window)]
                },
                "forecast": [{"day": when.isoformat(), "due": count} for when, count in self.exercise_forecast],
                "items": [
                    {
                        "id": line.id,
                        "title": pick(line.title, lang, separator=" / "),
                        "status": line.status,
                        "attempts": line.attempts,
                        "due": None if line.due is None else clock.to_text(line.due),
                        "is_due": line.is_due,
                        "last": None
                        if line.last is None
                        else {
                            "at": clock.to_text(line.last.attempted_at),
                            "status": line.last.status,
                            "cases_passed": line.last.cases_passed,
                            "cases_total": line.last.cases_total,
                            "summary": line.last.summary,
                        },
                    }
                    for line in self.exercises
                ],
            },
        }


def compute(store: Store, decks: list[Deck], deck: str | None = None, now: datetime | None = None) -> Stats:
    """Every figure for ``decks``. With ``deck`` (one deck asked for by name) the review history is that deck's;
    without it, the whole history counts (also answers to cards since removed: they were studied all the same)."""
    now = now or clock.now()
    settings = StudySettings(store.settings())
    repository = ProgressRepository(store)
    day = StudyDay.of(settings, now)
    deck_ids = [d.id for d in decks] if deck is not None else None
    siblings = Siblings.today(repository, settings, day)
    cards, by_deck, by_tag, forecast = _cards(repository, decks, day, siblings)
    result = Stats(
        now=now,
        today=day.local_date,
        deck=deck,
        decks=decks,
        desired_retention=settings["desired-retention"],
        cards=cards,
        by_deck=by_deck,
        by_tag=by_tag,
        days=repository.review_days(deck_ids, day.date_shift),
        forecast=forecast,
    )
    linked = {card.exercise for d in decks for card in d.cards if card.exercise} if deck is not None else None
    last_reviews = repository.last_exercise_reviews()
    result.exercises, result.exercise_problem = _exercises(repository, linked, last_reviews, now)
    listed = {line.id for line in result.exercises}
    reviews = [review for review in repository.exercise_reviews() if review.exercise in listed]
    result.exercise_days = _exercise_days(reviews, day)
    scheduled = [review for exercise, review in last_reviews.items() if exercise in listed]
    result.exercise_forecast = exercise_forecast(scheduled, day.ends(FORECAST_DAYS), day.local_date)
    return result


def _exercise_days(reviews: list[ExerciseReview], day: StudyDay) -> dict[date, Retention]:
    """Recall reviews per study day: an exercise's first review is learning it, not remembering it."""
    days: dict[date, Retention] = {}
    for review in reviews:
        if review.state_before is None:
            continue
        when = (review.reviewed_at + day.date_shift).date()
        known = days.get(when, Retention(0, 0))
        days[when] = Retention(known.answers + 1, known.correct + int(review.rating >= 2))
    return days


def _is_mature(state: CardState) -> bool:
    """A review card whose interval (from its last review to its due date) is MATURE_DAYS or more."""
    return state.last_review is not None and state.due - state.last_review >= timedelta(days=MATURE_DAYS)


def _cards(
    repository: ProgressRepository, decks: list[Deck], day: StudyDay, siblings: Siblings
) -> tuple[CardCounts, dict[str, CardCounts], dict[str, CardCounts], list[tuple[date, int]]]:
    ends = day.ends(FORECAST_DAYS)
    forecast = [0] * FORECAST_DAYS
    states = repository.card_states([d.id for d in decks])
    total = CardCounts()
    by_deck: dict[str, CardCounts] = {}
    by_tag: dict[str, CardCounts] = {}
    for deck in decks:
        counts = by_deck.setdefault(deck.id, CardCounts())
        for item in deck.items():
            state = states.get((deck.id, item.key))
            kind = kind_of(state)
            mature = False
            if state is not None and kind in (LEARNING, REVIEW):
                mature = kind == REVIEW and _is_mature(state)
                # day 0 counts everything overdue; a buried card comes back only when its burial ends
                slot = bisect_right(ends, shown_from(state, day, siblings.answered_besides(deck.id, item.key)))
                if slot < FORECAST_DAYS:
                    forecast[slot] += 1
            for target in (total, counts, *(by_tag.setdefault(tag, CardCounts()) for tag in item.card.tags)):
                target.add(kind, mature)
    days = [(day.local_date + timedelta(days=i), forecast[i]) for i in range(FORECAST_DAYS)]
    return total, by_deck, dict(sorted(by_tag.items())), days


def _exercises(
    repository: ProgressRepository, only: set[str] | None, last_reviews: dict[str, ExerciseReview], now: datetime
) -> tuple[list[ExerciseLine], str | None]:
    # Imported here: the catalog reads YAML only (never numpy or torch), but `dlquiz --help` needs none of it.
    from dlquiz.grading.attempts import exercise_status
    from dlquiz.grading.catalog import list_exercises

    try:
        catalog = list_exercises()
    except DlquizError as error:
        return [], f"{error.message} (`dlquiz doctor` lists every broken exercise)"
    attempts: dict[str, list[ExerciseAttempt]] = {}
    for attempt in repository.exercise_attempts():
        attempts.setdefault(attempt.exercise, []).append(attempt)
    lines = []
    for exercise in catalog:
        if only is not None and exercise.id not in only:
            continue
        mine = attempts.get(exercise.id, [])
        status = exercise_status(mine)
        due = last_reviews[exercise.id].due if exercise.id in last_reviews else None
        lines.append(
            ExerciseLine(
                exercise.id,
                exercise.title,
                status,
                len(mine),
                mine[-1] if mine else None,
                due,
                due is not None and due <= now,
            )
        )
    return lines, None
