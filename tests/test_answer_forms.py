"""Typed answers compared as text, numbers or shapes (`match:` on a typed card), from the parser to the study CLI."""

from __future__ import annotations

import json
import random
import re

import jsonschema
import pytest
import torch
from typer.testing import CliRunner

from dlquiz.cards.answer_forms import (
    accepts,
    format_shape,
    numbers_match,
    parse_number,
    parse_shape,
)
from dlquiz.cards.types import make_challenge
from dlquiz.cards.deck import check_deck, load_deck
from dlquiz.cards.schema import deck_schema
from dlquiz.cards.yamlload import load_with_lines
from dlquiz.cli.app import app
from recorded import recorded_answers

runner = CliRunner()

# ---------------------------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    "typed, value",
    [
        ("0.5", 0.5),
        (".5", 0.5),
        ("5.", 5.0),
        ("-.5", -0.5),
        ("−0.25", -0.25),
        ("1/4", 0.25),
        ("¼", 0.25),
        ("1e-3", 0.001),
        ("1E-3", 0.001),
        ("2^-2", 0.25),
        ("25%", 0.25),
        ("1,000", 1000.0),
        (" 7 ", 7.0),
        ("０.２５", 0.25),
        ("0.25。", 0.25),
        ("5．", 5.0),
        ("sqrt(4)", 2.0),
        ("3 × 4", 12.0),
    ],
)
def test_numbers_as_people_write_them(typed, value):
    assert parse_number(typed) == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize("typed", ["", ".", "abc", "1/0", "0,5", "1,5", "2,10,16", "5..", "e", "(1, 2)", "10**10**10"])
def test_what_is_not_a_number(typed):
    assert parse_number(typed) is None


def test_leading_and_trailing_points_keep_their_meaning():
    # The old judge stripped a leading '.', so `.5` counted as 5: right for 5 and wrong for 0.5.
    assert numbers_match(".5", 0.5) and not numbers_match(".5", 5)
    assert numbers_match("5.", 5) and not numbers_match("5.", 0.5)


def test_tolerance_is_absolute():
    assert numbers_match("0.0066", 0.006648, tolerance=0.0001)
    assert numbers_match("0.00665", 0.0066, tolerance=0.0001)
    assert not numbers_match("0.007", 0.0066, tolerance=0.0001)
    assert not numbers_match("0.0066", 0.006648)  # without a tolerance only rounding noise is forgiven


# ---------------------------------------------------------------------------------------------- shapes

SAME_SHAPES = {
    (2, 10, 16): [
        "(2, 10, 16)",
        "(2,10,16)",
        "2,10,16",
        "2, 10, 16",
        "[2, 10, 16]",
        "2×10×16",
        "2 x 10 x 16",
        "2X10X16",
        "2*10*16",
        "2 10 16",
        "torch.Size([2, 10, 16])",
        "torch.Size((2, 10, 16))",
        "Size([2, 10, 16])",
        "（2，10，16）",
        "2、10、16",
        "(2, 10, 16)。",
    ],
    (4,): ["(4,)", "4", "[4]", "(4)", "4,", "torch.Size([4])"],
    (1, 4): ["(1, 4)", "1×4", "1x4", "1 × 4", "1 by 4", "[1,4]", "torch.Size([1, 4])"],
    (): ["()", "[]", "torch.Size([])"],
}


@pytest.mark.parametrize("shape, spellings", SAME_SHAPES.items(), ids=str)
def test_every_spelling_of_a_shape_parses_to_it(shape, spellings):
    for spelling in spellings:
        assert parse_shape(spelling) == shape, spelling


@pytest.mark.parametrize(
    "typed", ["", "x", "(", "(2, 10", "2x10,16", "(-1, 4)", "2.5x3", "[[1, 4]]", "torch.Size(2, 3)", "1 × ", "a×b"]
)
def test_what_is_not_a_shape(typed):
    assert parse_shape(typed) is None


def test_shapes_match_torch_and_format_like_python():
    for shape in [(), (4,), (1, 4), (2, 10, 16)]:
        size = torch.zeros(shape).shape
        assert parse_shape(str(size)) == tuple(size) == shape
        assert format_shape(shape) == str(tuple(size))


def test_a_vector_is_not_a_one_row_matrix_unless_the_card_says_so():
    # torch keeps them apart: a (4,) vector and a (1, 4) matrix are different tensors.
    assert torch.zeros(4).shape != torch.zeros(1, 4).shape
    assert not accepts("1×4", ["(4,)"], "shape")
    assert not accepts("(4,)", ["1x4"], "shape")
    both = ["1×4", "(4,)"]  # a card that lists both accepts every spelling of either
    assert all(accepts(typed, both, "shape") for typed in ["4", "(4,)", "[4]", "1x4", "(1, 4)", "torch.Size([1, 4])"])
    assert not accepts("(4, 1)", both, "shape") and not accepts("(1, 1, 4)", both, "shape")


def _spell(shape: tuple[int, ...], rng: random.Random) -> str:
    """One random way a learner might write ``shape``."""
    sizes = [str(size) for size in shape]
    if len(sizes) == 1:
        return rng.choice([sizes[0], f"({sizes[0]},)", f"[{sizes[0]}]", f"torch.Size([{sizes[0]}])", f" {sizes[0]} "])
    separator = rng.choice([",", ", ", " ,", "x", " x ", "×", " × ", "*", " ", "、", "，"])
    body = separator.join(sizes)
    wrap = rng.choice(["{}", "({})", "[{}]", "torch.Size([{}])", "（{}）", " {} "])
    if "," in separator and rng.random() < 0.3:
        body += ","
    return wrap.format(body)


def test_fuzz_random_shapes_in_random_spellings():
    rng = random.Random(20260302)
    for _ in range(2000):
        shape = tuple(rng.randint(0, 300) for _ in range(rng.randint(1, 5)))
        spelling = _spell(shape, rng)
        assert parse_shape(spelling) == shape, spelling
        assert accepts(spelling, [format_shape(shape)], "shape"), spelling
        other = list(shape)
        index = rng.randrange(len(other))
        other[index] += rng.randint(1, 5)
        assert not accepts(spelling, [format_shape(tuple(other))], "shape"), (spelling, other)
        if len(shape) > 1:  # a dropped or an added dimension is a different shape
            assert not accepts(spelling, [format_shape(shape[1:])], "shape")
        assert not accepts(spelling, [format_shape((1, *shape))], "shape")


def test_text_answers_still_compare_as_text():
    assert accepts(" Batch  Normalization ", ["batch normalization"])
    assert accepts("ＺＥＲＯ", ["0", "zero"])
    assert not accepts("", ["0"]) and not accepts("1", ["0", "zero"])


# ---------------------------------------------------------------------------------------------- the typed card field

DECK_HEAD = "format: 1\nid: forms\ntitle: Forms\ncards:\n"


def write_deck(tmp_path, cards: str):
    path = tmp_path / "forms.yaml"
    path.write_text(DECK_HEAD + cards, encoding="utf-8")
    return path


GOOD_CARDS = """\
  - id: shape
    type: typed
    question: "Output shape of `nn.Linear(8, 3)` on x of shape (5, 8)? (a shape, e.g. (2, 3))"
    answer: "(5, 3)"
    match: shape
  - id: vector
    type: typed
    question: "Shape of the feature vector? (1×n or (n,))"
    answer: "1×4"
    accept: ["(4,)"]
    match: shape
  - id: number
    type: typed
    question: "σ'(5), to two significant digits?"
    answer: "0.0066"
    match: number
    tolerance: 0.0001
  - id: quarter
    type: typed
    question: "The largest value of σ'(x)?"
    answer: 0.25
    match: number
  - id: word
    type: typed
    question: "GAP's trainable parameters?"
    answer: "0"
    accept: [zero]
"""


def test_deck_with_every_match_form_loads_and_judges(tmp_path):
    items = {item.key: item for item in load_deck(write_deck(tmp_path, GOOD_CARDS)).items()}
    rng = random.Random(0)

    def judge(key: str, typed: str) -> bool:
        return make_challenge(items[key], "en", rng).judge(typed).correct

    out = torch.nn.Linear(8, 3)(torch.zeros(5, 8))
    for typed in ["(5, 3)", "5,3", "5x3", "5 × 3", str(out.shape)]:
        assert judge("shape", typed), typed
    for typed in ["(3, 5)", "(5, 3, 1)", "15", "five by three", ""]:
        assert not judge("shape", typed), typed
    for typed in ["4", "(4,)", "1×4", "(1, 4)", "torch.Size([1, 4])"]:
        assert judge("vector", typed), typed
    assert not judge("vector", "(4, 1)")
    sigmoid_5 = torch.sigmoid(torch.tensor(5.0, dtype=torch.float64))
    exact = f"{(sigmoid_5 * (1 - sigmoid_5)).item():.6f}"
    for typed in ["0.0066", ".0066", "0.00665", exact, "6.6e-3"]:
        assert judge("number", typed), typed
    assert not judge("number", "0.007") and not judge("number", "66")
    for typed in ["0.25", ".25", "1/4", "¼", "25%", "2^-2"]:
        assert judge("quarter", typed), typed
    assert not judge("quarter", "25") and not judge("quarter", "0.5")
    assert judge("word", "Zero") and not judge("word", "none")


def test_the_schema_accepts_the_same_cards(tmp_path):
    data = json.loads(json.dumps(load_with_lines(write_deck(tmp_path, GOOD_CARDS))))
    jsonschema.validate(data, deck_schema())
    bad = dict(data, cards=[dict(data["cards"][0], match="regex")])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, deck_schema())
    shape_with_tolerance = dict(data, cards=[dict(data["cards"][0], tolerance=1)])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(shape_with_tolerance, deck_schema())


BAD_CARDS = """\
  - id: a
    type: typed
    question: q
    answer: "(2, 3)"
    match: shaped
  - id: b
    type: typed
    question: q
    answer: "two by three"
    match: shape
  - id: c
    type: typed
    question: q
    answer: "(2, 3)"
    accept:
      - "2x3"
      - "2 by three"
    match: shape
  - id: d
    type: typed
    question: q
    answer: "a quarter"
    match: number
  - id: e
    type: typed
    question: q
    answer: "0"
    tolerance: 0.5
  - id: f
    type: typed
    question: q
    answer: "0.5"
    match: number
    tolerance: -1
"""


SHAPE_FORM = "a shape such as (2, 3), 2×3 or torch.Size([2, 3])"


def test_bad_match_fields_are_reported_with_their_lines(tmp_path):
    path = write_deck(tmp_path, BAD_CARDS)
    deck, problems = check_deck(path)
    assert deck is None
    found = [(problem.line, problem.message) for problem in problems]
    assert found == [
        (9, "card 'a': match must be one of text, number, shape, not 'shaped'"),
        (13, f"card 'b': answer 'two by three' is not {SHAPE_FORM} (the card says match: shape)"),
        (21, f"card 'c': accept entry 2 '2 by three' is not {SHAPE_FORM} (the card says match: shape)"),
        (26, "card 'd': answer 'a quarter' is not a number such as 0.25, .25 or 1/4 (the card says match: number)"),
        (32, "card 'e': tolerance only applies to `match: number`"),
        (38, "card 'f': tolerance must be a finite number >= 0"),
    ]
    result = runner.invoke(app, ["deck", "check", str(path)])
    assert result.exit_code == 1
    assert f"{path}:13: card 'b': answer 'two by three' is not a shape" in result.output
    assert "Traceback" not in result.output


def test_studying_a_shape_card_through_the_cli(tmp_path, isolated_home):
    path = write_deck(tmp_path, GOOD_CARDS.split("  - id: vector")[0])
    result = runner.invoke(app, ["study", str(path), "--lang", "en"], input="torch.Size([5, 3])\n\nq\n")
    assert result.exit_code == 0, result.output
    assert "(a shape, e.g. (2, 3))" in result.output
    assert re.search(r"✓", result.output), result.output
    assert recorded_answers(isolated_home) == [("shape", 3)]  # judged right, so Enter accepted the suggested Good
