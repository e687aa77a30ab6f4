"""`dlquiz study`, `decks`, `config` and `unsuspend` driven as a user would, through the CLI with piped input."""

import re

import pytest
from typer.testing import CliRunner

from dlquiz.cli.app import app
from dlquiz.review.repository import ProgressRepository
from dlquiz.review.store import open_store

runner = CliRunner()


def study(*args, input=""):
    return runner.invoke(app, ["study", *args], input=input)


def review_rows(home):
    """(card, rating, queue) of every saved answer, in the order given."""
    store = open_store(home / "progress.sqlite3")
    try:
        reviews = sorted(ProgressRepository(store).iter_reviews(), key=lambda review: review.id)
        return [(review.card_id, int(review.rating), review.queue) for review in reviews]
    finally:
        store.close()


def test_a_whole_session_through_every_card_type(isolated_home, all_types_deck):
    # Every item in deck order, the reverse and the second deletion included (tests/test_siblings.py covers burying)
    assert runner.invoke(app, ["config", "bury-siblings", "off"]).exit_code == 0
    script = "\n".join(
        [
            "",  # basic: reveal
            "3",  # Good
            " ",  # reverse: reveal (space)
            "4",  # Easy
            "",  # cloze c1: reveal
            "",  # Enter = Good
            "",  # cloze c2: reveal
            "1",  # Again
            "1",  # choice: option 1
            "",  # accept the suggested rating
            "ｚｅｒｏ",  # typed: full-width letters still count
            "",  # accept
            "-1",  # numeric: surely wrong
            "",  # accept the suggested Again
            "q",
        ]
    )
    result = study(str(all_types_deck), "--lang", "en", input=script + "\n")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "What is ReLU?" in out and "max(0, x)" in out
    assert "In training BN uses the statistics of **[…]**" not in out  # Markdown is rendered, not shown raw
    assert "[…]" in out and "[two words]" in out
    # the choice card: option 1 is right exactly when it is the biased variance
    option_one = re.search(r"│ 1\. (.+?)\s*│", out).group(1)
    choice_correct = option_one == "the biased variance"
    rows = review_rows(isolated_home)
    assert [row[0] for row in rows] == [
        "relu-basic",
        "relu-basic::reverse",
        "bn-cloze::c1",
        "bn-cloze::c2",
        "bn-choice",
        "gap-params",
        "conv-size",
    ]
    assert [row[1] for row in rows] == [3, 4, 3, 1, 3 if choice_correct else 1, 3, 1]
    assert all(row[2] == "new" for row in rows)
    assert out.count("✓ Correct") == 1 + choice_correct
    assert out.count("✗ Not quite") == 2 - choice_correct
    assert "reviewed: 7" in out


def test_interval_preview_is_shown_for_each_rating(all_types_deck):
    result = study(str(all_types_deck), "--lang", "en", input="\nq\n")
    assert re.search(r"1 Again 1m\s+2 Hard 6m\s+3 Good 10m\s+4 Easy \d+d", result.output), result.output


def test_undo_takes_back_the_last_answer(isolated_home, all_types_deck):
    result = study(str(all_types_deck), "--lang", "en", input="\n3\nu\n\n4\nq\n")
    assert result.exit_code == 0, result.output
    assert "Undone" in result.output
    assert review_rows(isolated_home) == [("relu-basic", 4, "new")]


@pytest.fixture
def user_deck(isolated_home, all_types_deck):
    """The sample deck installed in the user's own deck folder, so it is known by name."""
    decks = isolated_home / "decks"
    decks.mkdir(parents=True, exist_ok=True)
    (decks / "sample.yaml").write_text(all_types_deck.read_text(encoding="utf-8"), encoding="utf-8")
    return "sample"


def test_suspend_bury_and_unsuspend(isolated_home, user_deck):
    result = study(user_deck, "--lang", "en", input="s\nb\nq\n")
    assert "Card suspended" in result.output and "Card buried until tomorrow" in result.output
    listing = runner.invoke(app, ["decks"])
    # 7 cards: 5 new (the buried one is back tomorrow, as `study` says), 0 learning, 0 due, 1 suspended
    assert re.search(r"sample .*\b7\b.*\b5\b.*\b0\b.*\b0\b.*\b1\b", listing.output), listing.output
    assert runner.invoke(app, ["unsuspend", "sample"]).output.strip() == "1 card(s) unsuspended"


def test_session_limit_and_tag_filter(isolated_home, all_types_deck):
    keys = "\n3\n1\n3\n\n3\n"  # c1: reveal, Good; the choice card: option 1, Good; the limit stops the rest
    result = study(str(all_types_deck), "--tag", "normalization", "--limit", "2", "--lang", "en", input=keys)
    assert result.exit_code == 0, result.output
    # c2 is buried once its sibling c1 is answered: the choice card comes next, then the limit stops the session
    assert [row[0] for row in review_rows(isolated_home)] == ["bn-cloze::c1", "bn-choice"]


def test_chinese_locale_shows_chinese(monkeypatch, all_types_deck):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    result = study(str(all_types_deck), input="\nq\n")
    assert "ReLU 的定义？" in result.output and "What is ReLU?" not in result.output
    assert "显示答案" in result.output


def test_both_languages(all_types_deck):
    result = study(str(all_types_deck), "--lang", "both", input="q\n")
    assert "ReLU 的定义？" in result.output and "What is ReLU?" in result.output


def test_end_of_input_and_nothing_due(isolated_home, all_types_deck):
    result = study(str(all_types_deck), input="\n4\n")  # input ends mid-session: a clean stop
    assert result.exit_code == 0 and "reviewed: 1" in result.output
    runner.invoke(app, ["config", "new-per-day", "0"])
    result = study(str(all_types_deck), input="")
    assert result.exit_code == 0 and "Nothing is due right now." in result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["--lang", "fr"], "unknown language 'fr'"),
        (["no-such-deck"], "no deck named 'no-such-deck'"),
        (["missing/deck.yaml"], "no deck file at missing/deck.yaml"),
        (["--tag", "nope"], "no card has the tag(s) nope"),
    ],
)
def test_bad_arguments_get_one_line_and_exit_2(args, message, all_types_deck):
    extra = [str(all_types_deck)] if args[0].startswith("--") else []
    result = study(*extra, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_bad_flag_is_a_usage_error():
    result = runner.invoke(app, ["study", "--limit", "0"])
    assert result.exit_code == 2


def test_a_broken_user_deck_does_not_stop_the_others(isolated_home):
    decks = isolated_home / "decks"
    decks.mkdir(parents=True)
    (decks / "broken.yaml").write_text("id: broken\ntitle: B\ncards:\n  - {id: x, type: wrong}\n", encoding="utf-8")
    result = study("--lang", "en", input="q\n")
    assert result.exit_code == 0, result.output
    assert "broken.yaml:4: card 'x': unknown card type 'wrong'" in result.output
    assert "skipped 1 broken deck(s)" in result.output
    assert "dl-notes" in result.output  # the built-in deck is studied as usual
    listing = runner.invoke(app, ["decks"])
    assert listing.exit_code == 0 and "dl-notes" in listing.output


def test_only_broken_decks_is_an_error(tmp_path):
    broken = tmp_path / "b.yaml"
    broken.write_text("id: b\ntitle: B\ncards: []\n", encoding="utf-8")
    result = study(str(broken))
    assert result.exit_code == 1
    assert "b.yaml:3: the deck needs a non-empty list 'cards'" in result.output
    assert "no deck could be loaded" in result.output


def test_config_show_set_reset(isolated_home):
    shown = runner.invoke(app, ["config"])
    assert "desired-retention = 0.9" in shown.output and "new-per-day = 20" in shown.output
    assert "reviews-per-day = 200" in shown.output and "learning-steps = 1m 10m" in shown.output
    changed = runner.invoke(app, ["config", "desired-retention", "0.85"])
    assert changed.exit_code == 0 and "desired-retention = 0.85  (changed)" in changed.output
    bad = runner.invoke(app, ["config", "desired-retention", "2"])
    assert bad.exit_code == 2 and "must be between 0.7 and 0.99" in bad.output
    bad_steps = runner.invoke(app, ["config", "learning-steps", "1x"])
    assert bad_steps.exit_code == 2 and "not a duration" in bad_steps.output
    unknown = runner.invoke(app, ["config", "speed", "3"])
    assert unknown.exit_code == 2 and "unknown setting 'speed'" in unknown.output
    reset = runner.invoke(app, ["config", "desired-retention", "--reset"])
    assert "desired-retention = 0.9" in reset.output and "(changed)" not in reset.output


def test_config_takes_the_printed_example_without_quotes(isolated_home):
    unquoted = runner.invoke(app, ["config", "learning-steps", "1m", "10m", "30m"])
    assert unquoted.exit_code == 0, unquoted.output
    assert "learning-steps = 1m 10m 30m  (changed)" in unquoted.output
    quoted = runner.invoke(app, ["config", "relearning-steps", "5m  20m"])
    assert "relearning-steps = 5m 20m  (changed)" in quoted.output
    bad = runner.invoke(app, ["config", "learning-steps", "1m", "ten"])
    assert bad.exit_code == 2 and "not a duration" in bad.output
    assert "learning-steps = 1m 10m 30m" in runner.invoke(app, ["config", "learning-steps"]).output


@pytest.mark.parametrize(
    "name, value, english, chinese",
    [
        (
            "learning-steps",
            "99999999999d",
            "'99999999999d' is longer than 36500 days",
            "'99999999999d' 超过了 36500 天",
        ),
        ("relearning-steps", "10m 52560001m", "'52560001m' is longer than 36500 days", "超过了 36500 天"),
        ("maximum-interval", "36501", "must be from 1 to 36500 days", "必须在 1 到 36500 天之间"),
        ("maximum-interval", "10" * 20, "must be from 1 to 36500 days", "必须在 1 到 36500 天之间"),
        ("maximum-interval", "0", "must be from 1 to 36500 days", "必须在 1 到 36500 天之间"),
        ("desired-retention", "2", "must be between 0.7 and 0.99", "必须在 0.7 到 0.99 之间"),
        ("learning-steps", "1x", "'1x' is not a duration such as 1m", "'1x' 不是时长"),
        ("new-per-day", "lots", "is not a number", "不是数字"),
        ("fsrs-parameters", "1 2 3", "must be `default` or 21 numbers (FSRS-6), not 3", "而不是 3 个"),
    ],
)
def test_a_refused_setting_says_why_in_both_languages_and_changes_nothing(isolated_home, name, value, english, chinese):
    before = runner.invoke(app, ["config", name]).output
    refused = runner.invoke(app, ["config", name, value, "--lang", "en"])
    assert refused.exit_code == 2 and english in refused.output and "Traceback" not in refused.output
    refused_zh = runner.invoke(app, ["config", name, value, "--lang", "zh"])
    assert refused_zh.exit_code == 2 and chinese in refused_zh.output
    assert runner.invoke(app, ["config", name]).output == before


def test_the_longest_durations_allowed_still_schedule(isolated_home, all_types_deck):
    """A learning step and a maximum interval of 100 years: cards are still scheduled (no date overflows)."""
    assert runner.invoke(app, ["config", "learning-steps", "36500d"]).exit_code == 0
    assert runner.invoke(app, ["config", "maximum-interval", "36500"]).exit_code == 0
    result = runner.invoke(app, ["study", str(all_types_deck), "--lang", "en", "--limit", "2"], input="\n3\n\n4\n")
    assert result.exit_code == 0, result.output
    assert "internal error" not in result.output


def test_desired_retention_setting_reaches_the_scheduler(isolated_home, all_types_deck):
    runner.invoke(app, ["config", "desired-retention", "0.97"])
    from dlquiz.review.session import StudySession
    from dlquiz.cards.deck import load_deck
    from dlquiz.review.store import open_store

    store = open_store()
    session = StudySession(store, load_deck(all_types_deck).items(), "en")
    assert session.scheduler.desired_retention == 0.97
    store.close()


def test_decks_lists_counts(isolated_home, user_deck):
    study(user_deck, input="\n4\n\n1\nq\n")  # relu-basic Easy, bn-cloze c1 Again
    result = runner.invoke(app, ["decks", "--tags"])
    assert result.exit_code == 0, result.output
    # sample: 7 items, 3 new (the siblings relu-basic::reverse and c2 are buried until tomorrow), 1 learning
    # (rated Again), 0 due today (the Easy one is days away)
    assert re.search(r"sample\s.*\b7\b.*\b3\b.*\b1\b.*\b0\b.*\b0\b", result.output), result.output
    assert "normalization (2)" in result.output
