"""An exercise's side of grading: its ``grading.py``, its cases, and what PyTorch computes for them.

Everything is cached per version of ``grading.py`` (path and mtime): ``--watch`` grades again and again, and the
references — the slow part, as it imports torch — are computed once. Cases are cached with them, so the references
always belong to the very cases that were sent to the learner's process.
"""

from __future__ import annotations

import ast
import copy
import importlib.util
from typing import Any

from dlquiz.errors import DlquizError
from dlquiz.grading import messages as M
from dlquiz.grading.catalog import Exercise
from dlquiz.grading.spec import Case

_MODULES: dict[tuple, Any] = {}
_CASES: dict[tuple, list[Case]] = {}
_REFERENCES: dict[tuple, list] = {}


def _module_key(exercise: Exercise) -> tuple:
    try:
        stamp = exercise.grading_path.stat().st_mtime_ns
    except OSError:
        stamp = None
    return (str(exercise.grading_path), stamp)


def grading_module(exercise: Exercise):
    """``exercises/<id>/grading.py``, imported once per change of the file."""
    key = _module_key(exercise)
    if key not in _MODULES:
        name = f"dlquiz_exercise_{exercise.id.replace('-', '_')}_grading"
        try:
            spec = importlib.util.spec_from_file_location(name, exercise.grading_path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            for attribute in ("cases", "reference", "MISTAKES"):
                if not hasattr(module, attribute):
                    raise AttributeError(f"it defines no `{attribute}`")
        except Exception as error:
            raise DlquizError(M.BROKEN_EXERCISE.format(id=exercise.id, file="grading.py", error=error),
                              M.BROKEN_EXERCISE_HINT) from None
        _MODULES[key] = module
    return _MODULES[key]


def exercise_cases(exercise: Exercise) -> list[Case]:
    """The exercise's cases, built once per change of grading.py, so the cached references always match them."""
    key = _module_key(exercise)
    if key in _CASES:
        return _CASES[key]
    module = grading_module(exercise)
    try:
        cases = list(module.cases())
    except Exception as error:
        raise DlquizError(M.BROKEN_EXERCISE.format(id=exercise.id, file="grading.py cases()", error=error),
                          M.BROKEN_EXERCISE_HINT) from None
    for case in cases:
        if not isinstance(case, Case) or case.function not in exercise.functions:
            raise DlquizError(
                M.BROKEN_EXERCISE.format(id=exercise.id, file="grading.py cases()",
                                         error=f"{case!r:.80} is not a Case for one of {list(exercise.functions)}"),
                M.BROKEN_EXERCISE_HINT)
    _CASES[key] = cases
    return cases


def references(exercise: Exercise, cases: list[Case]) -> list:
    """What PyTorch computes for every case; cached for the life of the process (``--watch`` re-grades often)."""
    key = _module_key(exercise)
    if key not in _REFERENCES:
        module = grading_module(exercise)
        try:
            import torch  # noqa: F401  -- fail with one clear message rather than per case
        except ImportError:
            raise DlquizError(M.NO_TORCH, M.NO_TORCH_HINT) from None
        expected = []
        for case in cases:
            try:
                expected.append(module.reference(copy.deepcopy(case)))  # a reference cannot alter the cached case
            except Exception as error:
                raise DlquizError(
                    M.BROKEN_EXERCISE.format(id=exercise.id, file=f"grading.py reference() for {case.name!r}",
                                             error=error), M.BROKEN_EXERCISE_HINT) from None
        _REFERENCES[key] = expected
    return _REFERENCES[key]


def parameter_names(exercise: Exercise) -> dict[str, list[str]]:
    """Argument names of each function, read from the template, to label inputs in the report."""
    try:
        tree = ast.parse(exercise.template())
    except (SyntaxError, DlquizError):
        return {}
    return {node.name: [a.arg for a in node.args.posonlyargs + node.args.args]
            for node in tree.body if isinstance(node, ast.FunctionDef)}


def describe_inputs(case: Case, names: list[str]) -> str:
    import numpy as np

    def one(label: str, value: Any) -> str:
        if isinstance(value, np.ndarray):
            return f"{label} {tuple(value.shape)}"
        return f"{label}={value!r}"

    parts = [one(names[i] if i < len(names) else f"arg{i + 1}", value) for i, value in enumerate(case.args)]
    parts += [one(key, value) for key, value in case.kwargs.items()]
    return ", ".join(parts)
