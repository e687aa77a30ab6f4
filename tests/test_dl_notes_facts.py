"""Every fact the built-in deck ``decks/dl-notes.yaml`` states holds in PyTorch, and every number on a card is checked.

Three layers:

1. Numeric cards: the answer formula is evaluated with ``dlquiz.cards.expr`` (the app's own evaluator) over
   hundreds of seeded draws and compared with what PyTorch computes (``ORACLES``).
2. Every number on a card: ``numbers_on(card)`` collects each number a learner can read on a card (front, back,
   cloze text, question, options, typed answers, extra). A checker registered for that card with ``@checks(...)``
   computes those numbers with torch (or feeds them to torch as the example's inputs and checks the outcome), and
   returns the ones it verified; the card's numbers must all be among them. A card that gains a number without a
   check fails ``test_every_number_on_a_card_is_checked``.
3. Claims without numbers (e.g. "``torch.no_grad()`` does not switch BN to eval") are tested one by one below.

The deck is read with ``yaml.safe_load`` (not through dlquiz's loader), so these tests pin the content of the deck.
"""

from __future__ import annotations

import functools
import math
import random
import re
import warnings
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
import yaml
from torch import nn

from dlquiz.cards.answer_forms import accepts, parse_number, parse_shape
from dlquiz.cards.expr import evaluate, holds

DECK_PATH = Path(__file__).resolve().parents[1] / "decks" / "dl-notes.yaml"
DECK = yaml.safe_load(DECK_PATH.read_text(encoding="utf-8"))
CARDS = DECK["cards"]
BY_ID = {card["id"]: card for card in CARDS}
CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
NUMBER = re.compile(r"(?<![\w.])[0-9]+(?:\.[0-9]+)?")  # 4 of 4E², 2 of 2h; not the 2 of conv2d or the 1 of x_1
LIST_MARKER = re.compile(r"(?m)^\s*[0-9]+\.\s")
PROPERTY_LABEL = re.compile(r"Property ?[0-9]")  # the notes' numbering of CNN properties, a name, not a quantity
F64 = torch.float64


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """These tensors are tiny: a second thread only costs synchronisation (15× slower on a busy machine)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def en(card_id: str, field: str) -> str:
    return BY_ID[card_id][field]["en"]


def cloze_answers(card_id: str, lang: str = "en") -> dict[int, str]:
    return {int(number): answer for number, answer, _hint in CLOZE.findall(BY_ID[card_id]["text"][lang])}


def options(card_id: str, correct: bool, lang: str = "en") -> list[str]:
    return [o["text"][lang] for o in BY_ID[card_id]["options"] if o.get("correct", False) is correct]


def displayed_texts(card: dict) -> list[str]:
    fields = [card[key] for key in ("front", "back", "text", "question", "extra") if key in card]
    texts = [value for field in fields for value in field.values()]
    texts += [value for option in card.get("options", []) for value in option["text"].values()]
    if card["type"] == "typed":
        texts += [str(card["answer"]), *(str(a) for a in card.get("accept", []))]
    return texts


def numbers_on(card: dict) -> set[float]:
    """Every number a learner can read on the card (a numeric card's drawn {params} are checked by its oracle)."""
    found: set[float] = set()
    for text in displayed_texts(card):
        text = CLOZE.sub(lambda m: f"{m.group(2)} {m.group(3) or ''}", text)
        text = PROPERTY_LABEL.sub(" ", LIST_MARKER.sub(" ", PLACEHOLDER.sub(" ", text)))
        found |= {float(number) for number in NUMBER.findall(text)}
    return found


def sig(value: float | torch.Tensor, digits: int = 2) -> float:
    """``value`` rounded to ``digits`` significant digits, as a card states an approximate number."""
    return float(f"{float(value):.{digits}g}")


def param_count(module: nn.Module, trainable_only: bool = False) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad or not trainable_only)


def conv_side(n: int, k: int, *, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    x, w = torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k)
    return F.conv2d(x, w, stride=stride, padding=padding, dilation=dilation).shape[-1]


def sigmoid_grad(z: float) -> float:
    x = torch.tensor(float(z), dtype=F64, requires_grad=True)
    torch.sigmoid(x).backward()
    return x.grad.item()


# ===================================================================================== 1. numeric cards


def _sgd_step(v):
    w = torch.tensor(float(v["w"]), dtype=F64, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=v["lr"])
    (w * v["g"]).backward()  # dL/dw = g
    optimizer.step()
    return w.item()


@functools.cache
def largest_sigmoid_grad() -> float:
    x = torch.linspace(-5, 5, 1001, dtype=F64, requires_grad=True)
    torch.sigmoid(x).sum().backward()
    return x.grad.max().item()  # σ′ over a grid that holds 0: its largest value


def _sigmoid_bound(v):
    return largest_sigmoid_grad() ** v["L"]


def _maxout_params(v):
    layer = nn.Linear(v["d"], v["m"] * v["k"])  # k linear pieces per output unit
    out = layer(torch.empty(3, v["d"])).view(3, v["m"], v["k"]).amax(-1)
    assert out.shape == (3, v["m"])
    return param_count(layer)


def _conv_params(v):
    conv = nn.Conv2d(v["c"], v["m"], v["k"])
    assert conv(torch.empty(1, v["c"], 9, 9)).shape[1] == v["m"]  # one feature map per kernel
    return param_count(conv)


def _gap_params_saved(v):
    c, h, w, k = v["c"], v["h"], v["w"], v["k"]
    flatten_fc = nn.Sequential(nn.Flatten(), nn.Linear(c * h * w, k))
    gap_fc = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, k))
    x = torch.empty(1, c, h, w)
    assert flatten_fc(x).shape == gap_fc(x).shape == (1, k)
    return param_count(flatten_fc) - param_count(gap_fc)


def _transfer_trainable(v):
    backbone = nn.Sequential(nn.Conv2d(3, 8, 3), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, v["c"]))
    backbone.requires_grad_(False)
    model = nn.Sequential(backbone, nn.Linear(v["c"], v["k"]))
    assert model(torch.zeros(2, 3, 8, 8)).shape == (2, v["k"])
    return param_count(model, trainable_only=True)


def _rnn_params(v):
    rnn = nn.RNN(v["i"], v["h"])
    assert rnn(torch.zeros(5, 1, v["i"]))[0].shape == (5, 1, v["h"])
    return param_count(rnn)


def _bn_running_mean(v):
    bn = nn.BatchNorm2d(1).double()
    assert bn.momentum == 0.1  # the question's momentum is PyTorch's default
    bn.running_mean.fill_(v["r"])
    bn.train()
    bn(torch.full((2, 1, 3, 3), float(v["mu"]), dtype=F64))  # a batch whose channel mean is mu
    return bn.running_mean.item()


def _score_entries(v):
    mha = nn.MultiheadAttention(8, 2, batch_first=True)
    x = torch.zeros(1, v["L"], 8)
    _, weights = mha(x, x, x, average_attn_weights=False)
    return weights[0, 0].numel()  # one head, one sample: L × L


def _ar_one_step(v):
    regression = nn.Linear(2, 1).double()
    with torch.no_grad():
        regression.weight.copy_(torch.tensor([[v["a"], v["b"]]]))
        regression.bias.fill_(v["c"])
    return regression(torch.tensor([[float(v["x1"]), float(v["x2"])]], dtype=F64)).item()


def _same_padding(v):
    found = {p for p in range(v["k"] + 1) if all(conv_side(n, v["k"], padding=p) == n for n in (v["k"], 16, 33))}
    assert len(found) == 1, found
    return found.pop()


def _conv_stack(v):
    x = torch.zeros(1, 1, v["n"], v["n"])
    for _ in range(v["L"]):
        x = F.conv2d(x, torch.zeros(1, 1, v["k"], v["k"]))
    return x.shape[-1]


ORACLES: dict[str, Callable[[dict], float]] = {
    "sigmoid-depth-bound": _sigmoid_bound,
    "maxout-param-count": _maxout_params,
    "sgd-update": _sgd_step,
    "conv-param-count": _conv_params,
    "gap-value": lambda v: F.adaptive_avg_pool2d(
        torch.tensor([[v["a"], v["b"]], [v["c"], v["d"]]], dtype=F64).view(1, 1, 2, 2), 1
    ).item(),
    "gap-params-saved": _gap_params_saved,
    "embedding-params": lambda v: param_count(nn.Embedding(v["V"], v["d"])),
    "rnn-param-count": _rnn_params,
    "mha-head-dim": lambda v: nn.MultiheadAttention(v["E"], v["h"]).head_dim,
    "attention-score-matrix": _score_entries,
    "conv-output-no-padding": lambda v: F.conv2d(
        torch.zeros(1, 1, v["n"], v["m"]), torch.zeros(1, 1, v["a"], v["b"])
    ).shape[-2],  # the height: the notes' (n − a + 1) * (m − b + 1) is a shape
    "conv-output-size": lambda v: conv_side(v["n"], v["k"], stride=v["s"], padding=v["p"]),
    "conv-stack-shrink": _conv_stack,
    "padding-same": _same_padding,
    "dilation-effective-kernel": lambda v: 40 - conv_side(40, v["k"], dilation=v["d"]) + 1,  # n − out + 1
    "bn-running-mean": _bn_running_mean,
    "stride2-halves": lambda v: conv_side(v["n"], 3, stride=2, padding=1),
    "transfer-add-fc-params": _transfer_trainable,
    "ar-one-step": _ar_one_step,
}
NUMERIC = [card for card in CARDS if card["type"] == "numeric"]


def draws(card: dict, count: int = 150) -> list[dict]:
    """Seeded draws of the card's params that satisfy its ``where`` constraints, as the app draws them."""
    rng = random.Random(zlib.crc32(card["id"].encode()))
    result = []
    for _attempt in range(100_000):
        values = {
            name: rng.choice(spec["choices"]) if "choices" in spec else rng.randint(spec["min"], spec["max"])
            for name, spec in card["params"].items()
        }
        if all(holds(condition, values) for condition in card.get("where", [])):
            result.append(values)
            if len(result) == count:
                return result
    pytest.fail(f"{card['id']}: too few draws satisfy {card.get('where')}")


def test_every_numeric_card_has_a_pytorch_oracle():
    assert {card["id"] for card in NUMERIC} == set(ORACLES)


@pytest.mark.parametrize("card", NUMERIC, ids=lambda card: card["id"])
def test_numeric_answer_agrees_with_pytorch(card):
    tolerance = card.get("tolerance", 0)
    distinct = {tuple(sorted(values.items())): values for values in draws(card)}
    for values in distinct.values():
        expected, got = ORACLES[card["id"]](values), evaluate(card["answer"], values)
        assert abs(got - expected) <= max(tolerance, 1e-12), (values, got, expected)


def test_numeric_draws_teach_the_general_case():
    conv = [v for v in draws(BY_ID["conv-output-size"], 500)]
    assert all(v["p"] <= (v["k"] - 1) // 2 for v in conv)  # no padding wider than the kernel's reach
    assert any(v["k"] == 1 for v in conv) and all(v["p"] == 0 for v in conv if v["k"] == 1)
    assert {v["n"] % 2 for v in draws(BY_ID["stride2-halves"])} == {0, 1}  # odd sizes too
    assert all(v["g"] != 0 for v in draws(BY_ID["sgd-update"]))  # g = 0 would show the answer in the question
    for card_id in ("conv-param-count", "transfer-add-fc-params", "gap-params-saved", "embedding-params"):
        largest = max(evaluate(BY_ID[card_id]["answer"], v) for v in draws(BY_ID[card_id], 500))
        assert largest < 20_000, (card_id, largest)  # the idea, not arithmetic practice with millions


# ===================================================================================== 2. every number

CHECKS: dict[str, Callable[[], dict[str, set[float]]]] = {}


def checks(*card_ids: str):
    """Register a checker for these cards: it asserts the facts with torch and returns the numbers it verified."""

    def register(function: Callable[[], dict[str, set[float]]]):
        cached = functools.cache(function)
        for card_id in card_ids:
            assert card_id not in CHECKS, card_id
            CHECKS[card_id] = cached
        return cached

    return register


@checks(
    "sigmoid-range", "sigmoid-max-derivative", "sigmoid-saturation", "sigmoid-depth-bound", "relu-instead-of-sigmoid"
)
def sigmoid_numbers():
    x = torch.linspace(-30, 30, 6001, dtype=F64, requires_grad=True)
    y = torch.sigmoid(x)
    y.sum().backward()
    assert (y > 0).all() and (y < 1).all() and y.min() < 1e-12 and y.max() > 1 - 1e-12  # the open interval (0, 1)
    assert torch.allclose(y, 1 / (1 + torch.exp(-x)))  # σ(x) = 1/(1+e^(−x))
    assert torch.allclose(x.grad, (y * (1 - y)).detach())  # σ′ = σ(1 − σ)
    largest, at = x.grad.max().item(), x[x.grad.argmax()].item()
    assert largest == pytest.approx(0.25, abs=1e-12) and abs(at) < 1e-9  # the largest σ′, at x = 0 ...
    largest = sigmoid_grad(0)  # ... where it is exactly 0.25 = σ(0)·(1 − σ(0)) = 0.5 × 0.5
    assert largest == 0.25 and torch.sigmoid(torch.tensor(0.0)).item() == 0.5
    assert sigmoid_grad(30) < 1e-12  # σ′ → 0 for large |z|: saturation
    # A layer multiplies the gradient by w·σ′(z): 1 at most when |w| = 4, above 1 beyond it.
    for w, above_one in ((4.0, False), (4.5, True)):
        z = torch.tensor(0.0, dtype=F64, requires_grad=True)
        torch.sigmoid(w * z).backward()
        assert (z.grad.item() > 1) is above_one and z.grad.item() <= w * largest
    s5, d5 = torch.sigmoid(torch.tensor(5.0, dtype=F64)).item(), sigmoid_grad(5)
    card = BY_ID["sigmoid-saturation"]
    assert accepts(str(d5), [card["answer"]], "number", card["tolerance"])
    # Through 6 sigmoid layers the gradient is at most 0.25^6, and in fact below it.
    z = torch.tensor(0.3, dtype=F64, requires_grad=True)
    out = z
    for _ in range(6):
        out = torch.sigmoid(out)
    out.backward()
    assert 0 < z.grad.item() <= largest**6
    shared = {0, 1, largest}
    return {
        "sigmoid-range": {0, 1},
        "sigmoid-max-derivative": shared | {0.5, 4, 5, sig(d5)},
        "sigmoid-saturation": shared | {5, round(s5, 4), sig(d5), round(largest / d5)},
        "sigmoid-depth-bound": {largest, 6, sig(largest**6)},
        "relu-instead-of-sigmoid": shared,
    }


@checks("relu-definition", "relu-cloze", "relu-gradient", "relu-advantages", "relu-dying")
def relu_numbers():
    x = torch.tensor([-3.0, -0.5, 0.0, 0.5, 3.0], dtype=F64, requires_grad=True)
    y = torch.relu(x)
    y.sum().backward()
    assert torch.equal(y.detach(), torch.where(x > 0, x, 0.0).detach())  # input if > 0, else 0
    assert torch.equal(y.detach(), torch.maximum(torch.zeros_like(x), x).detach())  # max(0, x)
    grads = {"x > 0": x.grad[4].item(), "x < 0": x.grad[0].item(), "x = 0": x.grad[2].item()}
    expected = "; ".join(f"{where}: {value:g}" for where, value in grads.items())
    assert options("relu-gradient", True) == [expected] == options("relu-gradient", True, "zh")
    assert grads["x = 0"] not in (0.5, 1.0)  # the wrong options
    # A dead unit: pre-activation < 0 for every input, so output 0, gradient 0, and SGD never moves it.
    torch.manual_seed(0)
    unit = nn.Linear(4, 1).double()
    with torch.no_grad():
        unit.bias.fill_(-10.0)
    inputs = torch.rand(256, 4, dtype=F64) * 2 - 1
    before = [p.detach().clone() for p in unit.parameters()]
    out = torch.relu(unit(inputs))
    out.sum().backward()
    torch.optim.SGD(unit.parameters(), lr=0.1).step()
    assert torch.equal(out, torch.zeros_like(out)) and all(p.grad.abs().max() == 0 for p in unit.parameters())
    assert all(torch.equal(old, new) for old, new in zip(before, unit.parameters(), strict=False))
    return {
        "relu-definition": {0},
        "relu-cloze": {0},
        "relu-gradient": {0, 1, 0.5},
        "relu-advantages": {0, grads["x > 0"]},
        "relu-dying": {0},
    }


@checks("maxout-definition", "maxout-param-count")
def maxout_numbers():
    torch.manual_seed(0)
    x = torch.randn(1000, dtype=F64)
    w, b = 1.7, -0.3  # ReLU is k = 2 pieces, one of them fixed at 0: max(w·x + b, 0)
    pieces = torch.stack([w * x + b, torch.zeros_like(x)], dim=1)
    assert torch.equal(pieces.max(dim=1).values, torch.relu(w * x + b))
    weights, biases = torch.randn(5, dtype=F64), torch.randn(5, dtype=F64)  # a maxout unit of k = 5 pieces

    def maxout(t: torch.Tensor) -> torch.Tensor:
        return (t[:, None] * weights + biases).max(dim=1).values

    a, c = torch.randn(500, dtype=F64), torch.randn(500, dtype=F64)
    assert (maxout((a + c) / 2) <= (maxout(a) + maxout(c)) / 2 + 1e-12).all()  # convex
    d, m, k = 6, 3, 4  # k times the parameters of a linear layer with the same outputs, each piece d + 1 numbers
    assert param_count(nn.Linear(d, m * k)) == k * param_count(nn.Linear(d, m)) == m * k * (d + 1)
    return {"maxout-definition": {0, 2}, "maxout-param-count": {1}}


@checks("learning-rate-size")
def learning_rate_numbers():
    def descend(lr: float, steps: int = 20) -> float:
        w = torch.tensor(1.0, dtype=F64, requires_grad=True)
        optimizer = torch.optim.SGD([w], lr=lr)
        for _ in range(steps):
            optimizer.zero_grad()
            (w**2).backward()
            optimizer.step()
        return abs(w.item())

    assert descend(0.1) < 0.05 and descend(0.001) > 0.9 and descend(1.5) > 1e5  # converges, crawls, diverges
    return {"learning-rate-size": {0.1, 0.001, 1.5}}


@checks("dropout-train-eval")
def dropout_numbers():
    torch.manual_seed(0)
    p = 0.3
    x = torch.full((20_000,), 2.0, dtype=F64)
    dropout = nn.Dropout(p)
    y = dropout(x)
    kept = y[y != 0]
    assert torch.allclose(kept, torch.full_like(kept, 2.0 / (1 - p)))  # kept elements scaled by 1/(1−p)
    assert abs((y == 0).double().mean().item() - p) < 0.02 and abs(y.mean().item() - 2.0) < 0.05
    dropout.eval()
    assert torch.equal(dropout(x), x)  # identity, not × (1−p)
    return {"dropout-train-eval": {0, 1}}


@checks("cnn-property3-pooling", "downsampling-methods", "downsample-by-net-size", "stride2-halves")
def downsampling_numbers():
    for n in (4, 9, 10, 28, 63):
        x = torch.zeros(1, 1, n, n)
        assert F.conv2d(x, torch.zeros(1, 1, 3, 3), stride=1, padding=1).shape[-1] == n  # stride 1 keeps the size
        assert F.max_pool2d(x, 2).shape[-1] == n // 2  # 2×2 max pooling (stride 2) halves
        assert conv_side(n, 3, stride=2, padding=1) == math.ceil(n / 2) == (n + 1) // 2  # halves even n exactly
    return {
        "cnn-property3-pooling": {1},
        "downsampling-methods": {1, 2, 3},
        "downsample-by-net-size": {2},
        "stride2-halves": {1, 2, 3},
    }


@checks("normalization-why", "whitening", "norm-comparison")
def normalization_numbers():
    generator = torch.Generator().manual_seed(0)
    mixing = torch.tensor([[2.0, 0.5, 0.0], [0.0, 1.0, 0.8], [0.3, 0.0, 0.5]], dtype=F64)
    data = torch.randn(5000, 3, generator=generator, dtype=F64) @ mixing + 4.0
    eye = torch.eye(3, dtype=F64)
    standardised = (data - data.mean(0)) / data.std(0)
    covariance = torch.cov(standardised.T)
    assert torch.allclose(standardised.mean(0), torch.zeros(3, dtype=F64), atol=1e-12)
    assert torch.allclose(covariance.diagonal(), torch.ones(3, dtype=F64))  # mean 0, variance 1 ...
    assert not torch.allclose(covariance, eye, atol=0.1)  # ... but still correlated
    centred = data - data.mean(0)
    values, vectors = torch.linalg.eigh(torch.cov(centred.T))
    whitened = centred @ vectors @ torch.diag(values.rsqrt()) @ vectors.T  # ZCA whitening
    assert torch.allclose(whitened.mean(0), torch.zeros(3, dtype=F64), atol=1e-12)
    assert torch.allclose(torch.cov(whitened.T), eye)  # identity covariance: uncorrelated, variance 1
    # BN: per channel over batch and positions; LayerNorm: per sample over its own features.
    x = torch.randn(8, 3, 4, 4, generator=generator, dtype=F64) * 3 + 1
    bn = F.batch_norm(x, None, None, training=True)
    assert torch.allclose(bn.mean((0, 2, 3)), torch.zeros(3, dtype=F64), atol=1e-12)
    assert torch.allclose(bn.var((0, 2, 3), unbiased=False), torch.ones(3, dtype=F64), atol=1e-4)
    ln = F.layer_norm(x, x.shape[1:])
    assert torch.allclose(ln.mean((1, 2, 3)), torch.zeros(8, dtype=F64), atol=1e-12)
    assert torch.allclose(F.layer_norm(x[:1], x.shape[1:]), ln[:1])  # independent of the batch
    return {"normalization-why": {0, 1}, "whitening": {0, 1}, "norm-comparison": {0, 1}}


@checks("feature-map-definition", "input-feature-maps", "kernel-size-common", "conv-weight-shape", "conv-param-count")
def feature_map_numbers():
    gray, rgb = torch.rand(1, 1, 8, 8), torch.rand(1, 3, 8, 8)
    assert nn.Conv2d(1, 4, 3)(gray).shape[1] == nn.Conv2d(3, 4, 3)(rgb).shape[1] == 4  # 1 map in, or 3 (R, G, B)
    luminance = (rgb * torch.tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)).sum(1, keepdim=True)
    assert luminance.shape == gray.shape  # a colour image made gray has 1 feature map
    out = nn.Conv2d(3, 5, 3)(rgb)
    assert out[0, 0].dim() == 2  # each feature map is a 2-D image; a layer's data are C × H × W per sample
    for k in (3, 5):  # the common odd sizes have a symmetric same padding (k − 1) / 2
        assert conv_side(16, k, padding=(k - 1) // 2) == 16
    card = BY_ID["conv-weight-shape"]
    conv = nn.Conv2d(3, 16, 5)
    assert "`nn.Conv2d(3, 16, 5)`" in card["question"]["en"]
    assert parse_shape(card["answer"]) == tuple(conv.weight.shape) and tuple(conv.bias.shape) == (16,)
    assert tuple(nn.Conv2d(4, 7, 3).bias.shape) == (7,)  # 1 bias per kernel
    return {
        "feature-map-definition": {2},
        "input-feature-maps": {1, 3},
        "kernel-size-common": {3, 5},
        "conv-weight-shape": {3, 16, 5},
        "conv-param-count": {1},
    }


@checks("gap-example-shape", "gap-value", "gap-params-saved", "gap-no-params")
def gap_numbers():
    torch.manual_seed(0)
    maps = torch.randn(1, 4, 6, 6, dtype=F64)  # the note's example: 4 maps of 6×6
    pooled = F.adaptive_avg_pool2d(maps, 1)
    vector = pooled.flatten(1)
    assert tuple(pooled.shape) == (1, 4, 1, 1) and tuple(vector.shape) == (1, 4)
    assert torch.allclose(vector, maps.mean(dim=(-2, -1)))  # each map → the mean of all its pixels
    card = BY_ID["gap-example-shape"]
    assert {parse_shape(a) for a in [card["answer"], *card["accept"]]} == {tuple(vector.shape), tuple(vector[0].shape)}
    assert "4 feature maps of 6×6" in card["question"]["en"]
    layer = nn.AdaptiveAvgPool2d(1)
    assert param_count(layer) == 0 == int(BY_ID["gap-no-params"]["answer"])
    c, h, w, k = 8, 5, 3, 6  # the difference of the two heads is c·k·(h·w − 1)
    assert _gap_params_saved({"c": c, "h": h, "w": w, "k": k}) == c * k * (h * w - 1)
    return {
        "gap-example-shape": {1, 4, 6},
        "gap-value": {2},
        "gap-params-saved": {param_count(layer), 1},
        "gap-no-params": {param_count(layer), 1},
    }


@checks("embedding-lookup")
def embedding_numbers():
    torch.manual_seed(0)
    question = en("embedding-lookup", "question")
    vocab, dim = (int(v) for v in re.search(r"nn\.Embedding\((\d+), (\d+)\)", question).groups())
    batch, length = (int(v) for v in re.search(r"shape \((\d+), (\d+)\)", question).groups())
    embedding = nn.Embedding(vocab, dim).double()
    ids = torch.randint(0, vocab, (batch, length))
    out = embedding(ids)
    assert options("embedding-lookup", True) == [str(tuple(out.shape))]
    assert torch.allclose(F.one_hot(ids, vocab).double() @ embedding.weight, out)  # one-hot(i) × the weights
    assert param_count(embedding) == vocab * dim  # a V×d table, no bias
    return {"embedding-lookup": {vocab, dim, batch, length}}


@checks("rnn-hidden-state", "rnn-bptt", "rnn-param-count")
def rnn_numbers():
    torch.manual_seed(0)
    rnn = nn.RNN(3, 5, batch_first=True).double()
    x = torch.randn(1, 6, 3, dtype=F64)
    out, _ = rnn(x)
    h = torch.zeros(5, dtype=F64)
    for t in range(6):  # h_t = tanh(W_ih·x_t + b_ih + W_hh·h_(t−1) + b_hh)
        h_prev = h
        h = torch.tanh(rnn.weight_ih_l0 @ x[0, t] + rnn.bias_ih_l0 + rnn.weight_hh_l0 @ h_prev + rnn.bias_hh_l0)
        assert torch.allclose(out[0, t], h)
    # BPTT: ∂h_s/∂h_(s−1) = diag(1 − h_s²)·W_hh

    def last_step(prev: torch.Tensor) -> torch.Tensor:
        return torch.tanh(rnn.weight_ih_l0 @ x[0, 5] + rnn.bias_ih_l0 + rnn.weight_hh_l0 @ prev + rnn.bias_hh_l0)

    jacobian = torch.autograd.functional.jacobian(last_step, h_prev)
    assert torch.allclose(jacobian, torch.diag(1 - h**2) @ rnn.weight_hh_l0)
    # Small W_hh: the gradient reaching an input decays exponentially with its distance in time.
    small = nn.RNN(4, 4, batch_first=True).double()
    with torch.no_grad():
        small.weight_hh_l0.mul_(0.3)
    seq = torch.randn(1, 30, 4, dtype=F64, requires_grad=True)
    small(seq)[0][0, -1].sum().backward()
    norms = seq.grad[0].norm(dim=1)
    assert norms[0] < 1e-6 * norms[-1] and norms[-10] < norms[-1]
    i, h = 3, 5  # W_ih h×i, W_hh h×h, b_ih and b_hh: h·(i + h) + 2h, whatever the sequence length
    assert [tuple(p.shape) for p in rnn.parameters()] == [(h, i), (h, h), (h,), (h,)]
    assert param_count(rnn) == h * (i + h) + 2 * h
    assert rnn(torch.randn(1, 40, i, dtype=F64))[0].shape == (1, 40, h)  # the same weights for 40 steps as for 6
    return {"rnn-hidden-state": {1}, "rnn-bptt": {1}, "rnn-param-count": {2}}


@checks(
    "attention-advantages",
    "attention-weighted-sum",
    "attention-formula",
    "attention-scale",
    "mha-output-shape",
    "attention-score-matrix",
)
def attention_numbers():
    torch.manual_seed(0)
    q, k, v = (torch.randn(2, 5, 8, dtype=F64) for _ in range(3))
    weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(8), dim=-1)
    assert torch.allclose(weights.sum(-1), torch.ones(2, 5, dtype=F64))  # each row sums to 1
    assert torch.allclose(weights @ v, F.scaled_dot_product_attention(q, k, v))  # softmax(QKᵀ/√d_k)·V
    for d_k in (16, 256):  # q·k of unit-variance vectors has variance d_k; / √d_k brings it back to 1
        a, b = torch.randn(20_000, d_k, dtype=F64), torch.randn(20_000, d_k, dtype=F64)
        dots = (a * b).sum(-1)
        assert abs(dots.var().item() / d_k - 1) < 0.05 and abs((dots / math.sqrt(d_k)).var().item() - 1) < 0.05
    # Without the scaling a wide head's softmax saturates: nearly all weight on one key, so the gradients vanish.
    a, b = torch.randn(64, 256, dtype=F64), torch.randn(256, 64, dtype=F64)
    raw, scaled = torch.softmax(a @ b, dim=-1), torch.softmax(a @ b / math.sqrt(256), dim=-1)
    assert raw.max(-1).values.mean() > 0.9 > scaled.max(-1).values.mean()
    card = BY_ID["mha-output-shape"]
    question = card["question"]["en"]
    embed_dim, heads = (int(re.search(rf"{name}=(\d+)", question).group(1)) for name in ("embed_dim", "num_heads"))
    shape = tuple(int(d) for d in re.search(r"x has shape \(([\d, ]+)\)", question).group(1).split(","))
    mha = nn.MultiheadAttention(embed_dim, heads, batch_first=True)
    x = torch.randn(*shape)
    out, averaged = mha(x, x, x)
    _, per_head = mha(x, x, x, average_attn_weights=False)
    assert parse_shape(card["answer"]) == tuple(averaged.shape) and tuple(out.shape) == shape
    assert torch.allclose(averaged.sum(-1), torch.ones(shape[:2]))
    assert mha.head_dim == embed_dim // heads
    for text in (f"{tuple(per_head.shape)}", f"{tuple(out.shape)}", f"{embed_dim} / {heads} = {mha.head_dim}"):
        assert text in card["extra"]["en"], text
    for width in (16, 64):  # W_Q, W_K, W_V, W_O and their biases: 4E² + 4E, the order of an RNN as wide (2E² + 2E)
        assert param_count(nn.MultiheadAttention(width, 4)) == 4 * width**2 + 4 * width
        assert param_count(nn.RNN(width, width)) == 2 * width**2 + 2 * width
    for length in (7, 50):  # doubling L makes the L×L score matrix 4 times larger
        assert _score_entries({"L": 2 * length}) == 4 * _score_entries({"L": length})
    return {
        "attention-advantages": {4},
        "attention-weighted-sum": {1},
        "attention-formula": {1},
        "attention-scale": {1},
        "mha-output-shape": {*shape, heads, mha.head_dim, 1, *per_head.shape},
        "attention-score-matrix": {4},
    }


@checks("causal-mask", "ar-chain-rule")
def causal_numbers():
    torch.manual_seed(0)
    L = 6
    q, k, v = (torch.randn(1, L, 4, dtype=F64) for _ in range(3))
    causal = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    scores = (q @ k.transpose(-2, -1) / 2).masked_fill(torch.ones(L, L).triu(1).bool(), float("-inf"))
    weights = torch.softmax(scores, -1)
    assert torch.allclose(weights @ v, causal)
    assert torch.equal(weights[0].triu(1), torch.zeros(L, L, dtype=F64))  # weight 0 for j > t
    assert (weights[0][torch.ones(L, L).tril().bool()] > 0).all()  # positions 1 … t, itself included, are seen
    changed = v.clone()
    changed[0, 3:] += 1.0  # change the future: the outputs at t = 1 … 3 stay the same
    assert torch.allclose(F.scaled_dot_product_attention(q, k, changed, is_causal=True)[0, :3], causal[0, :3])
    # The chain rule: p(x) = Π p(x_t | x_<t) for any joint distribution of three binary variables.
    joint = torch.rand(2, 2, 2, dtype=F64)
    joint /= joint.sum()
    p1 = joint.sum((1, 2))
    p2_given_1 = joint.sum(2) / p1[:, None]
    p3_given_12 = joint / joint.sum(2, keepdim=True)
    assert torch.allclose(p1[:, None, None] * p2_given_1[:, :, None] * p3_given_12, joint)
    return {"causal-mask": {0, 1}, "ar-chain-rule": {1}}


@checks(
    "conv-output-no-padding",
    "conv-output-size",
    "conv-stack-shrink",
    "padding-why",
    "padding-same",
    "even-kernel-same",
    "dilation-effective-kernel",
)
def padding_numbers():
    for n, m, a, b in [(7, 3, 2, 3), (3, 9, 3, 1), (28, 5, 5, 5)]:  # the note's (n − a + 1) × (m − b + 1)
        out = F.conv2d(torch.zeros(1, 1, n, m), torch.zeros(1, 1, a, b))
        assert tuple(out.shape[-2:]) == (n - a + 1, m - b + 1)
    for n, k, p, stride in [(28, 5, 2, 2), (7, 3, 1, 3), (64, 7, 3, 2), (9, 1, 0, 2)]:  # ⌊(n + 2p − k) / s⌋ + 1
        assert conv_side(n, k, stride=stride, padding=p) == (n + 2 * p - k) // stride + 1
    for k in (1, 3, 5, 7):  # odd k: p = (k − 1) / 2 keeps the size
        assert conv_side(20, k, padding=(k - 1) // 2) == 20
    k = 4  # even k: 2p = k − 1 is odd, so no symmetric padding keeps the size
    assert all(conv_side(20, k, padding=p) != 20 for p in range(k + 1))
    x, w = torch.randn(1, 1, 9, 9), torch.randn(1, 1, k, k)
    with warnings.catch_warnings():  # PyTorch warns that even kernels need an extra padded copy: the point here
        warnings.simplefilter("ignore", UserWarning)
        same = F.conv2d(x, w, padding="same")
    assert same.shape == x.shape and torch.allclose(same, F.conv2d(F.pad(x, (1, 2, 1, 2)), w))  # 1 more right/bottom
    for k, d in ((3, 2), (2, 4), (5, 3)):  # gaps of d − 1 between weights: the kernel spans d·(k − 1) + 1
        assert conv_side(30, k, dilation=d) == 30 - d * (k - 1)
    return {
        "conv-output-no-padding": {1},
        "conv-output-size": {1, 2},
        "conv-stack-shrink": {1},
        "padding-why": {1},
        "padding-same": {1, 2},
        "even-kernel-same": {1, 2, 4},
        "dilation-effective-kernel": {1},
    }


@checks(
    "bn-goal", "bn-train-eval", "bn-backward", "bn-running-mean", "bn-batch-size", "bn-batch-of-one", "bn-conv-no-bias"
)
def batchnorm_numbers():
    torch.manual_seed(0)
    x = torch.randn(8, 3, 4, 4, dtype=F64) * 2 + 1
    bn = nn.BatchNorm2d(3).double()
    assert torch.equal(bn.weight, torch.ones(3, dtype=F64)) and torch.equal(bn.bias, torch.zeros(3, dtype=F64))
    y = bn(x)
    m = x.shape[0] * x.shape[2] * x.shape[3]  # per channel, over m = N·H·W values
    mean, biased, unbiased = x.mean((0, 2, 3)), x.var((0, 2, 3), unbiased=False), x.var((0, 2, 3), unbiased=True)
    assert torch.allclose(biased * m / (m - 1), unbiased)
    assert torch.allclose(y, (x - mean.view(1, 3, 1, 1)) / torch.sqrt(biased.view(1, 3, 1, 1) + bn.eps))
    assert torch.allclose(y.mean((0, 2, 3)), torch.zeros(3, dtype=F64), atol=1e-12)  # mean 0, variance 1
    assert torch.allclose(y.var((0, 2, 3), unbiased=False), torch.ones(3, dtype=F64), atol=1e-4)
    with torch.no_grad():  # after γ and β: mean β, variance about γ²
        bn.weight.copy_(torch.tensor([2.0, 0.5, 3.0]))
        bn.bias.copy_(torch.tensor([1.0, -2.0, 0.0]))
    shifted = bn(x)
    assert torch.allclose(shifted.mean((0, 2, 3)), bn.bias)
    assert torch.allclose(shifted.var((0, 2, 3), unbiased=False), bn.weight**2, rtol=1e-4)
    one_step = nn.BatchNorm2d(3, momentum=1.0).double()  # running_var stores the unbiased (m − 1) variance
    one_step(x)
    assert torch.allclose(one_step.running_var, unbiased) and not torch.allclose(one_step.running_var, biased)
    assert options("bn-train-eval", True)[0].count("m = N·H·W") == 1
    # Keras' momentum 0.99 weighs the old value: moving = 0.99·moving + 0.01·batch, PyTorch's momentum 0.01.
    keras = nn.BatchNorm2d(3, momentum=1 - 0.99).double()
    keras(x)
    assert torch.allclose(keras.running_mean, 0.99 * torch.zeros(3, dtype=F64) + (1 - 0.99) * mean)
    # BN's backward in training mode: dβ = Σ dy, dγ = Σ dy·x̂, and Σ dx = 0 per channel.
    x_in = x.clone().requires_grad_(True)
    fresh = nn.BatchNorm2d(3).double()
    out = fresh(x_in)
    upstream = torch.randn_like(out)
    out.backward(upstream)
    x_hat = (x - mean.view(1, 3, 1, 1)) / torch.sqrt(biased.view(1, 3, 1, 1) + fresh.eps)
    assert torch.allclose(fresh.bias.grad, upstream.sum((0, 2, 3)))
    assert torch.allclose(fresh.weight.grad, (upstream * x_hat).sum((0, 2, 3)))
    assert torch.allclose(x_in.grad.sum((0, 2, 3)), torch.zeros(3, dtype=F64), atol=1e-10)
    assert not torch.allclose(x_in.grad, upstream / torch.sqrt(biased.view(1, 3, 1, 1) + fresh.eps))
    # The batch mean's error falls like 1/√B: 64 times the batch, 1/8 of the error.
    generator = torch.Generator().manual_seed(0)
    data = torch.randn(400_000, generator=generator, dtype=F64) * 3 + 5

    def error(batch: int) -> float:
        index = torch.randint(0, data.numel(), (2000, batch), generator=generator)
        return (data[index].mean(1) - data.mean()).abs().mean().item()

    assert 6.5 < error(4) / error(256) < 9.5
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3).train()(torch.randn(1, 3))  # a batch of 1: 1 value per channel
    assert nn.BatchNorm2d(3).train()(torch.randn(1, 3, 4, 4)).shape == (1, 3, 4, 4)  # H·W > 1 values per channel
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm2d(3).train()(torch.randn(1, 3, 1, 1))  # ... and H·W = 1 leaves 1 again
    # A conv bias before BN is cancelled: Conv2d(c_in, c_out, 3, padding=1, bias=False) loses nothing.
    with_bias, without_bias = nn.Conv2d(3, 4, 3, padding=1).double(), nn.Conv2d(3, 4, 3, padding=1, bias=False).double()
    with torch.no_grad():
        without_bias.weight.copy_(with_bias.weight)
        with_bias.bias.uniform_(-5, 5)
    assert torch.allclose(nn.BatchNorm2d(4).double()(with_bias(x)), nn.BatchNorm2d(4).double()(without_bias(x)))
    return {
        "bn-goal": {0, 1},
        "bn-train-eval": {1},
        "bn-backward": {0},
        "bn-running-mean": {0.1, 0.99, 1, round(1 - 0.99, 10)},
        "bn-batch-size": {1},
        "bn-batch-of-one": {1},
        "bn-conv-no-bias": {3, 1},
    }


@checks("transfer-replace-head")
def transfer_numbers():
    card = BY_ID["transfer-replace-head"]
    assert "`nn.Linear(512, 1000)`" in card["front"]["en"]
    model = nn.Sequential()
    model.add_module("features", nn.Sequential(nn.Conv2d(3, 512, 3), nn.AdaptiveAvgPool2d(1), nn.Flatten()))
    model.add_module("fc", nn.Linear(512, 1000))
    assert model(torch.zeros(2, 3, 8, 8)).shape == (2, 1000)
    model.fc = nn.Linear(model.fc.in_features, 10)  # the back's code, as written
    assert "`model.fc = nn.Linear(model.fc.in_features, 10)`" in card["back"]["en"]
    assert model(torch.zeros(2, 3, 8, 8)).shape == (2, 10)
    return {"transfer-replace-head": {512, 1000, 10}}


@checks("ar-variables", "ar-one-step")
def autoregression_numbers():
    generator = torch.Generator().manual_seed(0)
    phi1, phi2, constant, steps = 0.6, -0.3, 1.0, 5000
    noise = torch.randn(steps, generator=generator, dtype=F64) * 0.1
    series = torch.zeros(steps, dtype=F64)
    for t in range(2, steps):
        series[t] = constant + phi1 * series[t - 1] + phi2 * series[t - 2] + noise[t]
    # dependent: the series; independent: the same series shifted back 1 and 2 periods (x_(t−1), x_(t−2))
    design = torch.stack([torch.ones(steps - 2, dtype=F64), series[1:-1], series[:-2]], dim=1)
    fitted = torch.linalg.lstsq(design, series[2:, None]).solution.flatten()
    assert torch.allclose(fitted, torch.tensor([constant, phi1, phi2], dtype=F64), atol=0.05)
    return {"ar-variables": {1}, "ar-one-step": {1, 2}}


# A code card is checked whole: its answer runs against PyTorch's references (tests/test_code_cards.py).
CARDS_WITH_NUMBERS = [card for card in CARDS if card["type"] != "code" and numbers_on(card)]


def test_every_card_with_a_number_has_a_check():
    assert {card["id"] for card in CARDS_WITH_NUMBERS} == set(CHECKS)


@pytest.mark.parametrize("card", CARDS_WITH_NUMBERS, ids=lambda card: card["id"])
def test_every_number_on_a_card_is_checked(card):
    verified = CHECKS[card["id"]]()[card["id"]]
    unchecked = numbers_on(card) - {round(float(v), 10) for v in verified}
    assert not unchecked, f"numbers on the card that no torch check verified: {sorted(unchecked)}"


def test_numbers_on_reads_what_the_learner_reads():
    card = {
        "type": "typed",
        "question": {"en": "Conv2d: {n}×3, x_1, Property 2?"},
        "answer": "0.25",
        "accept": ["¼"],
        "extra": {"en": "1. a list\nσ′(5) ≈ 0.0066"},
    }
    assert numbers_on(card) == {3, 0.25, 5, 0.0066}
    assert parse_number("0.0066") == 0.0066


# ===================================================================================== 3. claims without numbers


def test_convolution_looks_at_a_small_part():
    torch.manual_seed(0)
    x = torch.randn(1, 1, 12, 12, dtype=F64, requires_grad=True)
    F.conv2d(x, torch.randn(1, 1, 3, 3, dtype=F64))[0, 0, 5, 5].backward()
    window = torch.zeros(12, 12, dtype=torch.bool)
    window[5:8, 5:8] = True
    assert torch.equal(x.grad[0, 0] != 0, window)  # one output sees one k×k window (cnn-property1)


def test_one_kernel_finds_the_same_pattern_in_every_region():
    torch.manual_seed(0)
    pattern, kernel = torch.randn(3, 3, dtype=F64), torch.randn(1, 1, 3, 3, dtype=F64)
    first, second = torch.zeros(1, 1, 16, 16, dtype=F64), torch.zeros(1, 1, 16, 16, dtype=F64)
    first[0, 0, 2:5, 2:5] = pattern
    second[0, 0, 9:12, 6:9] = pattern  # the same pattern in another region (cnn-property2)
    shifted = torch.roll(F.conv2d(first, kernel), shifts=(7, 4), dims=(-2, -1))
    assert torch.allclose(shifted, F.conv2d(second, kernel))


def test_subsampling_saves_computation_and_memory_not_pooling_parameters():
    conv, pool = nn.Conv2d(8, 8, 3, padding=1), nn.MaxPool2d(2)
    assert param_count(pool) == 0  # pooling has no parameters (cnn-property3)
    big, small = torch.zeros(1, 8, 32, 32), torch.zeros(1, 8, 16, 16)
    assert pool(big).shape == small.shape
    assert conv(big).numel() == 4 * conv(small).numel()  # a later conv computes and stores 4× less
    flatten_fc = [param_count(nn.Linear(8 * side * side, 10)) for side in (32, 16)]
    assert flatten_fc[0] > 3.9 * flatten_fc[1]  # only a size-dependent layer (FC after flatten) loses parameters


def test_kernel_numbers_are_the_weights_of_each_sub_block():
    torch.manual_seed(0)
    x, kernel, bias = torch.randn(1, 1, 6, 6, dtype=F64), torch.randn(1, 1, 3, 3, dtype=F64), torch.randn(1, dtype=F64)
    out = F.conv2d(x, kernel, bias)
    for i in range(4):
        for j in range(4):
            assert torch.isclose(out[0, 0, i, j], (x[0, 0, i : i + 3, j : j + 3] * kernel[0, 0]).sum() + bias[0])
    assert not torch.allclose(out, F.conv2d(x, kernel.flip(-1, -2), bias))  # cross-correlation: not flipped
    assert "not flipped" in en("kernel-weights", "extra")


def test_next_feature_map_is_the_sum_of_convolutions_of_all_current_maps():
    torch.manual_seed(0)
    x, weight, bias = torch.randn(1, 3, 7, 7, dtype=F64), torch.randn(5, 3, 3, 3, dtype=F64), torch.randn(5, dtype=F64)
    out = F.conv2d(x, weight, bias)
    per_map = sum(F.conv2d(x[:, c : c + 1], weight[:, c : c + 1]) for c in range(3))
    assert torch.allclose(out, per_map + bias.view(1, -1, 1, 1)) and out.shape[1] == 5  # a map per kernel


def test_class_activation_map_needs_gap_and_one_linear_layer():
    torch.manual_seed(0)
    features = torch.randn(2, 6, 5, 5, dtype=F64, requires_grad=True)
    classifier = nn.Linear(6, 3).double()
    scores = classifier(F.adaptive_avg_pool2d(features, 1).flatten(1))
    cam = torch.einsum("kc,bchw->bkhw", classifier.weight, features)  # CAM_c = Σ_k w_k^c · f_k
    assert torch.allclose(cam.mean(dim=(-2, -1)) + classifier.bias, scores)
    scores[:, 1].sum().backward()  # Grad-CAM's weights (the score's gradient) are CAM's weights here, / (H·W)
    assert torch.allclose(features.grad.mean((-2, -1)), classifier.weight[1].expand(2, 6) / 25)
    # After flatten → MLP, two feature maps with the same channel means score differently: no CAM weights exist.
    mlp = nn.Sequential(nn.Flatten(), nn.Linear(150, 16), nn.ReLU(), nn.Linear(16, 3)).double()
    moved = features.detach().clone()
    moved[0] = features[0].detach().roll(2, dims=-1)  # the same values elsewhere: channel means unchanged
    assert torch.allclose(moved.mean((-2, -1)), features.detach().mean((-2, -1)))
    assert not torch.allclose(mlp(moved)[0], mlp(features.detach())[0])


def test_network_in_network_maps_correspond_to_classes_and_an_fc_layer_mixes_them():
    torch.manual_seed(0)
    x = torch.randn(2, 8, 6, 6)
    last_conv = nn.Conv2d(8, 5, 1)  # NIN: one map per class, then GAP, no FC layer
    maps = last_conv(x)
    scores = F.adaptive_avg_pool2d(maps, 1).flatten(1)
    assert torch.allclose(scores, maps.mean((-2, -1)))  # class c's score is map c's mean, and nothing else
    fc = nn.Linear(5, 5)
    changed = maps.detach().clone()
    changed[:, 0] += 1.0  # change map 0 only
    mixed = fc(F.adaptive_avg_pool2d(changed, 1).flatten(1)) - fc(F.adaptive_avg_pool2d(maps, 1).flatten(1))
    assert (mixed.abs() > 1e-6).all()  # with an FC after GAP every class score depends on map 0


def test_a_gap_head_accepts_any_image_size_and_a_flatten_head_does_not():
    torch.manual_seed(0)
    features = nn.Conv2d(3, 8, 3, padding=1)
    gap_head = nn.Sequential(features, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 4))
    flatten_head = nn.Sequential(features, nn.Flatten(), nn.Linear(8 * 16 * 16, 4))
    for size in ((16, 16), (20, 31), (7, 7)):
        assert gap_head(torch.zeros(1, 3, *size)).shape == (1, 4)
    assert flatten_head(torch.zeros(1, 3, 16, 16)).shape == (1, 4)
    with pytest.raises(RuntimeError):
        flatten_head(torch.zeros(1, 3, 20, 31))


def test_model_eval_switches_bn_and_no_grad_or_requires_grad_do_not():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU())
    x = torch.randn(4, 1, 6, 6) + 3
    model.eval()
    assert not any(module.training for module in model.modules())
    model.train()
    assert all(module.training for module in model.modules())  # model.train() switches back to True
    bn = model[1]
    before = bn.running_mean.clone()
    with torch.no_grad():
        model(x)
    assert not torch.equal(bn.running_mean, before)  # no_grad: still batch statistics, running stats updated
    model.requires_grad_(False)
    before = bn.running_mean.clone()
    model(x)
    assert not torch.equal(bn.running_mean, before)  # requires_grad = False: the same
    assert options("bn-training-flag", True) == ["Calling `model.eval()` (and `model.train()` switches back to True)"]


def test_batchnorm_eval_mode_uses_running_statistics():
    torch.manual_seed(0)
    bn = nn.BatchNorm2d(3).double()
    for _ in range(5):
        bn(torch.randn(16, 3, 4, 4, dtype=F64) * 3 + 2)
    bn.eval()
    x = torch.randn(4, 3, 4, 4, dtype=F64)
    expected = (x - bn.running_mean.view(1, -1, 1, 1)) / torch.sqrt(bn.running_var.view(1, -1, 1, 1) + bn.eps)
    assert torch.allclose(bn(x), expected)
    assert torch.allclose(bn(x[:1]), bn(x)[:1])  # independent of the rest of the batch
    assert any(text.startswith("eval: normalise with running_mean") for text in options("bn-train-eval", True))


def test_instance_norm_is_each_map_alone_and_batch_norm_is_not():
    torch.manual_seed(0)
    x = torch.randn(4, 3, 5, 5, dtype=F64) * torch.arange(1, 5, dtype=F64).view(4, 1, 1, 1)
    instance, batch = F.instance_norm(x), F.batch_norm(x, None, None, training=True)
    assert torch.allclose(instance.mean((-2, -1)), torch.zeros(4, 3, dtype=F64), atol=1e-12)  # every map alone
    assert not torch.allclose(batch.mean((-2, -1)), torch.zeros(4, 3, dtype=F64), atol=1e-3)  # BN: the channel
    assert "InstanceNorm" in en("bn-goal", "extra")


def test_freezing_needs_requires_grad_false_and_eval_for_batchnorm():
    torch.manual_seed(0)
    backbone = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
    head = nn.Linear(4, 2)
    model = nn.Sequential(backbone, head)
    backbone.requires_grad_(False)
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
    before = [p.detach().clone() for p in model.parameters()]
    bn_before = backbone[1].running_mean.clone()
    model.train()
    model(torch.randn(8, 3, 6, 6) + 2).sum().backward()
    optimizer.step()
    assert all(p.grad is None for p in backbone.parameters())
    changed = [not torch.equal(old, new) for old, new in zip(before, model.parameters(), strict=False)]
    assert changed == [False] * 4 + [True] * 2  # only the head trained ...
    assert not torch.equal(backbone[1].running_mean, bn_before)  # ... but the frozen BN's statistics moved
    backbone[1].eval()  # frozen BN in eval(): now they stay
    bn_before = backbone[1].running_mean.clone()
    model(torch.randn(8, 3, 6, 6) + 2)
    assert torch.equal(backbone[1].running_mean, bn_before)
    other = nn.Linear(4, 2)
    other.eval()  # eval() switches BN/dropout behaviour; it freezes nothing
    other(torch.randn(2, 4)).sum().backward()
    assert all(p.requires_grad and p.grad is not None for p in other.parameters())
    assert options("transfer-freeze-layers", False)[0] == "Only call `model.eval()`"


def test_rnn_links_each_input_to_the_earlier_ones_and_a_plain_network_does_not():
    torch.manual_seed(0)
    rnn, per_step = nn.RNN(3, 5, batch_first=True).double(), nn.Linear(3, 5).double()
    x = torch.randn(1, 6, 3, dtype=F64)
    changed = x.clone()
    changed[0, 0] += 1.0  # change only the first input
    assert not torch.allclose(rnn(changed)[0][0, -1], rnn(x)[0][0, -1])  # the last output sees it
    assert torch.equal(per_step(changed)[0, -1], per_step(x)[0, -1])  # an ordinary network does not
    assert "W_hh·h_(t−1)" in en("rnn-hidden-state", "back")
