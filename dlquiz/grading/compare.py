"""Compares what the learner returned with what PyTorch computed, the way ``torch.testing.assert_close`` does.

Order of checks: expected error or not → type → shape → dtype → NaN/inf → values (|a − e| ≤ atol + rtol·|e|).
Each failure gets a bilingual message that names the first thing to fix; ``matching_mistakes`` then checks the
output against the exercise's known mistakes. Integer and bool arrays are compared exactly, as assert_close does.
A harness exercise's summary (a dict, see spec.py) is compared field by field, naming the first field that differs.
"""

from __future__ import annotations

import copy
import math
import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from dlquiz.grading.frames import BigArray, LearnerError, Opaque
from dlquiz.grading.messages import TORCH_EN as TORCH_REFUSED_EN
from dlquiz.grading.messages import TORCH_ZH as TORCH_REFUSED_ZH
from dlquiz.grading.messages import bi
from dlquiz.grading.spec import Case, Mistake, Raises

Message = dict  # {"en": str, "zh": str}


@dataclass
class Verdict:
    passed: bool
    kind: str  # ok, wrong_type, wrong_shape, wrong_dtype, not_finite, wrong_values, wrong_length,
    #            expected_error, wrong_error, exception, not_implemented, torch_refused, memory
    message: Message
    max_abs: float | None = None
    max_rel: float | None = None


_OK = bi("matches PyTorch", "与 PyTorch 一致")


def short(value: Any) -> str:
    """A one-line description of a value: 'array (2, 3) float64', 'int 5', 'list of 3 items'."""
    if isinstance(value, np.ndarray):
        return f"array {tuple(value.shape)} {value.dtype}"
    if isinstance(value, BigArray):
        return f"array {tuple(value.shape)} {value.dtype}"
    if isinstance(value, np.generic):
        return f"numpy scalar {type(value).__name__} {value!r}"
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, (int, float)):
        return f"{type(value).__name__} {value!r}"
    if isinstance(value, (list, tuple)):
        return f"{type(value).__name__} of {len(value)} items"
    if isinstance(value, dict):
        return f"a summary of {len(value)} fields"
    if isinstance(value, Opaque):
        return f"a {value.type} object"
    if isinstance(value, Raises):
        return f"{value.exception.__name__}"
    if isinstance(value, LearnerError):
        return f"{value.type}: {value.message}"
    return type(value).__name__


def _scalar(x: Any) -> str:
    """A number as people write it: 0.1 rather than 0.1000000000000000055511151231257827."""
    if isinstance(x, (float, np.floating)) and math.isfinite(x) and abs(float(x)) < 1e15:
        return np.format_float_positional(x, precision=10, trim="-")
    return repr(x.item() if isinstance(x, np.generic) else x)


def _index(flat: int, shape: tuple) -> str:
    return str(tuple(int(i) for i in np.unravel_index(flat, shape))) if shape else "()"


def _wrong_type(function: str, actual: Any, wanted: str, wanted_zh: str) -> Verdict:
    got = short(actual)
    if actual is None:
        return Verdict(
            False,
            "wrong_type",
            bi(f"{function} returned None — is a `return` missing?", f"{function} 返回了 None——是不是少了 `return`？"),
        )
    extra_en = extra_zh = ""
    if isinstance(actual, (list, tuple)) and wanted.startswith("a numpy array"):
        extra_en, extra_zh = (
            " Build it with numpy operations (or np.array(...)).",
            "请用 numpy 运算构造（或 np.array(...)）。",
        )
    return Verdict(
        False,
        "wrong_type",
        bi(
            f"{function} returned {got}; expected {wanted}.{extra_en}",
            f"{function} 返回了 {got}；应当返回{wanted_zh}。{extra_zh}",
        ),
    )


def _dtype_advice(actual: np.dtype, expected: np.dtype) -> tuple[str, str]:
    if actual == np.bool_:
        return (
            " A comparison gives bools: convert with .astype(x.dtype).",
            "比较运算得到的是布尔数组：用 .astype(x.dtype) 转换。",
        )
    if actual.kind in "iu" and expected.kind == "f":
        return (
            " Integer results lose the fraction: keep the computation in floating point.",
            "整数结果会丢掉小数部分：请用浮点数计算。",
        )
    if actual.kind == "f" and expected.kind == "f" and actual.itemsize < expected.itemsize:
        return " Keep the input's float64 (no float32 casts).", "保持输入的 float64（不要转换成 float32）。"
    return "", ""


def compare_arrays(function: str, actual: Any, expected: np.ndarray, rtol: float, atol: float) -> Verdict:
    shape = tuple(expected.shape)
    if isinstance(actual, BigArray):
        return Verdict(
            False,
            "wrong_shape",
            bi(
                f"{function} returned an array of shape {tuple(actual.shape)}, expected {shape}.",
                f"{function} 返回的数组形状是 {tuple(actual.shape)}，应为 {shape}。",
            ),
        )
    if isinstance(actual, np.generic):
        return _wrong_type(function, actual, f"a numpy array of shape {shape}", f"形状为 {shape} 的 numpy 数组")
    if not isinstance(actual, np.ndarray):
        return _wrong_type(function, actual, f"a numpy array of shape {shape}", f"形状为 {shape} 的 numpy 数组")
    if tuple(actual.shape) != shape:
        return Verdict(
            False,
            "wrong_shape",
            bi(
                f"{function} returned shape {tuple(actual.shape)}, expected {shape}.",
                f"{function} 返回的形状是 {tuple(actual.shape)}，应为 {shape}。",
            ),
        )
    if actual.dtype != expected.dtype:
        en, zh = _dtype_advice(actual.dtype, expected.dtype)
        return Verdict(
            False,
            "wrong_dtype",
            bi(
                f"{function} returned dtype {actual.dtype}, expected {expected.dtype}.{en}",
                f"{function} 返回的 dtype 是 {actual.dtype}，应为 {expected.dtype}。{zh}",
            ),
        )
    if actual.size == 0:
        return Verdict(True, "ok", _OK, 0.0, 0.0)
    if expected.dtype.kind not in "fc":
        wrong = actual != expected
        if wrong.any():
            at = int(np.flatnonzero(wrong)[0])
            gap = float(np.abs(actual.astype(np.float64) - expected.astype(np.float64)).max())
            return Verdict(
                False,
                "wrong_values",
                bi(
                    f"{int(wrong.sum())} of {actual.size} values differ; first at index {_index(at, shape)}: "
                    f"got {actual.flat[at]!r}, expected {expected.flat[at]!r}.",
                    f"{actual.size} 个值中有 {int(wrong.sum())} 个不同；第一个在索引 {_index(at, shape)}："
                    f"得到 {actual.flat[at]!r}，应为 {expected.flat[at]!r}。",
                ),
                gap,
                None,
            )
        return Verdict(True, "ok", _OK, 0.0, 0.0)
    with np.errstate(all="ignore"):
        a, e = actual.ravel(), expected.ravel()
        bad_nan = np.isnan(a) != np.isnan(e)
        both_inf = np.isinf(a) & np.isinf(e) & (a == e)
        diff = np.where(both_inf | (np.isnan(a) & np.isnan(e)), 0.0, np.abs(a - e))
        rel = np.where(diff == 0, 0.0, diff / np.abs(e))
        max_abs = float(diff.max()) if not np.isnan(diff).all() else None
        max_rel = float(np.nanmax(rel)) if not np.isnan(rel).all() else None
        if bad_nan.any() or (np.isinf(a) & ~both_inf).any():
            at = int(np.flatnonzero(bad_nan | (np.isinf(a) & ~both_inf))[0])
            what = "NaN" if np.isnan(a[at]) else ("inf" if np.isinf(a[at]) else repr(a[at]))
            return Verdict(
                False,
                "not_finite",
                bi(
                    f"{function} returned {what} at index {_index(at, shape)}, where PyTorch gives {_scalar(e[at])}"
                    f" ({int((bad_nan | (np.isinf(a) & ~both_inf)).sum())} such values). Look for 0/0, inf − inf, "
                    "or exp/log of extreme values.",
                    f"{function} 在索引 {_index(at, shape)} 处返回了 {what}，PyTorch 的结果是 {_scalar(e[at])}"
                    f"（共 {int((bad_nan | (np.isinf(a) & ~both_inf)).sum())} 个）。检查 0/0、inf − inf 或极端值的 exp/log。",
                ),
                _finite(max_abs),
                _finite(max_rel),
            )
        # An expected ±inf is matched only by the same inf (rtol·|inf| would let any finite value through).
        wrong = (diff > atol + rtol * np.abs(e)) | (np.isinf(e) & ~both_inf)
    if wrong.any():
        at = int(np.argmax(np.where(wrong, diff, -1.0)))
        count = int(wrong.sum())
        return Verdict(
            False,
            "wrong_values",
            bi(
                f"{count} of {a.size} values differ; the largest difference is at index {_index(at, shape)}: "
                f"got {_scalar(a[at])}, expected {_scalar(e[at])}.",
                f"{a.size} 个值中有 {count} 个不对；差得最多的在索引 {_index(at, shape)}："
                f"得到 {_scalar(a[at])}，应为 {_scalar(e[at])}。",
            ),
            _finite(max_abs),
            _finite(max_rel),
        )
    return Verdict(True, "ok", _OK, _finite(max_abs), _finite(max_rel))


def _finite(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


SHOWN_ITEMS = 6  # names listed in a summary difference before "… (+N more)"


def _listed(items: list) -> str:
    shown = ", ".join(str(item) for item in items[:SHOWN_ITEMS])
    return shown + (f" … (+{len(items) - SHOWN_ITEMS} more)" if len(items) > SHOWN_ITEMS else "")


def _brief(value: Any) -> str:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return "[" + _listed(value) + "]" if value else "[] (none)"
    text = repr(value)
    return text if len(text) <= 300 else text[:300] + " …"


def _same(actual: Any, expected: Any) -> bool:
    """Exact equality of plain data, types included (1 is not True, a list is not a tuple)."""
    if type(actual) is not type(expected):
        return False
    if isinstance(expected, (list, tuple)):
        return len(actual) == len(expected) and all(_same(a, e) for a, e in zip(actual, expected, strict=False))
    if isinstance(expected, dict):
        return actual.keys() == expected.keys() and all(_same(actual[key], expected[key]) for key in expected)
    if isinstance(expected, np.ndarray):
        return (
            actual.shape == expected.shape
            and actual.dtype == expected.dtype
            and bool(np.array_equal(actual, expected, equal_nan=expected.dtype.kind in "fc"))
        )
    try:
        return bool(actual == expected)
    except Exception:
        return False


def _field_difference(actual: Any, expected: Any) -> Message | None:
    """What differs between two values of one summary field, or None when they are the same."""
    if isinstance(expected, (np.ndarray, float)):
        verdict = compare_value("", actual, expected, 1e-7, 1e-7)
        return None if verdict.passed else verdict.message
    if _same(actual, expected):
        return None
    if (
        isinstance(actual, list)
        and isinstance(expected, list)
        and all(isinstance(item, str) for item in actual + expected)
    ):
        missing, unexpected = list(expected), []
        for item in actual:
            if item in missing:
                missing.remove(item)
            else:
                unexpected.append(item)
        if missing or unexpected:
            en = "; ".join(
                part
                for part in (
                    f"missing {_listed(missing)}" if missing else "",
                    f"unexpected {_listed(unexpected)}" if unexpected else "",
                )
                if part
            )
            zh = "；".join(
                part
                for part in (
                    f"缺少 {_listed(missing)}" if missing else "",
                    f"多出 {_listed(unexpected)}" if unexpected else "",
                )
                if part
            )
            return bi(en, zh)
        return bi(f"the same items in another order: {_brief(actual)}", f"内容相同但顺序不同：{_brief(actual)}")
    return bi(f"got {_brief(actual)}, expected {_brief(expected)}", f"得到 {_brief(actual)}，应为 {_brief(expected)}")


def compare_summary(function: str, actual: Any, expected: dict, labels: dict | None = None) -> Verdict:
    """A harness summary, field by field in the expected order; the first differing field is named."""
    if not isinstance(actual, dict):
        return _wrong_type(function, actual, "a summary (dict)", "摘要（dict）")
    for key, wanted in expected.items():
        difference = _field_difference(actual.get(key), wanted)
        if difference is not None:
            label = (labels or {}).get(key) or {}
            en, zh = label.get("en", key), label.get("zh", label.get("en", key))
            return Verdict(
                False,
                "wrong_values",
                bi(f"{function}: {en}: {difference['en']}", f"{function}：{zh}：{difference['zh']}"),
            )
    return Verdict(True, "ok", _OK)


def compare_value(
    function: str,
    actual: Any,
    expected: Any,
    rtol: float,
    atol: float,
    labels: dict | None = None,
    returns: Sequence[str] = (),
) -> Verdict:
    """Compare one returned value (not an exception) with the expected one. ``returns``: the names of the parts of
    a returned tuple (exercise.yaml's ``returns``), so a wrong part is named, not numbered."""
    if isinstance(expected, np.generic):  # a numpy scalar reference stands for the Python number
        expected = expected.item()
    if isinstance(expected, dict):
        return compare_summary(function, actual, expected, labels)
    if isinstance(expected, np.ndarray):
        return compare_arrays(function, actual, expected, rtol, atol)
    if isinstance(expected, bool):
        ok = isinstance(actual, (bool, np.bool_)) and bool(actual) == expected
        return Verdict(
            ok,
            "ok" if ok else "wrong_values",
            _OK
            if ok
            else bi(
                f"{function} returned {short(actual)}, expected {expected}.",
                f"{function} 返回了 {short(actual)}，应为 {expected}。",
            ),
        )
    if isinstance(expected, int):
        if isinstance(actual, (float, np.floating)):
            return Verdict(
                False,
                "wrong_type",
                bi(
                    f"{function} returned the float {actual!r}; a size is a Python int — use // (floor division) or int().",
                    f"{function} 返回了浮点数 {actual!r}；尺寸应是 Python int——用 //（向下取整的除法）或 int()。",
                ),
            )
        if not _is_int(actual):
            return _wrong_type(function, actual, "an int", " int")
        if int(actual) != expected:
            return Verdict(
                False,
                "wrong_values",
                bi(
                    f"{function} returned {int(actual)}, expected {expected}.",
                    f"{function} 返回了 {int(actual)}，应为 {expected}。",
                ),
                float(abs(int(actual) - expected)),
                None,
            )
        return Verdict(True, "ok", _OK, 0.0, 0.0)
    if isinstance(expected, float):
        if isinstance(actual, np.ndarray) and actual.shape == ():
            actual = actual[()]
        if not isinstance(actual, (float, int, np.floating, np.integer)) or isinstance(actual, (bool, np.bool_)):
            return _wrong_type(function, actual, "a float", " float")
        verdict = compare_arrays(function, np.asarray(float(actual)), np.asarray(expected), rtol, atol)
        return verdict
    if isinstance(expected, tuple):
        if not isinstance(actual, (tuple, list)):
            return _wrong_type(
                function, actual, f"a tuple of {len(expected)} values", f"包含 {len(expected)} 个值的 tuple"
            )
        if len(actual) != len(expected):
            return Verdict(
                False,
                "wrong_length",
                bi(
                    f"{function} returned {len(actual)} values, expected {len(expected)}.",
                    f"{function} 返回了 {len(actual)} 个值，应为 {len(expected)} 个。",
                ),
            )
        worst_abs = worst_rel = 0.0
        names = list(returns) if len(returns) == len(expected) else []
        for position, (a, e) in enumerate(zip(actual, expected, strict=False)):
            name = names[position] if names else None
            part = compare_value(f"`{name}`" if name else f"{function}(...)[{position}]", a, e, rtol, atol)
            worst_abs = max(worst_abs, part.max_abs or 0.0)
            worst_rel = max(worst_rel, part.max_rel or 0.0)
            if not part.passed:  # say which of the returned values is wrong
                en, zh = returned_value_label(position, len(expected), name)
                part.message = bi(f"{en}: {part.message['en']}", f"{zh}：{part.message['zh']}")
                return part
        return Verdict(True, "ok", _OK, worst_abs, worst_rel)
    raise TypeError(f"grading.py returned an unsupported reference type {type(expected).__name__}")


def compare_error(function: str, actual: LearnerError, expected: Any) -> Verdict:
    """The learner's function raised; decide whether that was right and what to say."""
    if isinstance(expected, Raises) and expected.exception.__name__ in actual.classes:
        return Verdict(True, "ok", bi(f"raised {actual.type} as PyTorch does", f"与 PyTorch 一样抛出了 {actual.type}"))
    if actual.torch_refused:
        return Verdict(False, "torch_refused", bi(TORCH_REFUSED_EN, TORCH_REFUSED_ZH))
    if "NotImplementedError" in actual.classes:
        return Verdict(
            False,
            "not_implemented",
            bi(
                f"{function} is not written yet (it raises NotImplementedError): replace the TODO with your code.",
                f"{function} 还没有实现（它抛出 NotImplementedError）：把 TODO 换成你的代码。",
            ),
        )
    if "MemoryError" in actual.classes:
        return Verdict(
            False,
            "memory",
            bi(
                f"{function} ran out of memory (MemoryError): the arrays here are small, so look for an accidental "
                "huge allocation (a broadcast of (N,1) with (1,N), or np.zeros with a wrong size).",
                f"{function} 内存不足（MemoryError）：这里的数组都很小，检查是否意外分配了巨大的数组"
                "（例如 (N,1) 与 (1,N) 广播，或 np.zeros 的尺寸写错）。",
            ),
        )
    if isinstance(expected, Raises):
        return Verdict(
            False,
            "wrong_error",
            bi(
                f"{function} raised {actual.type} ({actual.message}); PyTorch raises {expected.exception.__name__} here: "
                f"{expected.why}",
                f"{function} 抛出了 {actual.type}（{actual.message}）；这里 PyTorch 抛出的是 {expected.exception.__name__}："
                f"{expected.why}",
            ),
        )
    if "EOFError" in actual.classes:
        return Verdict(
            False,
            "exception",
            bi(
                f"{function} tried to read input (input() got EOFError); exercises run without a keyboard.",
                f"{function} 试图读取输入（input() 得到 EOFError）；练习在没有键盘输入的环境中运行。",
            ),
        )
    return Verdict(
        False,
        "exception",
        bi(f"{function} raised {actual.type}: {actual.message}", f"{function} 抛出了 {actual.type}：{actual.message}"),
    )


def compare(
    function: str,
    actual: Any,
    expected: Any,
    rtol: float,
    atol: float,
    labels: dict | None = None,
    returns: Sequence[str] = (),
) -> Verdict:
    """``labels``: bilingual names of a harness summary's fields (see compare_summary)."""
    if isinstance(actual, LearnerError):
        return compare_error(function, actual, expected)
    if isinstance(expected, Raises):
        return Verdict(
            False,
            "expected_error",
            bi(
                f"{function} returned {short(actual)}, but there is no valid answer here ({expected.why}); "
                f"raise {expected.exception.__name__} as PyTorch does.",
                f"{function} 返回了 {short(actual)}，但这里不存在合法的结果（{expected.why}）；"
                f"应像 PyTorch 一样抛出 {expected.exception.__name__}。",
            ),
        )
    return compare_value(function, actual, expected, rtol, atol, labels, returns)


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th, …, 11th, 12th, 13th, 21st."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def returned_value_label(position: int, count: int, name: str | None) -> tuple[str, str]:
    """How the report names one part of a returned tuple, in English and Chinese (``position`` counts from 0)."""
    if name:
        return (
            f"`{name}` (the {ordinal(position + 1)} of the {count} returned values)",
            f"`{name}`（{count} 个返回值中的第 {position + 1} 个）",
        )
    return f"the {ordinal(position + 1)} of the {count} returned values", f"{count} 个返回值中的第 {position + 1} 个"


_NUMERIC_WARNING = re.compile(r"(overflow|invalid value|divide by zero) encountered")


def is_numeric_warning(message: str) -> bool:
    """numpy's floating-point warnings: a step produced inf or NaN. (Underflow to 0 is fine and never counts.)"""
    return bool(_NUMERIC_WARNING.search(message))


# --- known mistakes ---------------------------------------------------------------------------------------------


def mistake_outcome(mistake: Mistake, case: Case) -> tuple[Any, bool]:
    """What a (numpy) mistake gives for ``case`` (``Raises`` when it raises), and whether computing it raised a
    numeric warning (overflow, invalid value, divide by zero)."""
    args, kwargs = copy.deepcopy(case.args), copy.deepcopy(case.kwargs)
    with (
        warnings.catch_warnings(record=True) as caught,
        np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"),
    ):
        warnings.simplefilter("always")
        try:
            outcome = mistake.implementation(*args, **kwargs)
        except Exception as error:  # the mistake's own answer can be "raises"
            outcome = Raises(type(error), str(error))
    warned = any(issubclass(w.category, RuntimeWarning) and is_numeric_warning(str(w.message)) for w in caught)
    return outcome, warned


def matching_mistakes(
    case: Case,
    actual: Any,
    mistakes: Iterable[Mistake],
    outcome_of: Callable[[Mistake, Case], tuple[Any, bool]] = mistake_outcome,
    any_function: bool = False,
    *,
    warned: bool = False,
) -> list[Mistake]:
    """Every known mistake whose output the learner's output reproduces on this case.

    ``outcome_of`` computes a mistake's output and whether it warned (a harness exercise runs it through its harness,
    where a mistake in one function shows in cases about another: then ``any_function`` is true).
    ``warned``: the learner's values were right but numpy warned (overflow and the like); then only mistakes that
    warn the same way match — any mistake that happens to be right on this case would match the values alone.
    """
    found = []
    for mistake in mistakes:
        if mistake.function != case.function and not any_function:
            continue
        try:
            outcome, mistake_warned = outcome_of(mistake, case)
            if outcome is None:  # the mistake says it does not apply to this input (see spec.Mistake)
                continue
            if warned and not mistake_warned:
                continue
            if isinstance(outcome, Raises):
                if (
                    isinstance(actual, LearnerError)
                    and outcome.exception.__name__ in actual.classes
                    and (mistake.error_matches is None or mistake.error_matches(actual.message, case))
                ):
                    found.append(mistake)
                continue
            if isinstance(actual, LearnerError):
                continue
            if isinstance(outcome, list):
                outcome = np.asarray(outcome)
            # The learner's output, compared with the mistake's as if the mistake were the reference.
            if compare_value(case.function, actual, outcome, case.rtol, case.atol).passed:
                found.append(mistake)
        except Exception:  # a broken mistake never breaks grading
            continue
    return found
