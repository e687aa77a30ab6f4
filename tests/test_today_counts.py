"""`study`'s header, `decks` and `stats --json` count today's cards the same way (they share ``review.day``).

Driven through the CLI as a learner would: answer, suspend and bury cards, let days pass, change the daily limits,
and after each step read the three screens. The sample deck has 7 review items, in this order: relu-basic,
relu-basic::reverse, bn-cloze::c1, bn-cloze::c2, bn-choice, gap-params, conv-size.
"""

import json
import re

import pytest
from typer.testing import CliRunner

from dlquiz.cli.app import app

runner = CliRunner()
DAY_ONE = "2026-03-02T09:00:00+00:00"
A_MONTH_LATER = "2026-04-01T09:00:00+00:00"


@pytest.fixture
def sample(isolated_home, all_types_deck):
    decks = isolated_home / "decks"
    decks.mkdir(parents=True)
    (decks / "sample.yaml").write_text(all_types_deck.read_text(encoding="utf-8"), encoding="utf-8")
    for setting, value in (("fuzz", "off"), ("new-per-day", "4")):
        assert runner.invoke(app, ["config", setting, value]).exit_code == 0
    return "sample"


def study(deck: str, keys: str) -> str:
    result = runner.invoke(app, ["study", deck, "--lang", "en"], input=keys)
    assert result.exit_code == 0, result.output
    return result.output


def header(deck: str) -> tuple[int, int, int]:
    """New · Learning · Review as the study screen shows them when it opens."""
    found = re.search(r"New (\d+)\s+·\s+Learning (\d+)\s+·\s+Review (\d+)", study(deck, "q\n"))
    assert found, "the study screen shows no header"
    return int(found[1]), int(found[2]), int(found[3])


def decks_row(deck: str) -> dict[str, int]:
    result = runner.invoke(app, ["decks"])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.split() and line.split()[0] == deck)
    cards, new, learning, due, suspended = map(int, re.findall(r"\b\d+\b", line))
    return {"cards": cards, "new": new, "learning": learning, "due": due, "suspended": suspended}


def stats(deck: str) -> dict:
    result = runner.invoke(app, ["stats", deck, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def screens(deck: str) -> tuple[tuple[int, int, int], dict[str, int], dict]:
    shown = header(deck), decks_row(deck), stats(deck)
    study_new, study_learning, study_review = shown[0]
    row = shown[1]
    assert (row["new"], row["learning"], row["due"]) == (study_new, study_learning, study_review)
    assert row["suspended"] == shown[2]["cards"]["suspended"]
    assert row["cards"] == shown[2]["cards"]["total"]
    return shown


def test_study_decks_and_stats_agree_after_answering_suspending_and_burying(sample, monkeypatch):
    monkeypatch.setenv("DLQUIZ_NOW", DAY_ONE)
    assert screens(sample)[0] == (4, 0, 0)  # 7 new cards, 4 a day

    # relu-basic Easy (a review, weeks away), bn-cloze c1 Again (learning, due in a minute), suspend the choice
    # card, bury the typed one; the siblings relu-basic::reverse and c2 are buried with their answered cards
    study(sample, "\n4\n\n1\ns\n:b\nq\n")
    today, row, figures = screens(sample)
    # 2 new cards introduced today leave 2 of 4; only conv-size is new and neither buried nor suspended
    assert today == (1, 1, 0)
    assert row == {"cards": 7, "new": 1, "learning": 1, "due": 0, "suspended": 1}
    # stats counts cards by state: the buried cards are still new, only hidden until tomorrow
    assert figures["cards"] == {"total": 7, "new": 4, "learning": 1, "review": 1, "suspended": 1, "mature": 0}
    assert figures["forecast"][0]["due"] == today[1] + today[2]  # what is due today is what study offers
    assert figures["reviews"]["today"] == 2

    # A month later: the burial is over, the review is due, the learning card is overdue, the new limit is fresh
    monkeypatch.setenv("DLQUIZ_NOW", A_MONTH_LATER)
    today, row, figures = screens(sample)
    assert today == (4, 1, 1)
    assert figures["cards"] == {"total": 7, "new": 4, "learning": 1, "review": 1, "suspended": 1, "mature": 0}
    assert figures["forecast"][0]["due"] == today[1] + today[2]

    # Bury the card shown first (the overdue learning card): every screen leaves it out today, stats keeps its kind
    assert "sample · bn-cloze · c1" in study(sample, "b\nq\n")
    today, row, figures = screens(sample)
    assert today == (4, 0, 1)
    assert figures["cards"]["learning"] == 1
    assert [day["due"] for day in figures["forecast"][:2]] == [1, 1]  # back tomorrow

    # The daily review limit caps `study` and `decks` alike; stats still counts the review card
    assert runner.invoke(app, ["config", "reviews-per-day", "0"]).exit_code == 0
    today, row, figures = screens(sample)
    assert today == (4, 0, 0)
    assert figures["cards"]["review"] == 1


def test_unsuspending_brings_a_card_back_on_every_screen(sample, monkeypatch):
    monkeypatch.setenv("DLQUIZ_NOW", DAY_ONE)
    study(sample, "s\ns\nq\n")
    today, row, figures = screens(sample)
    assert (today, row["suspended"], figures["cards"]["new"]) == ((4, 0, 0), 2, 5)
    assert runner.invoke(app, ["unsuspend", sample]).output.strip() == "2 card(s) unsuspended"
    today, row, figures = screens(sample)
    assert (today, row["suspended"], figures["cards"]["new"]) == ((4, 0, 0), 0, 7)


def test_every_screen_buries_the_siblings_of_a_card_answered_today(sample, monkeypatch):
    monkeypatch.setenv("DLQUIZ_NOW", DAY_ONE)
    assert runner.invoke(app, ["config", "bury-siblings", "off"]).exit_code == 0
    assert runner.invoke(app, ["config", "new-per-day", "7"]).exit_code == 0
    # every card Easy on day one (the choice card: any option, the typed and numeric ones: Enter = don't know)
    study(sample, "\n4\n" * 7 + "q\n")
    assert runner.invoke(app, ["config", "bury-siblings", "on"]).exit_code == 0

    monkeypatch.setenv("DLQUIZ_NOW", A_MONTH_LATER)
    today, _row, figures = screens(sample)
    assert today == (0, 0, 7)
    # the first review is relu-basic: once it is answered its reverse, a review due today, waits for tomorrow
    assert "sample · relu-basic" in study(sample, "\n3\nq\n")
    today, _row, figures = screens(sample)
    assert today == (0, 0, 5)
    assert figures["forecast"][0]["due"] == 5
    assert figures["forecast"][1]["due"] >= 1  # the buried reverse is back tomorrow

    # with burying off, the reverse is offered again at once
    assert runner.invoke(app, ["config", "bury-siblings", "off"]).exit_code == 0
    assert screens(sample)[0] == (0, 0, 6)
