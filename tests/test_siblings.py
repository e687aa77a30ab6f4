"""Sibling burying, as Anki does by default: once one item of a deck card is answered (a cloze deletion, a direction),
its other new and review items wait for the next study day; learning items do not; `bury-siblings off` turns it off."""

from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from fsrs import Rating
from typer.testing import CliRunner

from dlquiz.cards import library
from dlquiz.cards.deck import load_deck
from dlquiz.cli.app import app
from dlquiz.review import clock
from dlquiz.review.day import note_of
from dlquiz.review.repository import ProgressRepository
from dlquiz.review.session import StudySession
from dlquiz.review.store import open_store

runner = CliRunner()
START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def answers(home) -> list[tuple[str, int, str]]:
    """(card, rating, queue) of every saved answer, in the order given."""
    store = open_store(home / "progress.sqlite3")
    try:
        reviews = sorted(ProgressRepository(store).iter_reviews(), key=lambda review: review.id)
        return [(review.card_id, int(review.rating), review.queue) for review in reviews]
    finally:
        store.close()


def test_a_whole_day_over_the_built_in_deck_never_shows_two_siblings(isolated_home):
    items = library.load(["dl-notes"]).decks[0].items()
    notes = Counter(item.card.id for item in items)
    assert sum(1 for count in notes.values() if count > 1) >= 20  # the deck has many cloze and reverse siblings
    assert runner.invoke(app, ["config", "new-per-day", "1000"]).exit_code == 0
    # every card: reveal (or Enter = don't know on typed and choice cards), then Easy, which graduates it at once
    result = runner.invoke(app, ["study", "dl-notes", "--lang", "en"], input="\n4\n" * len(items) + "q\n")
    assert result.exit_code == 0, result.output
    shown = [card for card, _rating, _queue in answers(isolated_home)]
    assert len(shown) == len(notes), "each deck card is shown once today, by one of its items"
    assert Counter(note_of(card) for card in shown) == Counter(dict.fromkeys(notes, 1))
    assert all(queue == "new" for _card, _rating, queue in answers(isolated_home))
    # the screen says why it stopped: the siblings are waiting for tomorrow
    assert "buried until tomorrow" in result.output

    # the next study day offers the siblings, and the day's first answer buries the rest of its card again
    later = runner.invoke(
        app,
        ["study", "dl-notes", "--lang", "en"],
        input="\n4\n" * len(items) + "q\n",
        env={"DLQUIZ_NOW": (START + timedelta(days=1)).isoformat()},
    )
    assert later.exit_code == 0, later.output
    second_day = [card for card, _rating, _queue in answers(isolated_home)][len(shown) :]
    assert second_day and not set(second_day) & set(shown)
    assert len({note_of(card) for card in second_day}) == len(second_day)


@pytest.fixture
def store():
    opened = open_store()
    opened.set_setting("fuzz", "off")
    yield opened
    opened.close()


def keys_offered(session: StudySession) -> set[str]:
    """Every item today's queue offers (learning cards due later today included)."""
    queues, _allowance = session._today(clock.now())
    return {item.key for item in queues.new} | {item.key for _due, item in queues.learning + queues.review}


def test_new_and_review_siblings_wait_for_tomorrow_learning_siblings_do_not(store, all_types_deck, monkeypatch):
    monkeypatch.setenv("DLQUIZ_NOW", START.isoformat())
    session = StudySession(store, load_deck(all_types_deck).items(), "en")
    first = session.next_turn()
    assert first.item.key == "relu-basic"
    session.answer(first, Rating.Again, 100)  # relu-basic is learning now
    assert "relu-basic::reverse" not in keys_offered(session)  # the new reverse waits
    turn = session.next_turn()
    assert turn.item.key == "bn-cloze::c1"
    # undo takes the answer back, and the sibling with it
    session.answer(turn, Rating.Good, 100)
    assert "bn-cloze::c2" not in keys_offered(session)
    session.undo()
    assert "bn-cloze::c2" in keys_offered(session)

    # a learning sibling is never buried: with burying off, both directions go into learning
    monkeypatch.setenv("DLQUIZ_NOW", (START + timedelta(days=1)).isoformat())
    store.set_setting("bury-siblings", "off")
    session = StudySession(store, load_deck(all_types_deck).items(), "en")
    for key in ("relu-basic", "relu-basic::reverse"):
        turn = session.next_turn()
        assert turn.item.key == key
        session.answer(turn, Rating.Again, 100)
    store.set_setting("bury-siblings", "on")
    session = StudySession(store, load_deck(all_types_deck).items(), "en")
    assert {"relu-basic", "relu-basic::reverse"} <= keys_offered(session)  # both learning: both stay


def test_bury_siblings_off_shows_them_back_to_back(store, all_types_deck, monkeypatch):
    monkeypatch.setenv("DLQUIZ_NOW", START.isoformat())
    store.set_setting("bury-siblings", "off")
    session = StudySession(store, load_deck(all_types_deck).items(), "en")
    shown = []
    for _ in range(4):
        turn = session.next_turn()
        shown.append(turn.item.key)
        session.answer(turn, Rating.Easy, 100)
    assert shown == ["relu-basic", "relu-basic::reverse", "bn-cloze::c1", "bn-cloze::c2"]


def test_the_setting_is_listed_and_checked(isolated_home):
    shown = runner.invoke(app, ["config", "bury-siblings", "--lang", "en"])
    assert shown.exit_code == 0 and "bury-siblings = on" in shown.output
    assert "reverse" in shown.output
    assert "搁置" in runner.invoke(app, ["config", "bury-siblings", "--lang", "zh"]).output
    wrong = runner.invoke(app, ["config", "bury-siblings", "maybe"])
    assert wrong.exit_code == 2 and "must be on or off" in wrong.output
