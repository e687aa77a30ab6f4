"""The rating buttons' intervals read right: Hard < Good < Easy where they lead to review (as Anki does with FSRS),
and the interval shown is exactly the one stored, fuzz included."""

import random
import re
from datetime import datetime, timedelta, timezone

import pytest
from fsrs import Card, Rating, Scheduler, State
from typer.testing import CliRunner

from dlquiz.cards.deck import load_deck
from dlquiz.cli.app import app
from dlquiz.review import clock, scheduling
from dlquiz.review.records import CardState
from dlquiz.review.repository import ProgressRepository
from dlquiz.review.session import StudySession
from dlquiz.review.store import open_store

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
PASSING = (Rating.Hard, Rating.Good, Rating.Easy)
runner = CliRunner()


def review_card(stability: float, difficulty: float, elapsed_days: float) -> Card:
    return Card(
        card_id=0,
        state=State.Review,
        stability=stability,
        difficulty=difficulty,
        due=NOW,
        last_review=NOW - timedelta(days=elapsed_days),
    )


def days(outcome: scheduling.Outcome) -> int:
    whole = outcome.interval / timedelta(days=1)
    assert whole == round(whole), "a review interval is whole days"
    return round(whole)


STABILITIES = (0.1, 0.3, 0.7, 1.5, 3, 8, 20, 60, 200, 900, 5000, 40000)


@pytest.mark.parametrize("fuzz", [False, True])
def test_passing_intervals_strictly_increase_on_review_cards_of_every_stability(fuzz):
    random.seed(7)  # py-fsrs fuzzes with the random module
    maximum = 36500
    scheduler = Scheduler(enable_fuzzing=fuzz, maximum_interval=maximum)
    plain = Scheduler(enable_fuzzing=False, maximum_interval=maximum)
    raised = 0
    for stability in STABILITIES:
        for difficulty in (1.0, 5.0, 10.0):
            for elapsed in (0.5, 1, 4, 30, 400):
                card = review_card(stability, difficulty, elapsed)
                outcomes = scheduling.preview(scheduler, card, NOW)
                hard, good, easy = (days(outcomes[rating]) for rating in PASSING)
                assert hard >= 1
                assert good > hard or good == maximum, (stability, difficulty, elapsed, hard, good, easy)
                assert easy > good or easy == maximum, (stability, difficulty, elapsed, hard, good, easy)
                for rating in PASSING:
                    # only the due date moves: the memory state stays py-fsrs's own
                    expected, _log = plain.review_card(card, rating, review_datetime=NOW)
                    assert outcomes[rating].card.stability == pytest.approx(expected.stability)
                    assert outcomes[rating].card.difficulty == pytest.approx(expected.difficulty)
                    assert outcomes[rating].card.state == State.Review
                    raised += days(outcomes[rating]) != (expected.due - NOW).days
    assert raised > 0, "the grid holds young cards whose py-fsrs intervals tie (or fuzz apart the wrong way)"


def test_a_young_review_card_no_longer_offers_one_day_for_everything():
    scheduler = Scheduler(enable_fuzzing=False)
    card = review_card(0.1, 10.0, 3)
    raw = [(scheduler.review_card(card, rating, review_datetime=NOW)[0].due - NOW).days for rating in PASSING]
    assert raw == [1, 1, 1]  # what py-fsrs alone gives
    assert [days(scheduling.preview(scheduler, card, NOW)[rating]) for rating in PASSING] == [1, 2, 3]


def test_the_maximum_interval_caps_the_ladder():
    scheduler = Scheduler(enable_fuzzing=False, maximum_interval=3)
    outcomes = scheduling.preview(scheduler, review_card(50, 5.0, 40), NOW)
    assert [days(outcomes[rating]) for rating in PASSING] == [3, 3, 3]


def test_graduating_from_the_last_learning_step_easy_is_longer_than_good():
    scheduler = Scheduler(enable_fuzzing=False, learning_steps=(timedelta(minutes=1),))
    learning = Card(
        card_id=0,
        state=State.Learning,
        step=0,
        stability=0.2,
        difficulty=9.0,
        due=NOW,
        last_review=NOW - timedelta(minutes=1),
    )
    outcomes = scheduling.preview(scheduler, learning, NOW)
    assert outcomes[Rating.Again].card.state == State.Learning
    assert outcomes[Rating.Good].card.state == State.Review and outcomes[Rating.Easy].card.state == State.Review
    assert days(outcomes[Rating.Easy]) > days(outcomes[Rating.Good])


@pytest.fixture
def review_due(isolated_home, all_types_deck):
    """The sample deck's relu-basic as a young review card due now, fuzz on."""
    store = open_store()
    store.set_setting("fuzz", "on")
    card = review_card(0.4, 8.0, 3)
    ProgressRepository(store).save_card_state(
        CardState("sample", "relu-basic", State.Review, None, card.stability, card.difficulty, NOW, card.last_review)
    )
    yield store
    store.close()


def test_the_interval_shown_is_the_interval_stored(review_due, all_types_deck, monkeypatch):
    monkeypatch.setenv("DLQUIZ_NOW", NOW.isoformat())
    session = StudySession(review_due, load_deck(all_types_deck).items(), "en")
    turn = session.next_turn()
    assert (turn.item.key, turn.queue) == ("relu-basic", "review")
    for rating in (Rating.Again, *PASSING):
        session.answer(turn, rating, 100)
        stored = session.repository.card_state("sample", "relu-basic")
        assert stored.due - clock.now() == turn.outcomes[rating].interval
        session.undo()
        assert session.next_turn().item.key == "relu-basic"


def test_the_study_screen_shows_increasing_intervals_and_stores_the_one_chosen(review_due, all_types_deck):
    result = runner.invoke(app, ["study", str(all_types_deck), "--lang", "en"], input="\n4\nq\n")
    assert result.exit_code == 0, result.output
    shown = re.search(r"1 Again (\S+)\s+2 Hard (\d+)d\s+3 Good (\d+)d\s+4 Easy (\d+)d", result.output)
    assert shown, result.output
    hard, good, easy = int(shown[2]), int(shown[3]), int(shown[4])
    assert hard < good < easy
    stored = ProgressRepository(review_due).card_state("sample", "relu-basic")
    assert stored.due - NOW == timedelta(days=easy)


def test_labels_that_would_read_the_same_are_shown_in_days(isolated_home, all_types_deck):
    from dlquiz.cli.intervals import format_interval

    assert format_interval(timedelta(days=45), "en") == format_interval(timedelta(days=46), "en") == "1.5mo"
    assert format_interval(timedelta(days=46), "en", in_days=True) == "46d"
    assert format_interval(timedelta(days=46), "zh", in_days=True) == "46天"
    assert format_interval(timedelta(minutes=10), "en", in_days=True) == "10m"
