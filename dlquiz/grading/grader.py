"""Grades a learner's file: ``grade_file(load_exercise(name), path) -> GradeResult``.

The learner's process starts first; PyTorch's references are computed here while it runs (importing torch is the
slow part, so the two overlap). Everything that judges the learner's output — this module, compare.py, the
exercise's grading files — is loaded before the learner's process starts, so a file that rewrites them on disk
cannot change its own verdict. Whatever the learner's file does, the result is a GradeResult with status
``passed`` (every case matches), ``failed`` (it ran, some case is wrong) or ``error`` (it could not be graded as a
whole: syntax error, import error, torch import, missing function, timeout, crash). Problems the learner cannot fix
in their file — a missing file, a broken exercise, no PyTorch — raise DlquizError instead.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Collection

from dlquiz.errors import DlquizError
from dlquiz.grading import messages as M
from dlquiz.grading import runner
from dlquiz.grading.cases import (  # noqa: F401  -- used from here
    Grading,
    describe_inputs,
    exercise_cases,
    grading_module,
    parameter_names,
    prepare,
    references,
)
from dlquiz.grading.catalog import Exercise
from dlquiz.grading.compare import compare, matching_mistakes
from dlquiz.grading.mutation import aliased_inputs, changed_inputs
from dlquiz.grading.spec import Case

NOT_RUN = object()


@dataclass
class CaseResult:
    name: str
    function: str
    passed: bool
    kind: str  # "ok" or what went wrong (see compare.Verdict, plus mutated, aliased, numeric_warning,
    #            missing_function, timeout, not_run, crashed)
    message: dict  # {"en": ..., "zh": ...}
    inputs: str  # "x (2, 3)" / "size=7, kernel=3"
    max_abs: float | None = None
    max_rel: float | None = None
    case: Case | None = None
    expected: Any = None
    actual: Any = NOT_RUN
    mutated: list[str] = field(default_factory=list)
    aliased: list[str] = field(default_factory=list)  # inputs the result is (a view of)
    warnings: list[dict] = field(default_factory=list)  # numpy's overflow/invalid/divide warnings during the call
    diagnosis: str | None = None  # name of the matched Mistake
    seconds: float | None = None
    parameters: list[str] = field(default_factory=list)  # the function's parameter names (from the template)
    returns: tuple[str, ...] = ()  # the names of its returned tuple's parts (exercise.yaml's `returns`)


@dataclass
class Diagnosis:
    name: str
    function: str
    message: dict
    cases: list[str]


@dataclass
class GradeResult:
    exercise: str
    path: Path
    status: str  # passed | failed | error
    cases: list[CaseResult]
    error_kind: str | None = None  # syntax, import, torch_import, missing_function, timeout, memory, crashed, exit,
    #                                killed, results_too_big, interrupted, internal
    error_message: dict | None = None
    error_detail: str = ""  # the learner's traceback or Python's syntax error, trimmed to their file
    diagnoses: list[Diagnosis] = field(default_factory=list)
    stdout: str = ""
    stdout_dropped: int = 0
    stderr: str = ""
    stderr_dropped: int = 0
    seconds: float = 0.0

    @property
    def cases_passed(self) -> int:
        return sum(case.passed for case in self.cases)

    @property
    def cases_total(self) -> int:
        return len(self.cases)

    @property
    def first_failure(self) -> CaseResult | None:
        return next((case for case in self.cases if not case.passed and case.kind != "not_run"), None)

    def summary(self) -> str:
        """One English line for the progress database."""
        count = f"{self.cases_passed}/{self.cases_total} cases"
        if self.status == "passed":
            return f"{count} pass"
        if self.error_message:
            return f"{count}; {self.error_kind}: {self.error_message['en']}"[:200]
        first = self.first_failure
        return f"{count}; {first.name}: {first.message['en']}"[:200] if first else count


# --- grading ----------------------------------------------------------------------------------------------------


def _check_path(path: Path) -> Path:
    path = Path(path).expanduser()
    hint, hint_zh = M.NO_FILE_HINT.format(cwd=Path.cwd()), M.NO_FILE_HINT_ZH.format(cwd=Path.cwd())
    if not path.exists():
        raise DlquizError(M.NO_FILE.format(path=path), hint, 2, zh=(M.NO_FILE_ZH.format(path=path), hint_zh))
    if not path.is_file():
        raise DlquizError(M.NOT_A_FILE.format(path=path), hint, 2, zh=(M.NOT_A_FILE_ZH.format(path=path), hint_zh))
    try:
        with open(path, "rb"):
            pass
    except OSError as error:
        reason = error.strerror or str(error)
        raise DlquizError(
            M.UNREADABLE.format(path=path, error=reason),
            None,
            2,
            zh=(M.UNREADABLE_ZH.format(path=path, error=reason), None),
        ) from None
    return path


def grade_file(
    exercise: Exercise,
    path: Path,
    *,
    time_limit_s: float | None = None,
    memory_limit_mb: int | None = None,
    functions: Collection[str] | None = None,
    launched: runner.Run | None = None,
    while_running: Callable[[], object] | None = None,
) -> GradeResult:
    """Run the learner's file against every case of ``exercise`` and say what is wrong.

    ``functions``: only these of the exercise's functions are required, and only their cases run (a code card's
    code defines one function of its exercise). ``launched``: the process ``launch`` started for this file (with
    the exercise's own limits); it is always ended here. ``while_running`` is called while the learner's process
    runs: the caller's own start-up work (imports for showing the result) then costs no time.
    """
    started = time.perf_counter()
    try:
        path = _check_path(path)
        grading = prepare(exercise)  # read from the exercise folder now, before the learner's code can touch it
    except BaseException:
        if launched is not None:
            launched.cancel()
        raise
    wanted = [name for name in exercise.functions if functions is None or name in functions]
    chosen = [index for index, case in enumerate(grading.cases) if case.function in wanted]
    limit_s = time_limit_s or exercise.time_limit_s
    memory_mb = memory_limit_mb or exercise.memory_limit_mb
    as_launched = (Path(os.path.abspath(path)), limit_s, memory_mb, exercise.allow_torch)
    if launched is not None and (
        not chosen
        or (launched.path, launched.time_limit_s, launched.memory_limit_mb, launched.allow_torch) != as_launched
    ):
        launched.cancel()
        launched = None
    if not chosen:
        raise DlquizError(
            f"exercise {exercise.id!r} has no cases for {', '.join(functions or ()) or 'no function'}",
            f"Its functions: {', '.join(exercise.functions)}.",
        )
    cases = [grading.cases[index] for index in chosen]
    calls = [(case.function, pickle.dumps((case.args, case.kwargs), protocol=4)) for case in cases]
    try:
        if launched is None:
            run = runner.start(
                path,
                wanted,
                calls,
                time_limit_s=limit_s,
                memory_limit_mb=memory_mb,
                allow_torch=exercise.allow_torch,
                harness=grading.harness_source,
            )
        else:
            run = launched
            try:
                run.send(wanted, calls, harness=grading.harness_source)
            except BaseException:
                run.cancel()
                raise
    except OSError as error:
        raise DlquizError(M.CANNOT_START.format(python=sys.executable, error=error)) from None
    try:
        expected = grading.references()
        if while_running is not None:
            while_running()
    except BaseException:
        run.cancel()  # never leave the learner's process running
        raise
    outcome = run.wait()
    expected = [expected[index] for index in chosen]  # the references of every case, computed (or cached) as usual
    result = _interpret(grading, cases, path, expected, outcome, limit_s, memory_mb)
    result.seconds = time.perf_counter() - started
    return result


def _load_error(info: dict) -> tuple[str, dict, str]:
    """error_kind, message and detail for a file that could not even be imported."""
    error = runner.LearnerError.from_frame(info)
    if "SyntaxError" in error.classes:
        return (
            "syntax",
            M.bi(M.SYNTAX_EN.format(line=error.lineno), M.SYNTAX_ZH.format(line=error.lineno)),
            error.traceback,
        )
    if error.torch_refused:
        return "torch_import", M.bi(M.TORCH_EN, M.TORCH_ZH), error.traceback
    if "MemoryError" in error.classes:
        return "memory", M.bi(M.MEMORY_IMPORT_EN, M.MEMORY_IMPORT_ZH), error.traceback
    if "SystemExit" in error.classes:
        return (
            "exit",
            M.bi(M.EXIT_IMPORT_EN.format(code=error.message), M.EXIT_IMPORT_ZH.format(code=error.message)),
            "",
        )
    return (
        "import",
        M.bi(
            M.IMPORT_EN.format(type=error.type, message=error.message),
            M.IMPORT_ZH.format(type=error.type, message=error.message),
        ),
        error.traceback,
    )


FAULTS = ("SIGSEGV", "SIGBUS", "SIGILL", "SIGFPE", "SIGABRT", "SIGSYS", "SIGTRAP")  # raised by the code itself


def _died(outcome: runner.RunOutcome, limit_s: float, memory_mb: int) -> tuple[str, dict]:
    """Why the process stopped without finishing, as error_kind and message."""
    timeout = "timeout", M.bi(M.TIMEOUT_EN.format(limit=limit_s), M.TIMEOUT_ZH.format(limit=limit_s))
    if outcome.timed_out:
        return timeout
    if outcome.results_dropped:
        limit = runner.RESULTS_LIMIT // 2**20
        return "results_too_big", M.bi(
            M.RESULTS_TOO_BIG_EN.format(limit=limit), M.RESULTS_TOO_BIG_ZH.format(limit=limit)
        )
    if outcome.internal_error:
        return "internal", M.bi(M.INTERNAL_EN, M.INTERNAL_ZH)
    if outcome.supervisor_lost:
        return "interrupted", M.bi(M.INTERRUPTED_EN, M.INTERRUPTED_ZH)
    code = outcome.returncode
    if code is None:
        return "internal", M.bi(M.INTERNAL_EN, M.INTERNAL_ZH)
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        if name == "SIGXCPU":
            return timeout
        if name == "SIGKILL":
            # Killed by the CPU limit's second stage (the learner ignored SIGXCPU), by the system for memory, or by
            # a signal its own code sent: the supervisor's CPU and memory figures tell which.
            if outcome.cpu_seconds is not None and outcome.cpu_seconds >= runner.cpu_limit_s(limit_s) - 0.5:
                return timeout
            if outcome.peak_memory_mb is None or outcome.peak_memory_mb >= memory_mb * 0.8:
                return "memory", M.bi(M.KILLED_EN.format(memory=memory_mb), M.KILLED_ZH.format(memory=memory_mb))
        if name in FAULTS:
            return "crashed", M.bi(M.CRASHED_EN.format(signal=name), M.CRASHED_ZH.format(signal=name))
        return "killed", M.bi(M.SIGNALLED_EN.format(signal=name), M.SIGNALLED_ZH.format(signal=name))
    if code == 70:
        return "internal", M.bi(M.INTERNAL_EN, M.INTERNAL_ZH)
    return "exit", M.bi(M.EXIT_EN.format(code=code), M.EXIT_ZH.format(code=code))


def _interpret(
    grading: Grading,
    cases: list[Case],
    path: Path,
    expected: list,
    outcome: runner.RunOutcome,
    limit_s: float,
    memory_mb: int,
) -> GradeResult:
    exercise = grading.exercise
    names = parameter_names(exercise)
    results = [
        CaseResult(
            case.name,
            case.function,
            False,
            "not_run",
            M.bi(M.NOT_RUN_EN, M.NOT_RUN_ZH),
            describe_inputs(case, names.get(case.function, [])),
            case=case,
            expected=value,
            parameters=names.get(case.function, []),
            returns=exercise.returns.get(case.function, ()),
        )
        for case, value in zip(cases, expected, strict=True)
    ]
    result = GradeResult(
        exercise.id,
        path,
        "failed",
        results,
        stdout=outcome.stdout.text,
        stdout_dropped=outcome.stdout.dropped,
        stderr=outcome.stderr.text,
        stderr_dropped=outcome.stderr.dropped,
    )
    frames = outcome.frames
    events = {frame.get("event") for frame in frames}
    load_error = next((f for f in frames if f.get("event") == "load_error"), None)
    loaded = next((f for f in frames if f.get("event") == "loaded"), None)
    if load_error is not None:
        result.error_kind, result.error_message, result.error_detail = _load_error(load_error.get("error", {}))
        if load_error.get("stage") == "numpy":
            result.error_kind, result.error_message = "internal", M.bi(M.NO_NUMPY_EN, M.NO_NUMPY_ZH)
        elif load_error.get("stage") == "harness":  # the exercise's harness.py failed: ours, not the learner's
            result.error_kind, result.error_message = "internal", M.bi(M.INTERNAL_EN, M.INTERNAL_ZH)
    if loaded is not None:
        missing = [n for n in loaded.get("missing", []) if isinstance(n, str)]
        not_callable = [n for n in loaded.get("not_callable", []) if isinstance(n, str)]
        for case in results:
            if case.function in missing or case.function in not_callable:
                template_en = M.MISSING_EN if case.function in missing else M.NOT_CALLABLE_EN
                template_zh = M.MISSING_ZH if case.function in missing else M.NOT_CALLABLE_ZH
                case.kind, case.message = (
                    "missing_function",
                    M.bi(template_en.format(name=case.function), template_zh.format(name=case.function)),
                )
        if missing or not_callable:
            result.error_kind = "missing_function"
            wanted = ", ".join(missing + not_callable)
            result.error_message = M.bi(M.MISSING_FILE_EN.format(names=wanted), M.MISSING_FILE_ZH.format(names=wanted))
    begun = None
    for frame in frames:
        index = frame.get("index")
        if not isinstance(index, int) or not 0 <= index < len(results):
            continue
        case = results[index]
        if frame.get("event") == "begin":
            begun = index
            continue
        if frame.get("event") != "result":
            continue
        begun = None
        _fill(case, frame, names.get(case.function, []), grading.summary_labels)
    finished = "done" in events or load_error is not None
    if not finished:
        kind, message = _died(outcome, limit_s, memory_mb)
        if "started" not in events and kind == "exit":
            kind, message = "internal", M.bi(M.INTERNAL_EN, M.INTERNAL_ZH)
        if kind == "internal":  # child.py or the supervisor failed: their own words are the report to send us
            result.error_detail = outcome.internal_error or outcome.stderr.text[-3000:]
        result.error_kind, result.error_message = kind, message
        if begun is not None:
            results[begun].kind, results[begun].message = kind, message
    # Some per-case failures mean the whole file cannot be graded as it is: say so once, as an error.
    if result.error_kind is None and any(c.kind == "torch_refused" for c in results):
        result.error_kind = "torch_import"
        result.error_message = M.bi(M.TORCH_EN, M.TORCH_ZH)
    if result.error_kind is None and any(c.kind == "memory" for c in results):
        result.error_kind = "memory"
        result.error_message = M.bi(M.MEMORY_EN.format(memory=memory_mb), M.MEMORY_ZH.format(memory=memory_mb))
    result.diagnoses = _diagnose(results, grading)
    if result.error_kind is not None:
        result.status = "error"
    elif all(case.passed for case in results):
        result.status = "passed"
    return result


def _fill(case: CaseResult, frame: dict, names: list[str], labels: dict) -> None:
    """One case's verdict from its result frame."""
    from dlquiz.grading.compare import is_numeric_warning

    if frame.get("ok"):
        case.actual = runner.decode_value(frame.get("value"))
    else:
        case.actual = runner.LearnerError.from_frame(frame.get("error"))
    seconds = frame.get("seconds")
    case.seconds = float(seconds) if isinstance(seconds, (int, float)) else None
    case.warnings = [
        w for w in frame.get("warnings") or [] if isinstance(w, dict) and is_numeric_warning(str(w.get("message", "")))
    ]
    spec = case.case
    assert spec is not None
    case.mutated = changed_inputs(spec, runner.decode_value(frame.get("arguments")), names)
    case.aliased = aliased_inputs(frame.get("aliases"), names)
    try:
        verdict = compare(case.function, case.actual, case.expected, spec.rtol, spec.atol, labels, case.returns)
    except Exception as error:  # a reference of a type compare does not know: the exercise's fault, said plainly
        verdict = None
        case.kind, case.message = (
            "internal",
            M.bi(f"dlquiz could not compare this case: {error}", f"dlquiz 无法比较这个用例：{error}"),
        )
    if verdict is not None:
        case.passed, case.kind, case.message = verdict.passed, verdict.kind, verdict.message
        case.max_abs, case.max_rel = verdict.max_abs, verdict.max_rel
    # Wrong values are the first thing to fix; a right result can still fail for how it was made.
    if case.passed and case.aliased:
        aliased = ", ".join(f"`{name}`" for name in case.aliased)
        case.passed, case.kind = False, "aliased"
        case.message = M.bi(
            M.ALIASED_EN.format(function=case.function, names=aliased),
            M.ALIASED_ZH.format(function=case.function, names=aliased),
        )
    elif case.passed and case.warnings:
        case.passed, case.kind = False, "numeric_warning"
        case.message = M.bi(
            M.NUMERIC_WARNING_EN.format(function=case.function, warnings=_warnings_text(case, "en")),
            M.NUMERIC_WARNING_ZH.format(function=case.function, warnings=_warnings_text(case, "zh")),
        )
    elif case.warnings and case.kind in ("not_finite", "wrong_values"):
        case.message = M.bi(
            case.message["en"] + M.NUMERIC_NOTE_EN.format(warnings=_warnings_text(case, "en")),
            case.message["zh"] + M.NUMERIC_NOTE_ZH.format(warnings=_warnings_text(case, "zh")),
        )
    if case.mutated:
        changed = ", ".join(f"`{name}`" for name in case.mutated)
        case.passed, case.kind = False, "mutated"
        case.message = M.bi(
            M.MUTATED_EN.format(function=case.function, names=changed),
            M.MUTATED_ZH.format(function=case.function, names=changed),
        )


def _warnings_text(case: CaseResult, lang: str) -> str:
    """numpy's warnings of a case, as the learner should read them: the message, and the line in their file."""
    parts = []
    for warning in case.warnings[:3]:
        message, line = str(warning.get("message", "")), warning.get("line")
        if isinstance(line, int):
            template = M.WARNING_LINE_EN if lang == "en" else M.WARNING_LINE_ZH
            parts.append(template.format(message=message, line=line))
        else:
            parts.append(repr(message) if lang == "en" else f"“{message}”")
    return ("; " if lang == "en" else "；").join(parts)


DIAGNOSABLE = (
    "wrong_values",
    "wrong_shape",
    "wrong_dtype",
    "wrong_type",
    "not_finite",
    "expected_error",
    "wrong_error",
    "exception",
    "wrong_length",
    "numeric_warning",
)


def _diagnose(results: list[CaseResult], grading: Grading) -> list[Diagnosis]:
    """The fewest known mistakes that explain the failed cases (greedy set cover).

    One wrong line often coincides with another mistake on a few cases (on a 1x1 map, dividing by H·H is the same
    as summing), so naming every match would blame the learner for mistakes they did not make. Each round takes the
    mistake that explains the most unexplained failures; ties go to the one listed first in MISTAKES.
    """
    mistakes = grading.mistakes
    harness = grading.harness_source is not None
    matches: dict[int, set[str]] = {}
    for index, case in enumerate(results):
        if not case.passed and case.kind in DIAGNOSABLE and case.case is not None:
            warned = case.kind == "numeric_warning"
            names = {
                m.name
                for m in matching_mistakes(
                    case.case, case.actual, mistakes, grading.mistake_outcome, any_function=harness, warned=warned
                )
            }
            if names:
                matches[index] = names
    found: list[Diagnosis] = []
    uncovered = set(matches)
    while uncovered:
        best, covered = None, set[int]()
        for mistake in mistakes:
            explains = {i for i in uncovered if mistake.name in matches[i]}
            if len(explains) > len(covered):
                best, covered = mistake, explains
        if best is None:
            break
        diagnosis = Diagnosis(best.name, best.function, M.bi(best.message_en, best.message_zh), [])
        for index in sorted(covered):
            results[index].diagnosis = best.name
            diagnosis.cases.append(results[index].name)
        found.append(diagnosis)
        uncovered -= covered
    return found
