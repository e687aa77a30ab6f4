"""What `dlquiz study` tells the learner, driven through the CLI with piped keys: choice cards take Enter as "don't
know" and name a missing option; "nothing is due" says why; the quit summary says what is due now, then what comes
next; answers written under a later clock do not use up today's new cards. In English and Chinese."""

import re

import pytest
from typer.testing import CliRunner

from dlquiz.cli.app import app
from dlquiz.review.repository import ProgressRepository
from dlquiz.review.store import open_store

runner = CliRunner()
TODAY = "2026-03-02T09:00:00+00:00"
TOMORROW = "2026-03-03T09:00:00+00:00"

CHOICES = """\
format: 1
id: choices
title: {zh: 选择题, en: Choices}
cards:
  - id: one
    type: choice
    shuffle: false
    question: {zh: "训练时 BN 用哪种方差？", en: "Which variance does BN use in training?"}
    options:
      - {text: {zh: 有偏方差, en: the biased variance}, correct: true}
      - {text: {zh: 无偏方差, en: the unbiased variance}}
      - {text: {zh: 不用方差, en: none}}
  - id: many
    type: choice
    shuffle: false
    question: {zh: "哪些是激活函数？", en: "Which are activation functions?"}
    options:
      - {text: {zh: ReLU, en: ReLU}, correct: true}
      - {text: {zh: 池化, en: pooling}}
      - {text: {zh: sigmoid, en: sigmoid}, correct: true}
"""


def flat(output: str) -> str:
    """The output with rich's wrapping undone (an English line breaks at a space, a Chinese one between characters)."""
    return re.sub(r" ?\n(?=[\u4e00-\u9fff（])", "", output).replace(" \n", " ")


def study(*args: str, keys: str = "", env: dict | None = None) -> str:
    result = runner.invoke(app, ["study", *args], input=keys, env=env)
    assert result.exit_code == 0, result.output
    return result.output


def answers() -> list[tuple[str, int]]:
    store = open_store()
    try:
        reviews = sorted(ProgressRepository(store).iter_reviews(), key=lambda review: review.id)
        return [(review.card_id, int(review.rating)) for review in reviews]
    finally:
        store.close()


@pytest.fixture
def choices(tmp_path):
    deck = tmp_path / "choices.yaml"
    deck.write_text(CHOICES, encoding="utf-8")
    return str(deck)


@pytest.fixture
def sample(isolated_home, all_types_deck):
    decks = isolated_home / "decks"
    decks.mkdir(parents=True)
    (decks / "sample.yaml").write_text(all_types_deck.read_text(encoding="utf-8"), encoding="utf-8")
    assert runner.invoke(app, ["config", "fuzz", "off"]).exit_code == 0
    return "sample"


# -- choice cards -------------------------------------------------------------------------------------------------


def test_enter_on_a_choice_card_means_dont_know_and_suggests_again(choices):
    out = study(choices, "--lang", "en", keys="\n\n\n\nq\n")  # single: Enter, accept; multiple: Enter, accept
    assert out.count("✗ Not quite") == 2
    assert out.count("Enter = Again") == 2
    assert "please give option numbers" not in out
    assert answers() == [("one", 1), ("many", 1)]  # both saved as Again, nothing lost
    assert "the biased variance" in out.split("✗ Not quite")[1]  # the right answer is shown


def test_a_missing_option_is_named_and_a_repeated_problem_is_said_once(choices):
    # single choice: 7 is no option; multiple: 17 names option 7, then two lines that are not numbers, then 13
    out = study(choices, "--lang", "en", keys="7\n1\n\n17\nx\nx\n13\n\nq\n")
    assert out.count("there is no option 7: the options are 1–3") == 2
    assert out.count("please give option numbers") == 1  # said once, not stacked
    assert out.count("✓ Correct") == 2
    assert answers() == [("one", 3), ("many", 3)]


def test_choice_messages_in_chinese(choices):
    out = study(choices, "--lang", "zh", keys="5\n\n\n9\n\n\nq\n")  # a missing option, Enter, accept: twice
    assert "没有第 5 个选项：选项是 1–3" in out and "没有第 9 个选项：选项是 1–3" in out
    assert "回车 = 不会" in out  # the hint says what Enter does
    assert out.count("✗ 不对") == 2 and out.count("回车 = 重来") == 2


# -- when nothing is offered --------------------------------------------------------------------------------------


def test_the_new_card_limit_and_buried_siblings_are_named(sample):
    assert runner.invoke(app, ["config", "new-per-day", "2"]).exit_code == 0
    out = flat(study(sample, "--lang", "en", keys="\n4\n\n4\n"))  # relu-basic and cloze c1, Easy
    assert "All done for now" in out
    assert "Today's 2 new cards are done (`dlquiz config new-per-day` changes the limit); 3 more wait for" in out
    assert "2 siblings of cards answered today" in out and "`dlquiz config bury-siblings off`" in out
    again = flat(study(sample, "--lang", "en"))
    lines = again.splitlines()
    assert lines[0] == "Nothing is due right now."
    assert "Today's 2 new cards are done" in again
    assert "Everything is studied." not in again
    assert re.search(r"next card due: 2026-03-\d\d \d\d:\d\d \(\+\d+d\)", again), again

    zh = flat(study(sample, "--lang", "zh"))
    assert "现在没有要学的卡片。" in zh
    assert "今天的 2 张新卡片已学完（`dlquiz config new-per-day` 可调整），还有 3 张明天再学。" in zh
    assert re.search(r"下一张到期: 2026-03-\d\d \d\d:\d\d \(\+\d+天\)", zh), zh


def test_new_cards_turned_off_and_the_review_limit_are_named(sample):
    assert runner.invoke(app, ["config", "new-per-day", "0"]).exit_code == 0
    out = flat(study(sample, "--lang", "en"))
    assert "New cards are off (new-per-day = 0; `dlquiz config new-per-day 20` turns them on); 7 are" in out
    assert "no cards scheduled yet" in out

    assert runner.invoke(app, ["config", "new-per-day", "20"]).exit_code == 0
    assert runner.invoke(app, ["config", "bury-siblings", "off"]).exit_code == 0
    study(sample, "--lang", "en", keys="\n4\n" * 7)  # every card Easy: all review cards
    assert runner.invoke(app, ["config", "reviews-per-day", "3"]).exit_code == 0
    later = {"DLQUIZ_NOW": "2026-06-01T09:00:00+00:00"}
    out = flat(study(sample, "--lang", "en", keys="\n3\n" * 3, env=later))
    assert "Today's 3 reviews are done (`dlquiz config reviews-per-day` changes the limit); 4 more wait" in out


def test_everything_studied_says_when_the_next_card_comes(sample):
    assert runner.invoke(app, ["config", "bury-siblings", "off"]).exit_code == 0
    out = study(sample, "--lang", "en", keys="\n4\n" * 7)
    assert "All done for now" in out and "Everything is studied." in out
    assert re.search(r"next card due: 2026-03-\d\d \d\d:\d\d \(\+\d+d\)", out), out
    assert "due now" not in out
    assert "全部学完了。" in study(sample, "--lang", "zh")


def test_the_quit_summary_says_what_is_due_now_then_what_comes_next(sample):
    assert runner.invoke(app, ["config", "bury-siblings", "off"]).exit_code == 0
    study(sample, "--lang", "en", keys="\n4\n\n4\n\n1\nq\n")  # two reviews (Easy) and one learning card (Again)
    out = study(sample, "--lang", "en", keys="q\n", env={"DLQUIZ_NOW": "2026-04-01T09:00:00+00:00"})
    # a month later: the two reviews and the learning card are due, and 4 new cards
    due_now = out.index("due now: 7 (New 4 · Learning 1 · Review 2)")
    next_due = out.index("next card due: ")
    assert due_now < next_due
    # after one answer the panel says the same, one fewer
    out = study(sample, "--lang", "en", keys="\n3\nq\n", env={"DLQUIZ_NOW": "2026-04-01T09:00:00+00:00"})
    assert "reviewed: 1" in out and "due now: 6 (New 4 · Review 2)" in out
    zh = study(sample, "--lang", "zh", keys="q\n", env={"DLQUIZ_NOW": "2026-04-01T09:00:00+00:00"})
    assert "现在到期: 6 (新 4 · 复习 2)" in zh


def test_answers_under_a_later_clock_do_not_use_up_todays_new_cards(sample):
    assert runner.invoke(app, ["config", "new-per-day", "2"]).exit_code == 0
    study(sample, "--lang", "en", keys="\n4\n\n4\n", env={"DLQUIZ_NOW": TOMORROW})  # tomorrow's two new cards
    today = study(sample, "--lang", "en", keys="q\n", env={"DLQUIZ_NOW": TODAY})
    assert today.startswith("New 2  ·  Learning 0  ·  Review 0"), today
    listing = runner.invoke(app, ["decks"], env={"DLQUIZ_NOW": TODAY})
    assert re.search(r"sample\s.*?\b7\b\D+2\b", listing.output), listing.output
