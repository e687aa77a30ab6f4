"""The parameters of numeric cards: their specs, the values they can take, drawing them, and the domain check.

A parameter is a small, finite set of numbers: ``{choices: [..]}`` or ``{min, max, step}``. Because the set is
finite, validation does not trust one lucky draw: it evaluates the answer on every combination of values when there
are at most ENUMERATION_LIMIT of them, else on every corner of the ranges and SAMPLED_DRAWS seeded draws, and refuses
the card on any error, complex or non-finite result, naming the values that fail.
"""

from __future__ import annotations

import itertools
import math
import random
from typing import Any, Iterator

from dlquiz.cards import expr
from dlquiz.cards.fields import is_finite_number
from dlquiz.text import Text

MAX_PARAM_MAGNITUDE = 10**12  # a drawn number a learner can read and compute with
MAX_RANGE_VALUES = 1_000_000  # values in one min/max/step range
ENUMERATION_LIMIT = 20_000  # combinations checked one by one; above this, corners and seeded draws
SAMPLED_DRAWS = 2_000
MAX_CORNERS = 4_096  # 2 ** 12: with more parameters, corners are sampled too
DRAW_ATTEMPTS = 1000  # params are re-drawn until the `where` conditions hold
MIN_WHERE_SHARE = 0.01  # at least 1 draw in 100 must meet the `where` conditions, so review finds one quickly

Values = dict[str, Any]


def param_problem(name: Any, spec: Any) -> Text | None:
    """What is wrong with one parameter, or None."""
    if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
        return Text(zh="名字必须是简单的标识符", en="names must be simple identifiers")
    if not isinstance(spec, dict):
        return Text(zh="请写成 {min: .., max: ..} 或 {choices: [..]}", en="give {min: .., max: ..} or {choices: [..]}")
    low_limit, high_limit = f"-{MAX_PARAM_MAGNITUDE:.0e}", f"{MAX_PARAM_MAGNITUDE:.0e}"
    limit = Text(
        zh=f"{low_limit} 到 {high_limit} 之间的有限数（上限）",
        en=f"finite numbers between {low_limit} and {high_limit} (the limit)",
    )
    if "choices" in spec:
        choices = spec["choices"]
        if set(spec) != {"choices"}:
            return Text(zh="choices 和 min/max 只能用其中一种", en="use either choices or min/max, not both")
        if not isinstance(choices, list) or not choices:
            return Text(zh="choices 必须是非空的数字列表", en="choices must be a non-empty list of numbers")
        if not all(_usable(choice) for choice in choices):
            return Text(zh=f"choices 必须是{limit.zh}", en=f"choices must be {limit.en}")
        return None
    if set(spec) - {"min", "max", "step"} or "min" not in spec or "max" not in spec:
        return Text(
            zh="请写成 {min: .., max: ..}（可以加 step）或 {choices: [..]}",
            en="give {min: .., max: ..} (optionally step) or {choices: [..]}",
        )
    low, high, step = spec["min"], spec["max"], spec.get("step", 1)
    if not all(_usable(value) for value in (low, high, step)):
        return Text(zh=f"min、max 和 step 必须是{limit.zh}", en=f"min, max and step must be {limit.en}")
    if low > high:
        return Text(zh="min 大于 max", en="min is larger than max")
    if step <= 0:
        return Text(zh="step 必须是正数", en="step must be positive")
    if (high - low) / step >= MAX_RANGE_VALUES:
        return Text(
            zh=f"取值范围超过 {MAX_RANGE_VALUES:,} 个值（上限）；请用更大的 step",
            en=f"the range has more than {MAX_RANGE_VALUES:,} values (the limit); use a larger step",
        )
    return None


def _usable(value: Any) -> bool:
    return is_finite_number(value) and abs(value) <= MAX_PARAM_MAGNITUDE


def _is_int_range(spec: dict[str, Any]) -> bool:
    return all(isinstance(spec.get(key, 1), int) for key in ("min", "max", "step"))


def value_count(spec: dict[str, Any]) -> int:
    if "choices" in spec:
        return len(spec["choices"])
    return int((spec["max"] - spec["min"]) // spec.get("step", 1)) + 1


def value_at(spec: dict[str, Any], index: int) -> int | float:
    """The ``index``-th value of a parameter (0 … value_count - 1), exactly as a draw gives it."""
    if "choices" in spec:
        return spec["choices"][index]
    value = spec["min"] + spec.get("step", 1) * index
    return value if _is_int_range(spec) else round(value, 10)


def draw_params(params: dict[str, Any], where: list[str], rng: random.Random) -> Values:
    """Draw one value per parameter until every ``where`` condition holds."""
    for _attempt in range(DRAW_ATTEMPTS):
        values = {name: value_at(spec, rng.randrange(value_count(spec))) for name, spec in params.items()}
        if all(expr.holds(condition, values) for condition in where):
            return values
    raise expr.ExpressionError(
        f"no draw of the params satisfied {where} in {DRAW_ATTEMPTS} tries",
        f"抽取了 {DRAW_ATTEMPTS} 次 params，都不满足 {where}",
    )


def domain_problem(params: dict[str, Any], where: list[str], answer: str) -> Text | None:
    """Why the answer cannot be computed on every draw the card can make, or None when it can.

    Every combination is tried when there are few enough; otherwise the corners of every range and many seeded
    draws. Each failure names the values, so the author can add a `where` condition or change a range.
    """
    counts = {name: value_count(spec) for name, spec in params.items()}
    enumerated = math.prod(counts.values()) <= ENUMERATION_LIMIT
    tried = met = 0
    for values in _combinations(params, counts) if enumerated else _samples(params, counts):
        tried += 1
        shown = ", ".join(f"{name} = {value}" for name, value in values.items())
        try:
            if not all(expr.holds(condition, values) for condition in where):
                continue
        except expr.ExpressionError as error:
            return Text(
                zh=f"取 {shown} 时 where 条件无法计算：{error.zh}",
                en=f"a where condition cannot be computed for {shown}: {error}",
            )
        met += 1
        try:
            expr.evaluate(answer, values)
        except expr.ExpressionError as error:
            return Text(
                zh=f"取 {shown} 时 answer {answer!r} 无法计算：{error.zh}",
                en=f"the answer {answer!r} cannot be computed for {shown}: {error}",
            )
    if met == 0:
        return Text(zh="params 的任何取值都不满足 where 条件", en="no values of the params meet the where conditions")
    if met < MIN_WHERE_SHARE * tried:
        one_in = round(1 / MIN_WHERE_SHARE)
        return Text(
            zh=f"{tried} 次抽取中只有 {met} 次满足 where 条件；至少每 {one_in} 次要有 1 次满足",
            en=f"only {met} of {tried} draws meet the where conditions; at least 1 in {one_in} must",
        )
    return None


def _combinations(params: dict[str, Any], counts: dict[str, int]) -> Iterator[Values]:
    names = list(params)
    for indices in itertools.product(*(range(counts[name]) for name in names)):
        yield {name: value_at(params[name], index) for name, index in zip(names, indices, strict=True)}


def _samples(params: dict[str, Any], counts: dict[str, int]) -> Iterator[Values]:
    """The corners (each parameter at its first or last value), then seeded random draws."""
    names = list(params)
    rng = random.Random("dlquiz domain check")
    ends = [(0, counts[name] - 1) for name in names]
    if 2 ** len(names) <= MAX_CORNERS:
        corners: Iterator[tuple[int, ...]] = itertools.product(*ends)
    else:
        corners = (tuple(rng.choice(pair) for pair in ends) for _ in range(MAX_CORNERS))
    for indices in corners:
        yield {name: value_at(params[name], index) for name, index in zip(names, indices, strict=True)}
    for _ in range(SAMPLED_DRAWS):
        yield {name: value_at(params[name], rng.randrange(counts[name])) for name in names}
