"""Renders a GradeResult: a rich screen for people (``render``) and JSON for programs (``to_json``).

Everything that came from the learner's process (messages quoting values, tracebacks, prints) is added as
``rich.text.Text``, never as markup, so brackets in it are shown as typed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from dlquiz.grading.grader import NOT_RUN, CaseResult, GradeResult
from dlquiz.text import pick

JSON_FORMAT = 1
SMALL_ARRAY = 64  # arrays up to this many elements are printed in full
WIDE_TABLE = 80  # narrower terminals get the cases one block each instead of a table

LABELS = {
    "case": {"en": "case", "zh": "用例"},
    "inputs": {"en": "inputs", "zh": "输入"},
    "abs": {"en": "max abs err", "zh": "最大绝对误差"},
    "rel": {"en": "max rel err", "zh": "最大相对误差"},
    # Narrow screens: a Chinese label may break between any two characters, so the shorter the better.
    "abs.narrow": {"en": "max abs err", "zh": "绝对误差"},
    "rel.narrow": {"en": "max rel err", "zh": "相对误差"},
    "passed": {"en": "All {n} cases match PyTorch.", "zh": "全部 {n} 个用例与 PyTorch 一致。"},
    "failed": {"en": "{k} of {n} cases match PyTorch.", "zh": "{n} 个用例中 {k} 个与 PyTorch 一致。"},
    "error": {"en": "Your file could not be graded.", "zh": "你的文件无法评分。"},
    "first": {"en": "First failure: {name}", "zh": "第一个失败的用例：{name}"},
    "call": {"en": "input", "zh": "输入"},
    "running": {"en": "stopped while running", "zh": "终止时正在运行"},
    "expected": {"en": "expected (PyTorch)", "zh": "期望（PyTorch）"},
    "got": {"en": "your result", "zh": "你的结果"},
    "raised": {"en": "raises {name}", "zh": "抛出 {name}"},
    "diagnosis": {"en": "Diagnosis", "zh": "诊断"},
    "seen_in": {"en": "seen in: {cases}", "zh": "出现在：{cases}"},
    "stdout": {"en": "Your code printed (stdout)", "zh": "你的代码的输出（stdout）"},
    "stderr": {"en": "Your code wrote to stderr", "zh": "你的代码写到 stderr 的内容"},
    "dropped": {"en": "… {n} more characters not shown", "zh": "… 另有 {n} 个字符未显示"},
    "hint": {
        "en": "Stuck? `dlquiz exercise {id} --hint` shows a hint.",
        "zh": "卡住了？`dlquiz exercise {id} --hint` 会给出提示。",
    },
    "traceback": {"en": "Traceback (your file only)", "zh": "Traceback（只显示你的文件）"},
}


_SHAPE = re.compile(r"\w+ \([^()]*\)")  # `x (2, 3, 4, 4)` in a case's inputs
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean(text: str) -> str:
    """The learner's output without control characters: an escape sequence printed by their code must not reach
    (and repaint or recolour) the terminal."""
    return _CONTROL.sub("\ufffd", text.replace("\r\n", "\n"))


def label(key: str, lang: str, **values: Any) -> str:
    text = pick(LABELS[key], lang, separator=" / ")
    return text.format(**values) if values else text


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.2e}"


def _indent(text: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def _part_label(position: int, count: int, names: Sequence[str], lang: str) -> str:
    """``new_running_var (3rd of 3)``: one part of a returned tuple, by name where the exercise gives names."""
    from dlquiz.grading.compare import ordinal

    name = names[position] if len(names) == count else None
    where = pick(
        {"en": f"{ordinal(position + 1)} of {count}", "zh": f"第 {position + 1} 个，共 {count} 个"},
        lang,
        separator=" / ",
    )
    if name:
        return f"{name} ({where})" if lang == "en" else f"{name}（{where}）"
    return pick(
        {"en": f"the {ordinal(position + 1)} of {count} values", "zh": f"{count} 个值中的第 {position + 1} 个"},
        lang,
        separator=" / ",
    )


def format_value(value: Any, names: Sequence[str] = (), lang: str = "en") -> str:
    """A value as the learner would want to see it: small arrays in full, big ones summarised; the parts of a
    returned tuple each under its name (``names``, from exercise.yaml's ``returns``)."""
    import numpy as np

    from dlquiz.grading.compare import short
    from dlquiz.grading.runner import LearnerError
    from dlquiz.grading.spec import Raises

    if isinstance(value, Raises):
        return f"raises {value.exception.__name__}: {value.why}" if value.why else f"raises {value.exception.__name__}"
    if isinstance(value, LearnerError):
        return f"raised {value.type}: {value.message}"
    if isinstance(value, np.ndarray):
        if value.size <= SMALL_ARRAY:
            return np.array2string(value, precision=8, max_line_width=100, separator=", ")
        body = np.array2string(value, precision=6, max_line_width=100, separator=", ", threshold=20, edgeitems=2)
        stats = ""
        if value.dtype.kind in "fiu" and value.size:
            with np.errstate(all="ignore"):
                stats = f"\nmin {np.nanmin(value):.6g}, max {np.nanmax(value):.6g}, mean {np.nanmean(value):.6g}"
        return f"{short(value)}{stats}\n{body}"
    if isinstance(value, tuple) and value and (names or any(isinstance(v, np.ndarray) for v in value)):
        return "\n".join(
            f"{_part_label(position, len(value), names, lang)}:\n{_indent(format_value(part))}"
            for position, part in enumerate(value)
        )
    if isinstance(value, dict):  # a harness summary (spec.py): one field per line
        return "\n".join(
            f"{key}: {', '.join(map(str, item)) if isinstance(item, list) else item}" for key, item in value.items()
        )
    if isinstance(value, (int, float, bool, np.generic)) or value is None:
        return repr(value)
    return short(value)


def _mark(case: CaseResult) -> Text:
    return Text("✓", style="green") if case.passed else Text("·" if case.kind == "not_run" else "✗", style="red")


def _case_blocks(result: GradeResult, lang: str) -> Table:
    """The cases one block each, for narrow terminals: a table's columns would cut the case names to a few letters
    (``global_avg_po…``) and break shapes across lines. Here the name wraps (or folds) whole beside its mark, with
    its inputs and errors below it; a label stays on one line with its number."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for case in result.cases:
        # No-break spaces keep a shape, `x (2, 3, 4, 4)`, and each label with its number on one line. The
        # separator is `;`, after which a line may break (a lone `·` would glue its neighbours together).
        inputs = _SHAPE.sub(lambda shape: shape.group(0).replace(" ", "\u00a0"), case.inputs)
        details = "; ".join(
            [inputs]
            + [
                f"{label(key, lang)} {value}".replace(" ", "\u00a0")
                for key, value in (("abs.narrow", _number(case.max_abs)), ("rel.narrow", _number(case.max_rel)))
            ]
        )
        grid.add_row(_mark(case), Text.assemble(case.name, "\n", (details, "dim")))
    return grid


def _case_table(result: GradeResult, lang: str) -> Table:
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("", no_wrap=True)
    table.add_column(label("case", lang), overflow="fold")
    table.add_column(label("inputs", lang))
    table.add_column(label("abs", lang), justify="right", no_wrap=True)
    table.add_column(label("rel", lang), justify="right", no_wrap=True)
    for case in result.cases:
        table.add_row(_mark(case), Text(case.name), Text(case.inputs), _number(case.max_abs), _number(case.max_rel))
    return table


def _first_failure(case: CaseResult, lang: str) -> Group:
    parts: list[Any] = [Text(label("first", lang, name=case.name), style="bold red")]
    parts.append(Text(clean(pick(case.message, lang, separator="\n"))))
    if case.case is not None:
        parts.append(Text(f"\n{label('call', lang)}: {case.inputs}", style="dim"))
        named = [
            (case.parameters[position] if position < len(case.parameters) else f"arg {position + 1}", value)
            for position, value in enumerate(case.case.args)
        ] + list(case.case.kwargs.items())
        for name, value in named:
            if hasattr(value, "shape") and getattr(value, "size", 0) <= SMALL_ARRAY:
                # Continuation lines under the first, so a 2-D array reads as a block beside its name.
                shown = format_value(value).replace("\n", "\n" + " " * (len(name) + 5))
                parts.append(Text(f"  {name} = {shown}", style="dim"))
    # Where the values were right (aliased, numeric_warning), showing them would only hide the message.
    if case.kind not in (
        "not_implemented",
        "missing_function",
        "not_run",
        "timeout",
        "torch_refused",
        "aliased",
        "numeric_warning",
    ):
        expected, actual = case.expected, case.actual
        if isinstance(expected, dict) and isinstance(actual, dict):  # summaries: only the fields that differ
            differ = [key for key in expected if actual.get(key) != expected[key]]
            expected = {key: expected[key] for key in differ}
            actual = {key: actual.get(key) for key in differ}
        parts.append(Text(f"\n{label('expected', lang)}:", style="bold"))
        parts.append(Text(format_value(expected, case.returns, lang)))
        if actual is not NOT_RUN:
            parts.append(Text(f"{label('got', lang)}:", style="bold"))
            parts.append(Text(clean(format_value(actual, case.returns, lang))))
    from dlquiz.grading.runner import LearnerError

    if isinstance(case.actual, LearnerError) and case.kind in ("exception", "wrong_error", "memory"):
        parts.append(Text(f"\n{label('traceback', lang)}:", style="bold"))
    return Group(*parts)


def _learner_traceback(case: CaseResult) -> Text | None:
    from dlquiz.grading.runner import LearnerError

    if isinstance(case.actual, LearnerError) and case.kind in ("exception", "wrong_error", "memory"):
        return Text(clean(case.actual.traceback.rstrip()))
    return None


def _output(text: str, dropped: int, title: str, lang: str) -> Panel:
    body = Text(clean(text.rstrip("\n")))
    if dropped:
        body.append("\n" + label("dropped", lang, n=f"{dropped:,}"), style="dim")
    return Panel(body, title=title, title_align="left", border_style="dim")


def render(result: GradeResult, console: Console, lang: str = "en") -> None:
    """Print the whole report for ``result`` in ``lang`` ('zh', 'en' or 'both')."""
    ran = [case for case in result.cases if case.kind != "not_run"]
    if ran:
        console.print(_case_table(result, lang) if console.width >= WIDE_TABLE else _case_blocks(result, lang))
        console.print()
    if result.status == "passed":
        console.print(Text("✓ " + label("passed", lang, n=result.cases_total), style="bold green"))
    elif result.status == "failed":
        console.print(Text("✗ " + label("failed", lang, k=result.cases_passed, n=result.cases_total), style="bold red"))
    else:
        console.print(Text("✗ " + label("error", lang), style="bold red"))
        if result.error_message:
            console.print(Text(clean(pick(result.error_message, lang, separator="\n"))))
        if result.error_detail:
            console.print(Panel(Text(clean(result.error_detail.rstrip())), border_style="red"))
    first = next((c for c in result.cases if not c.passed and c.kind not in ("not_run", "missing_function")), None)
    if first is not None and first.kind == result.error_kind:  # e.g. the case that was running at the timeout
        console.print(Text(f"{label('running', lang)}: {first.name} ({first.inputs})", style="dim"))
    elif first is not None:
        console.print()
        console.print(_first_failure(first, lang))
        traceback = _learner_traceback(first)
        if traceback is not None:
            # Printed unwrapped, like Python's own tracebacks: file paths stay whole (and clickable) at any width.
            console.print(traceback, soft_wrap=True)
    if result.diagnoses:
        console.print()
        console.print(Text(label("diagnosis", lang) + ":", style="bold yellow"))
        for diagnosis in result.diagnoses:
            console.print(Padding(Text(pick(diagnosis.message, lang, separator="\n"), style="yellow"), (0, 0, 0, 2)))
            shown = ", ".join(diagnosis.cases[:3]) + (" …" if len(diagnosis.cases) > 3 else "")
            console.print(Padding(Text(label("seen_in", lang, cases=shown), style="dim"), (0, 0, 0, 4)))
    if result.stdout.strip() or result.stdout_dropped:
        console.print(_output(result.stdout, result.stdout_dropped, label("stdout", lang), lang))
    if result.stderr.strip() or result.stderr_dropped:
        console.print(_output(result.stderr, result.stderr_dropped, label("stderr", lang), lang))
    if result.status != "passed":
        console.print(Text(label("hint", lang, id=result.exercise), style="dim"))


def to_dict(result: GradeResult, lang: str = "en") -> dict:
    def message(text: dict | None) -> str | None:
        return pick(text, lang, separator="\n") if text else None

    return {
        "format": JSON_FORMAT,
        "exercise": result.exercise,
        "file": str(result.path),
        "status": result.status,
        "error_kind": result.error_kind,
        "error_message": message(result.error_message),
        "error_detail": result.error_detail or None,
        "cases_passed": result.cases_passed,
        "cases_total": result.cases_total,
        "seconds": round(result.seconds, 3),
        "cases": [
            {
                "name": case.name,
                "function": case.function,
                "passed": case.passed,
                "kind": case.kind,
                "message": message(case.message),
                "max_abs_error": case.max_abs,
                "max_rel_error": case.max_rel,
                "diagnosis": case.diagnosis,
            }
            for case in result.cases
        ],
        "diagnoses": [
            {"name": d.name, "function": d.function, "message": message(d.message), "cases": d.cases}
            for d in result.diagnoses
        ],
        "stdout": result.stdout,
        "stderr": result.stderr,
        "output_truncated": bool(result.stdout_dropped or result.stderr_dropped),
    }


def to_json(result: GradeResult, lang: str = "en") -> str:
    # Max errors are finite or null (compare turns inf/NaN into None), so this is strict JSON.
    return json.dumps(to_dict(result, lang), ensure_ascii=False, indent=2, allow_nan=False)
