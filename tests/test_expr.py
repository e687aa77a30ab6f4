import math

import pytest

from dlquiz.cards.expr import ExpressionError, evaluate, holds, names


@pytest.mark.parametrize(
    "expression, variables, expected",
    [
        ("floor((n + 2*p - k) / s) + 1", {"n": 32, "p": 1, "k": 3, "s": 2}, 16),
        ("(n - k) // s + 1", {"n": 7, "k": 2, "s": 2}, 3),
        ("2 ** 10 % 1000", {}, 24),
        ("-x + +y", {"x": 2, "y": 5}, 3),
        ("max(a, b, 3) - min(a, b)", {"a": 1, "b": 9}, 8),
        ("sqrt(16) + ceil(0.2) + abs(-2)", {}, 7.0),
        ("1 / 4", {}, 0.25),
    ],
)
def test_arithmetic_matches_python(expression, variables, expected):
    assert evaluate(expression, variables) == expected


def test_integers_stay_exact():
    assert evaluate("10 ** 20 + 1", {}) == 10**20 + 1
    assert isinstance(evaluate("floor(7 / 2)", {}), int)


def test_comparisons_only_where_allowed():
    assert holds("n + 2*p >= k and s > 0", {"n": 3, "p": 0, "k": 3, "s": 1})
    assert not holds("1 < x < 3", {"x": 3})
    with pytest.raises(ExpressionError):
        evaluate("1 < 2", {})


@pytest.mark.parametrize(
    "unsafe",
    [
        "__import__('os').system('echo hacked')",
        "open('/etc/passwd')",
        "x.__class__",
        "(lambda: 1)()",
        "[1, 2]",
        "'text'",
        "True",
        "x if x else 1",
        "eval('1')",
        "f(1)",
        "min(x, key=abs)",
        "{}",
        "a[0]",
        "2 ** 100000",
        "((2 ** 999) ** 999) ** 999",
        "__builtins__",
    ],
)
def test_unsafe_or_unbounded_expressions_are_refused(unsafe):
    with pytest.raises(ExpressionError):
        evaluate(unsafe, {"x": 1, "a": 1})


def test_errors_are_explained():
    with pytest.raises(ExpressionError, match="division by zero"):
        evaluate("1 / (n - n)", {"n": 3})
    with pytest.raises(ExpressionError, match="unknown name 'q'"):
        evaluate("q + 1", {})
    with pytest.raises(ExpressionError, match="not a valid arithmetic expression"):
        evaluate("1 +", {})


def test_names_excludes_functions():
    assert names("floor(n / s) + max(k, 1)") == {"n", "s", "k"}


def test_float_results():
    assert math.isclose(evaluate("sqrt(2) ** 2", {}), 2.0)
