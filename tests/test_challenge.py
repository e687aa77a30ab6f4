"""Each card type's review path: what is shown, and how an answer is judged."""

import random

import pytest
import torch

from dlquiz.cards.types.cloze import emphasis
from dlquiz.cards.challenge import CHOICE, INPUT, REVEAL
from dlquiz.cards.deck import load_deck
from dlquiz.cards.types import make_challenge


@pytest.fixture
def items(all_types_deck):
    return {item.key: item for item in load_deck(all_types_deck).items()}


def test_basic_and_its_reverse(items):
    front = make_challenge(items["relu-basic"], "en", random.Random(0))
    back = make_challenge(items["relu-basic::reverse"], "en", random.Random(0))
    assert front.mode == back.mode == REVEAL
    assert (front.question, front.answer) == ("What is ReLU?", "max(0, x)")
    assert (back.question, back.answer) == ("max(0, x)", "What is ReLU?")


def test_language_choice(items):
    zh = make_challenge(items["relu-basic"], "zh", random.Random(0))
    both = make_challenge(items["relu-basic"], "both", random.Random(0))
    assert zh.question == "ReLU 的定义？"
    assert both.question == "ReLU 的定义？\n\nWhat is ReLU?"


def test_cloze_hides_only_its_own_deletion(items):
    first = make_challenge(items["bn-cloze::c1"], "en", random.Random(0))
    second = make_challenge(items["bn-cloze::c2"], "en", random.Random(0))
    assert emphasis("[…]") in first.question and "running" in first.question
    assert "the current batch" not in first.question
    assert emphasis("the current batch") in first.answer
    assert emphasis("[two words]") in second.question and "the current batch" in second.question
    assert emphasis("running") in second.answer


def test_plain_string_texts_work_like_mappings(tmp_path):
    path = tmp_path / "plain.yaml"
    path.write_text(
        "id: p\ntitle: P\ncards:\n"
        "  - {id: c, type: cloze, text: 'ReLU gives {{c1::0}} for negative input'}\n"
        "  - {id: n, type: numeric, question: 'twice {x}?', params: {x: {choices: [4]}}, answer: '2*x'}\n",
        encoding="utf-8",
    )
    cloze, numeric = load_deck(path).items()
    challenge = make_challenge(cloze, "zh", random.Random(0))
    assert challenge.question == f"ReLU gives {emphasis('[…]')} for negative input"
    assert challenge.answer == f"ReLU gives {emphasis('0')} for negative input"
    challenge = make_challenge(numeric, "en", random.Random(0))
    assert challenge.question == "twice 4?" and challenge.judge("8").correct


def test_choice_shuffles_and_judges_by_option_number(items):
    orders = set()
    for seed in range(20):
        challenge = make_challenge(items["bn-choice"], "en", random.Random(seed))
        assert challenge.mode == CHOICE and len(challenge.options) == 3
        orders.add(tuple(challenge.options))
        right = challenge.options.index("the biased variance") + 1
        wrong = right % 3 + 1
        assert challenge.judge(str(right)).correct
        assert not challenge.judge(str(wrong)).correct
        assert not challenge.judge(f"{right}{wrong}").correct  # choosing extra options is wrong
        assert challenge.parse_choice("7") is None and challenge.parse_choice("x") is None
    assert len(orders) > 1, "options were never shuffled"


@pytest.mark.parametrize(
    "typed, correct", [("0", True), (" ０ ", True), ("ZERO", True), ("零", True), ("1", False), ("", False)]
)
def test_typed_answers_are_normalised(items, typed, correct):
    challenge = make_challenge(items["gap-params"], "en", random.Random(0))
    assert challenge.mode == INPUT
    assert challenge.judge(typed).correct is correct


def test_numeric_draws_parameters_and_checks_against_pytorch(items):
    seen_questions = set()
    for seed in range(60):
        challenge = make_challenge(items["conv-size"], "en", random.Random(seed))
        seen_questions.add(challenge.question)
        values = dict(part.split(" = ") for part in challenge.answer.split("with ")[1].rstrip(")").split(", "))
        n, k, p, s = (int(values[name]) for name in "nkps")
        assert n + 2 * p >= k  # the `where` constraint held
        out = torch.nn.functional.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), stride=s, padding=p)
        size = out.shape[-1]
        assert challenge.judge(str(size)).correct
        assert challenge.judge(f"{size}.0").correct and challenge.judge(f" {size} ").correct
        assert not challenge.judge(str(size + 1)).correct
        assert not challenge.judge("many").correct
    assert len(seen_questions) > 10, "parameters were not drawn afresh"
