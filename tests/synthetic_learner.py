"""A synthetic learner for testing `dlquiz optimize`: memory that follows known FSRS parameters, not the defaults.

The learner studies with dlquiz's default scheduler (as anyone does before fitting), while whether they recall a
card is drawn, with a seeded RNG, from the retrievability that py-fsrs's own scheduler computes with TRUE_PARAMETERS.
Every answer is written through the progress repository, as a study session writes it.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from random import Random

from fsrs import Card, Rating, Scheduler

from dlquiz.review.day import queue_of
from dlquiz.review.records import CardState, ReviewLog, SchedulingState
from dlquiz.review.repository import ProgressRepository
from dlquiz.review.scheduling import make_scheduler, new_card
from dlquiz.review.settings import StudySettings
from dlquiz.review.store import Store

# A learner who forgets faster than FSRS assumes by default: first stabilities about a quarter of the defaults'
# (0.212, 1.2931, 2.3065, 8.2956 days) and slower growth of stability after a success (w8 1.2 instead of 1.8722).
TRUE_PARAMETERS = (
    0.05,
    0.3,
    0.6,
    2.0,
    6.4133,
    0.8334,
    3.0194,
    0.001,
    1.2,
    0.1666,
    0.796,
    1.4835,
    0.0614,
    0.2629,
    1.6483,
    0.6014,
    1.8729,
    0.5425,
    0.0912,
    0.0658,
    0.1542,
)
START = datetime(2025, 11, 3, 8, 0, tzinfo=timezone.utc)
DECK = "synthetic"


def simulate(store: Store, cards: int, days: int, seed: int = 7, durations: bool = True) -> int:
    """Study `cards` new cards, a few each day, answering every due card until `days` have passed. Returns how
    many answers were written."""
    rng = Random(seed)
    truth = Scheduler(parameters=TRUE_PARAMETERS, enable_fuzzing=False)
    studied_with = make_scheduler(StudySettings({"fuzz": "off"}))
    end = START + timedelta(days=days)
    repository = ProgressRepository(store)
    logs: list[ReviewLog] = []
    finals: list[CardState] = []
    per_day = max(1, cards * 2 // days)
    for index in range(cards):
        moment = START + timedelta(days=index // per_day, minutes=rng.randrange(0, 600))
        memory = Card(card_id=0, due=moment)
        before: SchedulingState | None = None
        schedule = new_card(moment)
        card_id = f"card-{index:03d}"
        while moment < end:
            if memory.last_review is None:
                rating = rng.choices(list(Rating), weights=(15, 10, 60, 15))[0]
            elif rng.random() < truth.get_card_retrievability(memory, moment):
                rating = rng.choices((Rating.Hard, Rating.Good, Rating.Easy), weights=(15, 75, 10))[0]
            else:
                rating = Rating.Again
            memory, _ = truth.review_card(memory, rating, review_datetime=moment)
            schedule, _ = studied_with.review_card(schedule, rating, review_datetime=moment)
            after = SchedulingState.from_card(schedule)
            duration: int | None = rng.randrange(2000, 20000)  # drawn either way: the same answers with or without
            duration = duration if durations else None
            logs.append(ReviewLog(DECK, card_id, rating, queue_of(before), moment, duration, before, after))
            before = after
            # Learning steps are taken on time; a review comes some hours after it falls due, as people study.
            late = timedelta(hours=rng.uniform(0, 14)) if schedule.due - moment >= timedelta(days=1) else timedelta()
            moment = schedule.due + late
        finals.append(CardState.scheduled(DECK, card_id, before))  # type: ignore[arg-type]
    repository.add_reviews(logs)
    repository.save_card_states(finals)
    return len(logs)
