"""Hostile decks (tests/data/hostile_decks/, one file per repro of issue 8, section 1) driven through the commands.

Validation is the only gate: `deck check` refuses each file with file:line and the reason, and with the file among a
user's decks every other command still works, lists the other decks, names the broken file, and loses nothing.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dlquiz.cards import types
from dlquiz.cards.card import Card, ReviewItem
from dlquiz.cards.challenge import INPUT, REVEAL
from dlquiz.cli.app import app
from recorded import recorded_answers

HOSTILE = Path(__file__).parent / "data" / "hostile_decks"
runner = CliRunner()

# file stem → (line reported, words the message must contain)
REFUSED = {
    "type_is_list": (5, "unknown card type ['basic']"),
    "type_is_mapping": (5, "unknown card type {}"),
    "param_min_nan": (5, "min, max and step must be finite numbers"),
    "param_max_inf": (5, "min, max and step must be finite numbers"),
    "deep_nesting": (4, "nested more than 64 deep (the limit)"),
    "cloze_text_is_float": (5, "text has no cloze deletion"),
    "choice_options_null": (5, "options must be a list of at least two choices"),
    "numeric_params_null": (5, "params must map names to ranges"),
    "answer_modulo_zero": (5, "cannot be computed for n = 0: division by zero"),
    "answer_division_pole": (5, "cannot be computed for n = 7: division by zero"),
    "answer_sqrt_negative": (5, "cannot be computed for n = -5: sqrt(): math domain error"),
    "answer_complex_power": (5, "not a real number"),
    "answer_floor_overflow": (5, "not a finite number"),
    "answer_huge_integer": (5, "choices must be finite numbers between"),
    "answer_huge_product": (5, "the result is too large"),
    "answer_always_nan": (5, "not a finite number (infinity or NaN)"),
    "tolerance_inf": (5, "tolerance must be a finite number"),
    "alias_bomb": (5, "with its aliases (*name) expanded the deck is larger than 16,777,216 characters (the limit)"),
    "text_field_too_long": (5, "at most 100,000 (the limit)"),
    "oversized_int_text": (5, "this number has too many digits"),
}
ACCEPTED = ["title_markup"]  # valid decks whose text once crashed the commands that show it


def test_every_hostile_deck_is_listed_here():
    assert sorted(path.stem for path in HOSTILE.glob("*.yaml")) == sorted([*REFUSED, *ACCEPTED, "numeric_answers"])


def clean(result) -> str:
    assert "internal error" not in result.output and "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.output


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_deck_check_refuses_it_with_file_and_line(name):
    path = HOSTILE / f"{name}.yaml"
    line, words = REFUSED[name]
    result = runner.invoke(app, ["deck", "check", str(path)])
    output = clean(result)
    assert result.exit_code == 1, output
    assert f"{path}:{line}: " in output and words in output, output
    assert "1 problem(s) in 1 file(s)" in output


def review_count(home: Path) -> int:
    return len(recorded_answers(home))


@pytest.fixture
def studied_home(isolated_home, all_types_deck):
    """A user's home with one good deck of their own and one answer already saved."""
    decks = isolated_home / "decks"
    decks.mkdir(parents=True)
    shutil.copy(all_types_deck, decks / "mine.yaml")
    result = runner.invoke(app, ["study", "sample", "--lang", "en"], input="\n3\nq\n")
    assert result.exit_code == 0 and review_count(isolated_home) == 1, result.output
    return isolated_home


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_broken_deck_among_others_is_named_and_the_others_listed(name, isolated_home, all_types_deck):
    decks = isolated_home / "decks"
    decks.mkdir(parents=True)
    shutil.copy(all_types_deck, decks / "mine.yaml")
    shutil.copy(HOSTILE / f"{name}.yaml", decks)
    listed = runner.invoke(app, ["decks", "--lang", "en"])
    assert listed.exit_code == 0 and f"{decks / name}.yaml:{REFUSED[name][0]}: " in clean(listed)
    assert "sample" in listed.output and "dl-notes" in listed.output


def test_every_broken_deck_at_once_never_stops_a_command(studied_home, tmp_path):
    """Each command goes through the same loading, so one run with every hostile file covers them all."""
    for name in REFUSED:
        shutil.copy(HOSTILE / f"{name}.yaml", studied_home / "decks")

    def names_every_broken_file(output: str) -> bool:
        return all(f"{name}.yaml" in output for name in REFUSED)

    listed = runner.invoke(app, ["decks", "--lang", "en"])
    assert listed.exit_code == 0 and names_every_broken_file(clean(listed)) and "sample" in listed.output

    studied = runner.invoke(app, ["study", "sample", "--lang", "en"], input="\n3\nq\n")
    # a card of the good deck is shown (relu-basic's reverse waits: its sibling was answered today)
    assert studied.exit_code == 0 and "sample · bn-cloze · c1" in clean(studied)

    every = runner.invoke(app, ["study", "--lang", "en"], input="q\n")
    assert every.exit_code == 0 and names_every_broken_file(clean(every))

    stats = runner.invoke(app, ["stats", "--lang", "en"])
    assert stats.exit_code == 0 and names_every_broken_file(clean(stats)) and "sample" in stats.output

    doctor = runner.invoke(app, ["doctor"])
    assert doctor.exit_code == 1 and names_every_broken_file(clean(doctor))
    assert f"{len(REFUSED)} deck file(s) failed to load" in doctor.output and "2 deck(s) load" not in doctor.output

    package = tmp_path / "out.apkg"
    exported = runner.invoke(app, ["export", "anki", "-o", str(package), "--lang", "en"])
    assert exported.exit_code == 0 and names_every_broken_file(clean(exported)) and package.stat().st_size > 0
    assert "from 2 deck(s)" in exported.output  # dl-notes and the user's own

    assert review_count(studied_home) == 2  # the first answer and the one given above: nothing lost


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_studying_only_the_broken_deck_says_why(name):
    path = HOSTILE / f"{name}.yaml"
    result = runner.invoke(app, ["study", str(path), "--lang", "en"], input="q\n")
    output = clean(result)
    assert result.exit_code == 1 and "no deck could be loaded" in output
    assert f"{path}:{REFUSED[name][0]}: " in output


def test_a_title_that_looks_like_markup_is_shown_as_written(isolated_home, tmp_path):
    decks = isolated_home / "decks"
    decks.mkdir(parents=True)
    shutil.copy(HOSTILE / "title_markup.yaml", decks)
    assert runner.invoke(app, ["deck", "check", str(decks / "title_markup.yaml")]).exit_code == 0
    listed = runner.invoke(app, ["decks", "--lang", "en"])
    assert listed.exit_code == 0 and "[/bold] x" in clean(listed)
    studied = runner.invoke(app, ["study", "title_markup", "--lang", "en"], input="\n3\nq\n")
    assert studied.exit_code == 0 and "2 + 2?" in clean(studied)
    for command in (["stats", "--lang", "en"], ["doctor"], ["export", "anki", "-o", str(tmp_path / "t.apkg")]):
        result = runner.invoke(app, command)
        assert result.exit_code == 0, clean(result)


NONSENSE_ANSWERS = [
    "floor(1e309)",
    "ceil(1e308*10)",
    "(-1)**0.5",
    "sqrt(-1)",
    "1/0",
    "6 % 0",
    "9**9**9",
    "10**1000",
    "2**4000 * 2**4000",
    "1e309",
    "1e308*10 - 1e308*10",
    "-" * 451 + "1",
    "(" * 300 + "1" + ")" * 300,
    "max()",
    "nan",
    "__import__('os')",
    "",
    "\x00",
]


def test_a_learner_answer_that_cannot_be_computed_is_not_a_number():
    card = Card("d", "n", "numeric", 1, {"question": "{n}?", "params": {"n": {"min": 1, "max": 3}}, "answer": "n"})
    challenge = types.make_challenge(ReviewItem(card), "en", random.Random(1))
    assert challenge.mode == INPUT
    for answer in NONSENSE_ANSWERS:
        assert challenge.judge(answer).correct is False, answer
    assert challenge.judge(challenge.answer.split("**")[1]).correct  # the right answer is still right


def test_nonsense_answers_never_end_a_study_session(isolated_home):
    deck = HOSTILE / "numeric_answers.yaml"
    script = "".join(f"{answer}\n\n" for answer in NONSENSE_ANSWERS[:6]) + "q\n"
    result = runner.invoke(app, ["study", str(deck), "--lang", "en"], input=script)
    assert result.exit_code == 0, clean(result)
    assert review_count(isolated_home) == 6  # each was judged wrong and saved


def test_a_draw_that_fails_at_review_is_drawn_again():
    """Validation refuses such a card; a card that reaches review anyway (an older cache, a bug) still works."""
    fields = {"question": "6 mod {n}?", "params": {"n": {"choices": [0, 1, 2]}}, "answer": "6 % n"}
    card = Card("d", "m", "numeric", 1, fields)
    for seed in range(30):
        challenge = types.make_challenge(ReviewItem(card), "en", random.Random(seed))
        assert challenge.mode == INPUT and "n = 0" not in challenge.answer


def test_a_card_with_no_working_draw_is_shown_as_broken_and_the_session_goes_on():
    fields = {"question": "6 mod {n}?", "params": {"n": {"choices": [0]}}, "answer": "6 % n"}
    challenge = types.make_challenge(ReviewItem(Card("d", "z", "numeric", 1, fields)), "en", random.Random(0))
    assert challenge.mode == REVEAL
    assert "cannot be drawn (division by zero)" in challenge.answer and "dlquiz deck check" in challenge.answer
    in_chinese = types.make_challenge(ReviewItem(Card("d", "z", "numeric", 1, fields)), "zh", random.Random(0))
    assert "这张卡片抽不出可用的数值" in in_chinese.answer and "dlquiz deck check" in in_chinese.answer
    assert "cannot be drawn" not in in_chinese.answer


def test_a_deck_file_over_the_size_limit_is_refused_unread(tmp_path):
    """Generated here: committing a file of several MB would weigh on every checkout."""
    from dlquiz.cards.yamlload import MAX_FILE_BYTES

    path = tmp_path / "huge.yaml"
    card = '  - {id: c%d, type: basic, front: "%s", back: b}\n'
    with open(path, "w", encoding="utf-8") as stream:
        stream.write("id: huge\ntitle: Huge\ncards:\n")
        for n in range(MAX_FILE_BYTES // 1000 + 1):
            stream.write(card % (n, "x" * 960))
    result = runner.invoke(app, ["deck", "check", str(path)])
    assert (
        result.exit_code == 1
        and f"{path}: the file is 8.1 MiB; a deck file may be at most 8 MiB (the limit)" in clean(result)
    )
