"""The built-in deck ``decks/dl-notes.yaml``: every note of DLNotes is a card, and every fact a card states holds in PyTorch.

The deck is read with ``yaml.safe_load`` directly (not through the package's loader), so these tests pin the
content of the deck, not the loader. Numeric answers are evaluated with ``dlquiz.cards.expr`` — the same evaluator the
app uses at review time — and compared with what PyTorch computes; every other fact is asserted against a value
that torch computes, never against a constant alone.
"""

from __future__ import annotations

import ast
import math
import random
import re
import zlib
from pathlib import Path

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
import yaml

from dlquiz.cards.expr import evaluate

try:
    from dlquiz.cards.expr import holds
except ImportError:  # pragma: no cover - older evaluator without the helper

    def holds(condition, variables):
        return bool(evaluate(condition, variables, allow_comparison=True))


HERE = Path(__file__).resolve()
DECK_PATH = HERE.parents[1] / "decks" / "dl-notes.yaml"
SEED_CANDIDATES = (
    HERE.parents[2] / "shared" / "seeds" / "DLNotes.txt",
    HERE.parents[1] / ".." / "shared" / "seeds" / "DLNotes.txt",
)
DECK = yaml.safe_load(DECK_PATH.read_text(encoding="utf-8"))
CARDS = DECK["cards"]
BY_ID = {card["id"]: card for card in CARDS}

TYPES = {"basic", "cloze", "choice", "typed", "numeric"}
COMMON_KEYS = {"id", "type", "tags", "source", "exercise", "extra"}
TYPE_KEYS = {
    "basic": ({"front", "back"}, {"reverse"}),
    "cloze": ({"text"}, set()),
    "choice": ({"question", "options"}, set()),
    "typed": ({"question", "answer"}, {"accept"}),
    "numeric": ({"question", "params", "answer"}, {"where", "tolerance"}),
}
TAGS = {
    "activation", "cnn", "normalization", "batchnorm", "pooling", "padding", "transfer-learning", "rnn",
    "attention", "training", "regularization", "embedding", "time-series", "visualization",
}
EXERCISES = {"relu", "padding", "batchnorm", "gap", "attention"}
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

# Seed lines that are pure headings: they state nothing by themselves, and the notes under them are cards.
HEADING_LINES = {
    # The document's title.
    "DLNotes",
    # Heading of the normalization section; its notes are normalization-why, iid-benefit, whitening.
    "- Normalization",
    # Appears twice under "Attention". The first introduces "参数少 速度快 效果好" (attention-advantages);
    # the second is an empty heading left before "Multi-headed Self-attention" (multihead-self-attention).
    "- 优点",
    # Heading of the transfer-learning section; "- 迁移学习: 使用预训练模型去训练" below it is the definition.
    "迁移学习",
}
FOOTER_PREFIX = "本博客所有文章除特别声明外"  # the blog's licence footer, deliberately not a card


def seed_text() -> str:
    for candidate in SEED_CANDIDATES:
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    pytest.skip("DLNotes.txt seed is not present (the deck ships without it)")


def text_fields(card: dict) -> list[tuple[str, object]]:
    """Every user-facing text of a card, as (where, value)."""
    fields = [(key, card[key]) for key in ("front", "back", "text", "question", "extra") if key in card]
    for index, option in enumerate(card.get("options", [])):
        fields.append((f"options[{index}].text", option.get("text")))
    return fields


def cloze_answers(card: dict, lang: str) -> dict[int, str]:
    return {int(number): answer for number, answer, _hint in CLOZE.findall(card["text"][lang])}


def correct_options(card: dict, lang: str = "en") -> list[str]:
    return [option["text"][lang] for option in card["options"] if option.get("correct")]


def wrong_options(card: dict, lang: str = "en") -> list[str]:
    return [option["text"][lang] for option in card["options"] if not option.get("correct")]


def expression_names(expression: str) -> set[str]:
    tree = ast.parse(expression, mode="eval")
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and id(node) not in called}


def fmt(value: float) -> str:
    if isinstance(value, torch.Tensor):
        value = value.detach().item()
    return f"{float(value):g}"


# ---------------------------------------------------------------------------------------------- deck structure


def test_c_loader_reads_the_same_deck():
    assert yaml.__with_libyaml__, "PyYAML without libyaml: cannot check CSafeLoader"
    fast = yaml.load(DECK_PATH.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    assert fast == DECK


def test_deck_header():
    assert DECK["format"] == 1
    assert DECK["id"] == "dl-notes"
    for key in ("title", "description"):
        assert DECK[key]["zh"].strip() and DECK[key]["en"].strip()
    assert 55 <= len(CARDS) <= 80


def test_card_ids_are_unique_and_well_formed():
    ids = [card["id"] for card in CARDS]
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    for card_id in ids:
        assert ID_PATTERN.fullmatch(card_id), card_id


@pytest.mark.parametrize("card", CARDS, ids=lambda card: card["id"])
def test_card_has_valid_type_and_fields(card):
    assert card["type"] in TYPES
    required, optional = TYPE_KEYS[card["type"]]
    assert required <= card.keys(), f"missing {required - card.keys()}"
    unknown = card.keys() - COMMON_KEYS - required - optional
    assert not unknown, f"unknown keys {unknown}"
    assert isinstance(card["source"], str) and card["source"].strip()
    assert card["tags"] and set(card["tags"]) <= TAGS, card["tags"]
    if "exercise" in card:
        assert card["exercise"] in EXERCISES
    if "reverse" in card:
        assert isinstance(card["reverse"], bool)


@pytest.mark.parametrize("card", CARDS, ids=lambda card: card["id"])
def test_card_is_bilingual_and_concise(card):
    for where, value in text_fields(card):
        assert isinstance(value, dict) and set(value) == {"zh", "en"}, f"{where} needs zh and en"
        for lang in ("zh", "en"):
            text = value[lang]
            assert isinstance(text, str) and text.strip(), f"{where}.{lang} is empty"
            assert len([line for line in text.splitlines() if line.strip()]) <= 6, f"{where}.{lang} is too long"
            assert len(text) <= 600, f"{where}.{lang} is too long"
    if card["type"] == "typed":
        answer = card["answer"]
        assert isinstance(answer, str) or set(answer) == {"zh", "en"}
        assert all(isinstance(item, str) and item.strip() for item in card.get("accept", []))


@pytest.mark.parametrize("card", [c for c in CARDS if c["type"] == "cloze"], ids=lambda card: card["id"])
def test_cloze_uses_the_same_deletions_in_both_languages(card):
    zh, en = cloze_answers(card, "zh"), cloze_answers(card, "en")
    assert zh and set(zh) == set(en)
    assert all(answer.strip() for answer in [*zh.values(), *en.values()])


@pytest.mark.parametrize("card", [c for c in CARDS if c["type"] == "choice"], ids=lambda card: card["id"])
def test_choice_has_a_correct_and_a_wrong_option(card):
    assert len(card["options"]) >= 2
    for option in card["options"]:
        assert set(option) <= {"text", "correct"}
        assert isinstance(option.get("correct", False), bool)
    assert correct_options(card) and wrong_options(card)


@pytest.mark.parametrize("card", [c for c in CARDS if c["type"] == "numeric"], ids=lambda card: card["id"])
def test_numeric_card_declares_what_it_uses(card):
    params = card["params"]
    for name, spec in params.items():
        if "choices" in spec:
            assert set(spec) == {"choices"} and spec["choices"]
        else:
            assert set(spec) == {"min", "max"} and isinstance(spec["min"], int) and spec["min"] <= spec["max"]
    assert expression_names(card["answer"]) <= params.keys()
    for condition in card.get("where", []):
        assert expression_names(condition) <= params.keys()
    for lang in ("zh", "en"):
        assert set(PLACEHOLDER.findall(card["question"][lang])) == params.keys(), lang


# ---------------------------------------------------------------------------------------------- seed coverage


def test_every_source_quotes_the_seed():
    seed = seed_text()
    missing = [card["id"] for card in CARDS if card["source"] not in seed]
    assert not missing, f"sources that are not exact substrings of DLNotes.txt: {missing}"


def test_every_seed_note_is_a_card():
    lines = [line.strip() for line in seed_text().splitlines() if line.strip()]
    assert HEADING_LINES <= set(lines), "a heading listed as exempt is no longer in the seed"
    sources = [card["source"] for card in CARDS]
    uncovered = [
        line
        for line in lines
        if not line.startswith(FOOTER_PREFIX)
        and line not in HEADING_LINES
        and not any(source in line for source in sources)
    ]
    assert not uncovered, f"notes without a card: {uncovered}"


# ---------------------------------------------------------------------------------------------- numeric cards vs torch


def _conv_side(n: int, k: int, *, stride: int = 1, padding: int = 0) -> int:
    return F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), stride=stride, padding=padding).shape[-1]


def _param_count(module: nn.Module, *, trainable_only: bool = False) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad or not trainable_only)


def _conv_no_padding(v):
    out = F.conv2d(torch.zeros(1, 1, v["n"], v["m"]), torch.zeros(1, 1, v["a"], v["b"]))
    return out.shape[-2] * out.shape[-1]


def _conv_stack(v):
    x = torch.zeros(1, 1, v["n"], v["n"])
    for _ in range(v["L"]):
        x = F.conv2d(x, torch.zeros(1, 1, v["k"], v["k"]))
    return x.shape[-1]


def _same_padding(v):
    k = v["k"]
    found = {p for p in range(k + 1) for n in (k, 16, 33) if _conv_side(n, k, padding=p) == n}
    assert len(found) == 1, found
    return found.pop()


def _conv_params(v):
    conv = nn.Conv2d(v["c"], v["m"], v["k"], device="meta")
    out = conv(torch.empty(1, v["c"], 9, 9, device="meta"))
    assert out.shape[1] == v["m"]  # as many kernels, as many feature maps in the next layer
    return _param_count(conv)


def _gap_value(v):
    fmap = torch.tensor([[v["a"], v["b"]], [v["c"], v["d"]]], dtype=torch.float64).view(1, 1, 2, 2)
    return F.adaptive_avg_pool2d(fmap, 1).item()


def _gap_params_saved(v):
    c, h, w, k = v["c"], v["h"], v["w"], v["k"]
    flatten_fc = nn.Sequential(nn.Flatten(), nn.Linear(c * h * w, k, device="meta"))
    gap_fc = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, k, device="meta"))
    x = torch.empty(1, c, h, w, device="meta")
    assert flatten_fc(x).shape == gap_fc(x).shape == (1, k)
    return _param_count(flatten_fc) - _param_count(gap_fc)


def _sgd_step(v):
    w = torch.tensor(float(v["w"]), dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=v["lr"])
    (w * v["g"]).backward()  # dL/dw = g
    optimizer.step()
    return w.item()


def _transfer_trainable(v):
    backbone = nn.Sequential(
        nn.Conv2d(3, 16, 3, device="meta"), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(16, v["c"], device="meta"),
    )
    for parameter in backbone.parameters():
        parameter.requires_grad = False
    model = nn.Sequential(backbone, nn.Linear(v["c"], v["k"], device="meta"))
    assert model(torch.empty(2, 3, 8, 8, device="meta")).shape == (2, v["k"])
    return _param_count(model, trainable_only=True)


ORACLES = {
    "conv-output-size": lambda v: _conv_side(v["n"], v["k"], stride=v["s"], padding=v["p"]),
    "conv-output-no-padding": _conv_no_padding,
    "conv-stack-shrink": _conv_stack,
    "padding-same": _same_padding,
    "stride2-halves": lambda v: _conv_side(v["n"], 3, stride=2, padding=1),
    "conv-param-count": _conv_params,
    "gap-value": _gap_value,
    "gap-params-saved": _gap_params_saved,
    "sgd-update": _sgd_step,
    "transfer-add-fc-params": _transfer_trainable,
}
NUMERIC = [card for card in CARDS if card["type"] == "numeric"]


def draws(card: dict, count: int = 300) -> list[dict]:
    """Seeded draws of the card's params that satisfy its ``where`` constraints, as the app draws them."""
    rng = random.Random(zlib.crc32(card["id"].encode()))
    result = []
    while len(result) < count:
        for _attempt in range(10_000):
            values = {
                name: rng.choice(spec["choices"]) if "choices" in spec else rng.randint(spec["min"], spec["max"])
                for name, spec in card["params"].items()
            }
            if all(holds(condition, values) for condition in card.get("where", [])):
                break
        else:
            pytest.fail(f"{card['id']}: no draw satisfies {card.get('where')}")
        result.append(values)
    return result


def test_every_numeric_card_has_a_pytorch_oracle():
    assert {card["id"] for card in NUMERIC} == set(ORACLES)


@pytest.mark.parametrize("card", NUMERIC, ids=lambda card: card["id"])
def test_numeric_answer_agrees_with_pytorch(card):
    tolerance = card.get("tolerance", 0)
    for values in draws(card):
        expected = ORACLES[card["id"]](values)
        got = evaluate(card["answer"], values)
        if tolerance:
            assert abs(got - expected) <= tolerance, (values, got, expected)
        else:
            assert got == expected, (values, got, expected)
        for lang in ("zh", "en"):  # the question shows every drawn value
            shown = PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), card["question"][lang])
            assert "{" not in shown.replace("{{", "")


def test_no_padding_formula_with_non_square_shapes():
    card = BY_ID["conv-output-no-padding"]
    for n, m, a, b in [(7, 3, 2, 3), (3, 9, 3, 1), (28, 5, 5, 5), (10, 31, 1, 7)]:
        out = F.conv2d(torch.zeros(1, 1, n, m), torch.zeros(1, 1, a, b))
        assert tuple(out.shape[-2:]) == (n - a + 1, m - b + 1)
        assert evaluate(card["answer"], {"n": n, "m": m, "a": a, "b": b}) == out[0, 0].numel()


# ---------------------------------------------------------------------------------------------- activation facts


def test_relu_output_and_gradient_match_the_cards():
    x = torch.tensor([-3.0, -0.5, 0.0, 0.5, 3.0], dtype=torch.float64, requires_grad=True)
    y = torch.relu(x)
    y.sum().backward()
    # input > 0: output is the input; input < 0: output is 0
    assert torch.equal(y.detach(), torch.where(x > 0, x, torch.zeros_like(x)).detach())
    assert cloze_answers(BY_ID["relu-cloze"], "en")[2] == fmt(torch.relu(torch.tensor(-2.0)))
    g_pos, g_neg, g_zero = x.grad[4].item(), x.grad[0].item(), x.grad[2].item()
    expected = f"x > 0: {fmt(g_pos)}; x < 0: {fmt(g_neg)}; x = 0: {fmt(g_zero)}"
    assert correct_options(BY_ID["relu-gradient"], "en") == [expected]
    assert correct_options(BY_ID["relu-gradient"], "zh") == [expected]


def test_sigmoid_range_is_the_open_interval():
    x = torch.linspace(-30, 30, 6001, dtype=torch.float64)
    y = torch.sigmoid(x)
    assert (y > 0).all() and (y < 1).all()  # never reaches 0 or 1 ...
    assert y.min() < 1e-12 and y.max() > 1 - 1e-12  # ... but gets arbitrarily close
    for lang in ("zh", "en"):
        assert cloze_answers(BY_ID["sigmoid-range"], lang)[1] == "(0, 1)"


def test_sigmoid_max_derivative():
    x = torch.linspace(-10, 10, 20001, dtype=torch.float64, requires_grad=True)
    torch.sigmoid(x).sum().backward()
    largest = x.grad.max().item()
    assert abs(x[x.grad.argmax()].item()) < 1e-9  # at x = 0
    assert math.isclose(largest, float(BY_ID["sigmoid-max-derivative"]["answer"]), rel_tol=1e-12)


def test_relu_alleviates_vanishing_gradients_but_does_not_remove_them():
    depth = 10
    x = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    y = x
    for _ in range(depth):
        y = torch.sigmoid(y)
    y.backward()
    sigmoid_bound = float(BY_ID["sigmoid-max-derivative"]["answer"]) ** depth
    assert 0 < x.grad.item() <= sigmoid_bound

    for start, expected_grad in ((2.0, 1.0), (-2.0, 0.0)):
        x = torch.tensor(start, dtype=torch.float64, requires_grad=True)
        y = x
        for _ in range(depth):
            y = torch.relu(y)
        y.backward()
        assert x.grad.item() == expected_grad  # 1 through every layer; 0 for a "dead" negative input
    card = BY_ID["relu-advantages"]
    assert any("alleviates" in text for text in correct_options(card))
    assert any("removes every gradient problem" in text for text in wrong_options(card))


def test_relu_is_a_special_case_of_maxout():
    torch.manual_seed(0)
    x = torch.randn(1000, dtype=torch.float64)
    weights = torch.tensor([0.0, 1.0], dtype=torch.float64)  # k = 2 pieces: 0·x + 0 and 1·x + 0
    biases = torch.zeros(2, dtype=torch.float64)
    maxout = (x[:, None] * weights + biases).max(dim=1).values
    assert torch.equal(maxout, torch.relu(x))
    assert "max(0, x) = ReLU" in BY_ID["maxout-definition"]["extra"]["en"]


# ---------------------------------------------------------------------------------------------- training facts


def test_learning_rate_size_on_a_quadratic():
    def descend(lr: float, steps: int = 20) -> float:
        w = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
        optimizer = torch.optim.SGD([w], lr=lr)
        for _ in range(steps):
            optimizer.zero_grad()
            (w**2).backward()
            optimizer.step()
        return abs(w.item())

    assert descend(0.1) < 0.05  # converges
    assert descend(0.001) > 0.9  # barely moves
    assert descend(1.5) > 1e5  # diverges
    extra = BY_ID["learning-rate-size"]["extra"]["en"]
    assert all(f"η = {lr}" in extra for lr in ("0.1", "0.001", "1.5"))


def test_dropout_scales_in_train_mode_and_is_identity_in_eval_mode():
    torch.manual_seed(0)
    p = 0.3
    x = torch.full((20_000,), 2.0, dtype=torch.float64)
    dropout = nn.Dropout(p)
    dropout.train()
    y = dropout(x)
    kept = y[y != 0]
    assert torch.allclose(kept, x[: kept.numel()] / (1 - p))  # kept elements scaled by 1/(1−p)
    assert abs((y == 0).double().mean().item() - p) < 0.02  # zeroed with probability p
    assert abs(y.mean().item() - x.mean().item()) < 0.05  # expectation unchanged
    dropout.eval()
    assert torch.equal(dropout(x), x)
    card = BY_ID["dropout-train-eval"]
    assert any("1/(1−p)" in text for text in correct_options(card))
    assert any("identity" in text for text in correct_options(card))
    assert any("multiplied by (1−p)" in text for text in wrong_options(card))


def test_freezing_parameters_trains_only_the_last_layer():
    torch.manual_seed(0)
    backbone = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 8))
    head = nn.Linear(8, 3)
    for parameter in backbone.parameters():
        parameter.requires_grad = False
    model = nn.Sequential(backbone, head)
    before = [p.detach().clone() for p in model.parameters()]
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
    model(torch.randn(4, 8)).pow(2).sum().backward()
    optimizer.step()
    assert all(p.grad is None for p in backbone.parameters())
    changed = [not torch.equal(old, new) for old, new in zip(before, model.parameters())]
    assert changed == [False] * 4 + [True] * 2

    other = nn.Linear(4, 2)
    other.eval()  # eval() switches BN/dropout behaviour; it does not freeze anything
    other(torch.randn(2, 4)).sum().backward()
    assert all(p.requires_grad and p.grad is not None for p in other.parameters())
    card = BY_ID["transfer-freeze-layers"]
    assert any("requires_grad = False" in text for text in correct_options(card))
    assert any("model.eval()" in text for text in wrong_options(card))


# ---------------------------------------------------------------------------------------------- CNN facts


def test_convolution_looks_at_a_small_part_property1():
    torch.manual_seed(0)
    x = torch.randn(1, 1, 12, 12, dtype=torch.float64, requires_grad=True)
    kernel = torch.randn(1, 1, 3, 3, dtype=torch.float64)
    F.conv2d(x, kernel)[0, 0, 5, 5].backward()
    window = torch.zeros(12, 12, dtype=torch.bool)
    window[5:8, 5:8] = True
    assert torch.equal(x.grad[0, 0] != 0, window)


def test_convolution_shares_weights_across_regions_property2():
    torch.manual_seed(0)
    pattern = torch.randn(3, 3, dtype=torch.float64)
    kernel = torch.randn(1, 1, 3, 3, dtype=torch.float64)
    first = torch.zeros(1, 1, 16, 16, dtype=torch.float64)
    second = torch.zeros(1, 1, 16, 16, dtype=torch.float64)
    first[0, 0, 2:5, 2:5] = pattern
    second[0, 0, 9:12, 6:9] = pattern  # the same pattern in another region
    response_first, response_second = F.conv2d(first, kernel), F.conv2d(second, kernel)
    assert torch.allclose(torch.roll(response_first, shifts=(7, 4), dims=(-2, -1)), response_second)


def test_max_pooling_and_stride_two_halve_the_size():
    for n in (4, 10, 28, 64):
        x = torch.randn(1, 1, n, n)
        assert F.max_pool2d(x, 2).shape[-1] == n // 2
        assert F.conv2d(x, torch.randn(1, 1, 3, 3), stride=2, padding=1).shape[-1] == n // 2
    correct = correct_options(BY_ID["downsampling-methods"])
    assert any("2×2 max pooling" in text and "halves" in text for text in correct)
    assert any("stride = 2" in text and "halves" in text for text in correct)


def test_kernel_numbers_are_the_weights_of_each_sub_block():
    torch.manual_seed(0)
    x = torch.randn(1, 1, 6, 6, dtype=torch.float64)
    kernel = torch.randn(1, 1, 3, 3, dtype=torch.float64)
    bias = torch.randn(1, dtype=torch.float64)
    out = F.conv2d(x, kernel, bias)
    for i in range(4):
        for j in range(4):
            weighted = (x[0, 0, i : i + 3, j : j + 3] * kernel[0, 0]).sum() + bias[0]
            assert torch.isclose(out[0, 0, i, j], weighted)
    flipped = F.conv2d(x, kernel.flip(-1, -2), bias)
    assert not torch.allclose(out, flipped)  # cross-correlation: the kernel is not flipped
    assert "not flipped" in BY_ID["kernel-weights"]["extra"]["en"]


def test_kernel_depth_equals_the_number_of_feature_maps():
    for channels, kernels, size in ((1, 4, 3), (3, 8, 5), (16, 2, 1)):
        conv = nn.Conv2d(channels, kernels, size)
        assert tuple(conv.weight.shape) == (kernels, channels, size, size)
    assert "(M, C, k, k)" in BY_ID["kernel-size-common"]["extra"]["en"]


def test_next_feature_map_is_the_sum_of_convolutions_of_all_current_maps():
    torch.manual_seed(0)
    channels, kernels = 3, 5
    x = torch.randn(1, channels, 7, 7, dtype=torch.float64)
    weight = torch.randn(kernels, channels, 3, 3, dtype=torch.float64)
    bias = torch.randn(kernels, dtype=torch.float64)
    out = F.conv2d(x, weight, bias)
    per_map = sum(F.conv2d(x[:, c : c + 1], weight[:, c : c + 1]) for c in range(channels))
    assert torch.allclose(out, per_map + bias.view(1, -1, 1, 1))
    assert out.shape[1] == kernels  # one next-layer feature map per kernel


def test_class_activation_map_from_gap_and_linear():
    torch.manual_seed(0)
    features = torch.randn(2, 6, 5, 5, dtype=torch.float64)
    classifier = nn.Linear(6, 3).double()
    scores = classifier(F.adaptive_avg_pool2d(features, 1).flatten(1))
    cam = torch.einsum("kc,bchw->bkhw", classifier.weight, features)  # CAM_c = Σ_k w_k^c · f_k
    assert torch.allclose(cam.mean(dim=(-2, -1)) + classifier.bias, scores)


# ---------------------------------------------------------------------------------------------- GAP facts


def test_gap_example_four_6x6_maps_give_a_1x4_vector():
    torch.manual_seed(0)
    maps = torch.randn(1, 4, 6, 6, dtype=torch.float64)
    vector = F.adaptive_avg_pool2d(maps, 1).flatten(1)
    assert torch.allclose(vector, maps.mean(dim=(-2, -1)))  # each map → the mean of all its pixels
    card = BY_ID["gap-example-shape"]
    assert tuple(int(d) for d in re.findall(r"\d+", card["answer"])) == tuple(vector.shape)
    question = card["question"]["en"]
    assert "4 feature maps of 6×6" in question and tuple(maps.shape[1:]) == (4, 6, 6)


def test_gap_has_no_parameters():
    assert str(_param_count(nn.AdaptiveAvgPool2d(1))) == BY_ID["gap-no-params"]["answer"]
    assert "nn.AdaptiveAvgPool2d(1)" in BY_ID["gap-no-params"]["extra"]["en"]


# ---------------------------------------------------------------------------------------------- embedding, RNN, attention


def test_embedding_maps_integer_ids_to_dense_vectors():
    torch.manual_seed(0)
    card = BY_ID["embedding-lookup"]
    vocab, dim = (int(v) for v in re.search(r"nn\.Embedding\((\d+), (\d+)\)", card["question"]["en"]).groups())
    batch, length = (int(v) for v in re.search(r"shape \((\d+), (\d+)\)", card["question"]["en"]).groups())
    embedding = nn.Embedding(vocab, dim).double()
    ids = torch.randint(0, vocab, (batch, length))
    out = embedding(ids)
    assert out.dtype == torch.float64 and correct_options(card) == [str(tuple(out.shape))]
    one_hot = F.one_hot(ids, vocab).double()
    assert torch.allclose(one_hot @ embedding.weight, out)  # lookup = one-hot × weight matrix
    assert _param_count(embedding) == vocab * dim
    assert "one-hot(i) times the weight matrix" in BY_ID["embedding-definition"]["extra"]["en"]


def test_rnn_hidden_state_carries_earlier_inputs():
    torch.manual_seed(0)
    rnn = nn.RNN(3, 5, batch_first=True).double()
    x = torch.randn(1, 6, 3, dtype=torch.float64)
    out, _ = rnn(x)
    h = torch.zeros(5, dtype=torch.float64)
    for t in range(6):  # h_t = tanh(W_ih·x_t + b_ih + W_hh·h_(t−1) + b_hh)
        h = torch.tanh(rnn.weight_ih_l0 @ x[0, t] + rnn.bias_ih_l0 + rnn.weight_hh_l0 @ h + rnn.bias_hh_l0)
        assert torch.allclose(out[0, t], h)
    changed = x.clone()
    changed[0, 0] += 1.0  # change only the first input
    assert not torch.allclose(rnn(changed)[0][0, -1], out[0, -1])  # the last output sees it
    per_step = nn.Linear(3, 5).double()  # an ordinary network handles each input on its own
    assert torch.equal(per_step(changed)[0, -1], per_step(x)[0, -1])
    assert "W_hh·h_(t−1)" in BY_ID["rnn-hidden-state"]["back"]["en"]


def test_attention_is_a_weighted_sum_with_weights_summing_to_one():
    torch.manual_seed(0)
    q, k, v = (torch.randn(2, 5, 8, dtype=torch.float64) for _ in range(3))
    weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(8), dim=-1)
    total = weights.sum(dim=-1)
    assert torch.allclose(total, torch.ones_like(total))
    assert cloze_answers(BY_ID["attention-weighted-sum"], "en")[2] == fmt(total.mean().round())
    manual = weights @ v  # 带权求和
    assert torch.allclose(manual, F.scaled_dot_product_attention(q, k, v))
    assert "softmax(Q·Kᵀ / √d_k) · V" in BY_ID["attention-formula"]["back"]["en"]


def test_multihead_self_attention_output_shape():
    card = BY_ID["mha-output-shape"]
    question = card["question"]["en"]
    embed_dim = int(re.search(r"embed_dim=(\d+)", question).group(1))
    num_heads = int(re.search(r"num_heads=(\d+)", question).group(1))
    shape = tuple(int(d) for d in re.search(r"x of shape \(([\d, ]+)\)", question).group(1).split(","))
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(embed_dim=embed_dim, num_heads=num_heads, batch_first=True)
    x = torch.randn(*shape)
    out, weights = mha(x, x, x)
    assert str(tuple(out.shape)) == card["answer"]
    assert mha.head_dim == embed_dim // num_heads
    assert tuple(weights.shape) == (shape[0], shape[1], shape[1])
    assert torch.allclose(weights.sum(-1), torch.ones(shape[0], shape[1]))
    extra = card["extra"]["en"]
    assert f"= {mha.head_dim} dimensions" in extra and str(tuple(weights.shape)) in extra


# ---------------------------------------------------------------------------------------------- BatchNorm facts


def test_batchnorm_train_mode_uses_the_biased_batch_variance_and_stores_the_unbiased_one():
    torch.manual_seed(0)
    bn = nn.BatchNorm2d(3).double()
    bn.train()
    x = torch.randn(8, 3, 4, 4, dtype=torch.float64) * 2 + 1
    y = bn(x)
    mean = x.mean(dim=(0, 2, 3))
    biased = x.var(dim=(0, 2, 3), unbiased=False)
    unbiased = x.var(dim=(0, 2, 3), unbiased=True)
    expected = (x - mean.view(1, -1, 1, 1)) / torch.sqrt(biased.view(1, -1, 1, 1) + bn.eps)
    assert torch.allclose(y, expected)
    # BN's goal: each channel of the output has mean 0 and variance 1 (γ = 1, β = 0 at start)
    goal = cloze_answers(BY_ID["bn-goal"], "en")
    assert fmt(y.mean(dim=(0, 2, 3)).abs().max().round()) == goal[1]
    assert fmt(y.var(dim=(0, 2, 3), unbiased=False).mean().round()) == goal[2]
    momentum = bn.momentum
    assert torch.allclose(bn.running_mean, momentum * mean)
    assert torch.allclose(bn.running_var, (1 - momentum) * 1 + momentum * unbiased)
    assert not torch.allclose(bn.running_var, (1 - momentum) * 1 + momentum * biased)
    correct = correct_options(BY_ID["bn-train-eval"])
    assert any("biased variance (divided by N)" in text for text in correct)
    assert any("unbiased variance (divided by N − 1)" in text for text in correct)


def test_batchnorm_eval_mode_uses_running_statistics():
    torch.manual_seed(0)
    bn = nn.BatchNorm2d(3).double()
    bn.train()
    for _ in range(5):
        bn(torch.randn(16, 3, 4, 4, dtype=torch.float64) * 3 + 2)
    bn.eval()
    x = torch.randn(4, 3, 4, 4, dtype=torch.float64)
    expected = (x - bn.running_mean.view(1, -1, 1, 1)) / torch.sqrt(bn.running_var.view(1, -1, 1, 1) + bn.eps)
    assert torch.allclose(bn(x), expected)
    assert torch.allclose(bn(x[:1]), bn(x)[:1])  # independent of the rest of the batch
    correct = correct_options(BY_ID["bn-train-eval"])
    assert any(text.startswith("eval: normalise with running_mean / running_var") for text in correct)
    assert any(text.startswith("eval: still use the current batch") for text in wrong_options(BY_ID["bn-train-eval"]))


def test_model_train_and_eval_set_the_training_flag():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2))
    answers = cloze_answers(BY_ID["bn-training-flag"], "en")
    model.train()
    assert answers[1] == str(model[1].training) and answers[3] == "`model.train()`"
    model.eval()
    assert answers[2] == str(model[1].training) and answers[4] == "`model.eval()`"


def test_batchnorm_cancels_the_bias_of_the_convolution_before_it():
    torch.manual_seed(0)
    with_bias = nn.Conv2d(3, 4, 3, padding=1, bias=True).double()
    without_bias = nn.Conv2d(3, 4, 3, padding=1, bias=False).double()
    with torch.no_grad():
        without_bias.weight.copy_(with_bias.weight)
        with_bias.bias.uniform_(-5, 5)
    bn_a, bn_b = nn.BatchNorm2d(4).double(), nn.BatchNorm2d(4).double()
    x = torch.randn(8, 3, 6, 6, dtype=torch.float64)
    assert torch.allclose(bn_a(with_bias(x)), bn_b(without_bias(x)))
    assert "bias=False" in BY_ID["bn-conv-no-bias"]["back"]["en"]


def test_larger_batches_give_statistics_closer_to_the_training_set():
    generator = torch.Generator().manual_seed(0)
    data = torch.randn(200_000, generator=generator, dtype=torch.float64) * 3 + 5
    full_mean, full_var = data.mean(), data.var()

    def error(batch_size: int) -> tuple[float, float]:
        index = torch.randint(0, data.numel(), (400, batch_size), generator=generator)
        batches = data[index]
        return (
            (batches.mean(dim=1) - full_mean).abs().mean().item(),
            (batches.var(dim=1) - full_var).abs().mean().item(),
        )

    small, large = error(4), error(256)
    assert large[0] < small[0] / 4 and large[1] < small[1] / 4


# ---------------------------------------------------------------------------------------------- normalization, time series


def test_whitening_gives_zero_mean_and_identity_covariance():
    generator = torch.Generator().manual_seed(0)
    mixing = torch.tensor([[2.0, 0.5, 0.0], [0.0, 1.0, 0.8], [0.3, 0.0, 0.5]], dtype=torch.float64)
    data = torch.randn(5000, 3, generator=generator, dtype=torch.float64) @ mixing + 4.0
    centred = data - data.mean(dim=0)
    covariance = centred.T @ centred / (data.shape[0] - 1)
    assert not torch.allclose(covariance, torch.eye(3, dtype=torch.float64), atol=0.1)  # correlated before
    eigenvalues, eigenvectors = torch.linalg.eigh(covariance)
    whitened = centred @ eigenvectors @ torch.diag(eigenvalues.rsqrt()) @ eigenvectors.T  # ZCA whitening
    assert torch.allclose(whitened.mean(dim=0), torch.zeros(3, dtype=torch.float64), atol=1e-12)
    assert torch.allclose(whitened.T @ whitened / (data.shape[0] - 1), torch.eye(3, dtype=torch.float64))


def test_autoregression_recovers_its_coefficients_from_lagged_values():
    generator = torch.Generator().manual_seed(0)
    phi1, phi2, constant = 0.6, -0.3, 1.0
    steps = 5000
    noise = torch.randn(steps, generator=generator, dtype=torch.float64) * 0.1
    series = torch.zeros(steps, dtype=torch.float64)
    for t in range(2, steps):
        series[t] = constant + phi1 * series[t - 1] + phi2 * series[t - 2] + noise[t]
    # dependent: the series; independent: the same series shifted back 1 and 2 periods
    design = torch.stack([torch.ones(steps - 2, dtype=torch.float64), series[1:-1], series[:-2]], dim=1)
    fitted = torch.linalg.lstsq(design, series[2:, None]).solution.flatten()
    assert torch.allclose(fitted, torch.tensor([constant, phi1, phi2], dtype=torch.float64), atol=0.05)
    assert "φ₁·x_(t−1)" in BY_ID["ar-variables"]["extra"]["en"]
