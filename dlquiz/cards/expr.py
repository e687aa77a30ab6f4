"""A small arithmetic evaluator for numeric cards.

Decks are data and must never run code, so this walks a parsed AST and accepts only
numbers, parameter names, + - * / // % **, unary minus, parentheses and a few functions.
``eval`` is never called.

Every value it computes is a finite real number: an error, an overflow, a complex or non-finite result and an
integer too large to use all become ExpressionError, so neither a deck nor a learner's answer can crash a review.
"""

from __future__ import annotations

import ast
import functools
import math
import operator
from typing import Callable, Mapping, Union

from dlquiz.text import Text

Number = Union[int, float]

_BINARY: dict[type, Callable[[Number, Number], Number]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type, Callable[[Number], Number]] = {ast.USub: operator.neg, ast.UAdd: operator.pos}
_COMPARE: dict[type, Callable[[Number, Number], bool]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
FUNCTIONS: dict[str, Callable[..., Number]] = {
    "min": min,
    "max": max,
    "floor": math.floor,
    "ceil": math.ceil,
    "sqrt": math.sqrt,
    "abs": abs,
}
_MAX_POWER = 1000  # 10 ** 1000 is already absurd for a flashcard; refuse before it eats memory
_MAX_LENGTH = 500
MAX_INT_BITS = 4096  # exact integers along the way; Python cannot even print one of 4,300 digits (~14,000 bits)
MAX_RESULT = 1e300  # a result must fit a float with room to spare, to be compared with an answer


class ExpressionError(ValueError):
    """The expression is not allowed or cannot be evaluated; the message says why, for a deck author.

    ``str(error)`` is the English text; ``zh`` the same in Chinese (Python's own words, such as "math domain error",
    stay as Python writes them in both).
    """

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.zh = zh

    @property
    def text(self) -> Text:
        return Text(zh=self.zh, en=str(self))


def parse(expression: str, *, allow_comparison: bool = False) -> ast.Expression:
    """Parse and check an expression once; raise ExpressionError naming the first thing not allowed."""
    if not isinstance(expression, str):
        raise ExpressionError("the expression is not text", "表达式不是文字")
    return _parse(expression, allow_comparison)


@functools.lru_cache(maxsize=1024)  # validation evaluates one expression for thousands of draws: parse it once
def _parse(expression: str, allow_comparison: bool) -> ast.Expression:
    if not expression.strip():
        raise ExpressionError("the expression is empty", "表达式为空")
    if len(expression) > _MAX_LENGTH:
        raise ExpressionError(
            f"the expression is longer than {_MAX_LENGTH} characters", f"表达式超过 {_MAX_LENGTH} 个字符"
        )
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as error:
        raise ExpressionError(
            f"not a valid arithmetic expression ({error.msg})", f"不是有效的算术表达式（{error.msg}）"
        ) from None
    except (RecursionError, MemoryError, ValueError):  # e.g. 400 nested parentheses, a NUL character
        raise ExpressionError(
            "not a valid arithmetic expression (nested too deeply)", "不是有效的算术表达式（嵌套太深）"
        ) from None
    for node in ast.walk(tree):
        _check_node(node, allow_comparison)
    return tree


def _check_node(node: ast.AST, allow_comparison: bool) -> None:
    if isinstance(node, (ast.Expression, ast.Load)) or type(node) in _BINARY or type(node) in _UNARY:
        return
    if isinstance(node, (ast.BinOp, ast.UnaryOp)):
        op = node.op
        if type(op) not in _BINARY and type(op) not in _UNARY:
            symbol = type(op).__name__
            raise ExpressionError(f"operator {symbol} is not allowed", f"不允许使用运算符 {symbol}")
        return
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ExpressionError(f"only numbers are allowed, not {node.value!r}", f"只允许数字，不允许 {node.value!r}")
        return
    if isinstance(node, ast.Name):
        if node.id.startswith("_"):
            raise ExpressionError(f"name {node.id!r} is not allowed", f"不允许使用名字 {node.id!r}")
        return
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            allowed = ", ".join(FUNCTIONS)
            shown = ast.unparse(node.func)
            raise ExpressionError(
                f"function {shown!r} is not allowed (allowed: {allowed})",
                f"不允许使用函数 {shown!r}（可用的函数：{allowed}）",
            )
        if node.keywords:
            raise ExpressionError("keyword arguments are not allowed", "不允许使用关键字参数")
        return
    if (
        allow_comparison
        and isinstance(node, (ast.Compare, ast.BoolOp, ast.And, ast.Or))
        or (allow_comparison and type(node) in _COMPARE)
    ):
        return
    kind = type(node).__name__
    raise ExpressionError(f"{kind} is not allowed in an arithmetic expression", f"算术表达式中不允许使用 {kind}")


def names(expression: str, *, allow_comparison: bool = False) -> set[str]:
    """Parameter names the expression uses (function names excluded)."""
    tree = parse(expression, allow_comparison=allow_comparison)
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in called}


def evaluate(expression: str, variables: Mapping[str, Number], *, allow_comparison: bool = False) -> Number:
    """Evaluate ``expression`` with ``variables``. Integers stay exact; floats where division makes them.

    The result is a finite real number of at most MAX_RESULT; anything else raises ExpressionError.
    """
    tree = parse(expression, allow_comparison=allow_comparison)
    try:
        result = _eval(tree.body, variables)
    except ExpressionError:
        raise
    except (ArithmeticError, ValueError, TypeError) as error:  # math domain errors, int/float conversions, …
        raise ExpressionError(f"cannot be computed ({error})", f"无法计算（{error}）") from None
    except (RecursionError, MemoryError):
        raise ExpressionError("cannot be computed (nested too deeply)", "无法计算（嵌套太深）") from None
    if abs(result) > MAX_RESULT:
        raise ExpressionError(f"the result is too large (beyond {MAX_RESULT:g})", f"结果太大（超过 {MAX_RESULT:g}）")
    return result


def holds(condition: str, variables: Mapping[str, Number]) -> bool:
    """Evaluate a constraint such as ``n + 2*p >= k`` (comparisons, ``and``/``or`` allowed)."""
    return bool(evaluate(condition, variables, allow_comparison=True))


def _power_too_large(base: Number, exponent: Number) -> bool:
    if abs(exponent) > _MAX_POWER:
        return True
    # An integer power's size is known before computing it; keep results to a few thousand bits.
    return isinstance(base, int) and isinstance(exponent, int) and abs(base).bit_length() * abs(exponent) > 4096


def _real(value: object) -> Number:
    """``value`` if it is a finite real number that can be used further; ExpressionError otherwise."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if value.bit_length() > MAX_INT_BITS:
            raise ExpressionError(
                "an integer in the expression is too large to compute", "表达式中的整数太大，无法计算"
            )
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ExpressionError(
                "the result is not a finite number (infinity or NaN)", "结果不是有限数（无穷大或 NaN）"
            )
        return value
    if isinstance(value, complex):
        raise ExpressionError(
            "the result is not a real number (e.g. a fractional power of a negative number)",
            "结果不是实数（例如负数的分数次幂）",
        )
    kind = type(value).__name__
    raise ExpressionError(f"the result is not a number ({kind})", f"结果不是数字（{kind}）")


def _eval(node: ast.AST, variables: Mapping[str, Number]) -> Number:
    return _real(_eval_node(node, variables))


def _eval_node(node: ast.AST, variables: Mapping[str, Number]) -> object:
    # parse() let through only number constants and calls of FUNCTIONS by name; the isinstance tests say so to mypy.
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in variables:
            raise ExpressionError(f"unknown name {node.id!r}", f"未知的名字 {node.id!r}")
        return variables[node.id]
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](_eval(node.operand, variables))
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, variables), _eval(node.right, variables)
        if isinstance(node.op, ast.Pow) and _power_too_large(left, right):
            raise ExpressionError("a power in the expression is too large to compute", "表达式中的幂太大，无法计算")
        try:
            return _BINARY[type(node.op)](left, right)
        except ZeroDivisionError:
            raise ExpressionError("division by zero", "除以零") from None
        except OverflowError:
            raise ExpressionError("the result is too large", "结果太大") from None
        except ValueError as error:  # e.g. an int too large to convert to a float in a mixed operation
            raise ExpressionError(f"cannot be computed ({error})", f"无法计算（{error}）") from None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        arguments = [_eval(argument, variables) for argument in node.args]
        try:
            return FUNCTIONS[node.func.id](*arguments)
        except (TypeError, ValueError, ArithmeticError) as error:
            raise ExpressionError(f"{node.func.id}(): {error}", f"{node.func.id}()：{error}") from None
    if isinstance(node, ast.Compare):
        left = _eval(node.left, variables)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _eval(comparator, variables)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.BoolOp):
        values = (_eval(value, variables) for value in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    kind = type(node).__name__
    raise ExpressionError(f"{kind} is not allowed", f"不允许使用 {kind}")
