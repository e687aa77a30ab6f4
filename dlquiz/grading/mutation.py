"""Inputs changed in place, and results that share memory with an input — decided in dlquiz's process.

The learner's process sends back each call's arguments as they were after the call (child.py); they are compared
here with dlquiz's own untouched copy of the case, so patching numpy in the learner's process cannot hide a change.
Which input a returned array aliases can only be seen in that process; child.py finds it with functions it bound
before the learner's code ran, and reports the inputs by position.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlquiz.grading.spec import Case


def _label(position: Any, names: list[str]) -> str:
    if isinstance(position, int):
        return names[position] if 0 <= position < len(names) else f"argument {position + 1}"
    return str(position)


def _differences(pristine: Any, after: Any, label: str) -> list[str]:
    """Labels of the arrays (and containers of them) in ``pristine`` that ``after`` does not reproduce exactly."""
    if isinstance(pristine, np.ndarray):
        same = (
            isinstance(after, np.ndarray)
            and after.shape == pristine.shape
            and after.dtype == pristine.dtype
            and bool(np.array_equal(after, pristine, equal_nan=pristine.dtype.kind in "fc"))
        )
        return [] if same else [label]
    if isinstance(pristine, (list, tuple)):
        if not isinstance(after, (list, tuple)) or len(after) != len(pristine):
            return [label]
        return [
            found
            for i, (p, a) in enumerate(zip(pristine, after, strict=False))
            for found in _differences(p, a, f"{label}[{i}]")
        ]
    if isinstance(pristine, dict):
        if not isinstance(after, dict) or set(map(str, pristine)) != set(after):
            return [label]
        return [
            found
            for key, value in pristine.items()
            for found in _differences(value, after[str(key)], f"{label}[{key!r}]")
        ]
    return []  # numbers and strings cannot be changed in place


def changed_inputs(case: Case, after: Any, names: list[str]) -> list[str]:
    """The case's inputs that came back changed; ``after`` is the decoded ``arguments`` of a result frame.

    Inputs that did not come back count as changed: what cannot be checked is not trusted.
    """
    after = after if isinstance(after, dict) else {}
    args, kwargs = after.get("args"), after.get("kwargs")
    args = args if isinstance(args, list) else []
    kwargs = kwargs if isinstance(kwargs, dict) else {}
    changed = []
    for position, value in enumerate(case.args):
        changed += _differences(value, args[position] if position < len(args) else None, _label(position, names))
    for key, value in case.kwargs.items():
        changed += _differences(value, kwargs.get(str(key)), str(key))
    return changed


def aliased_inputs(paths: Any, names: list[str]) -> list[str]:
    """Readable labels for the input paths ([position or keyword, index, ...]) child.py found a result aliasing."""
    labels = []
    for path in paths if isinstance(paths, list) else []:
        if isinstance(path, list) and path and all(isinstance(part, (int, str)) for part in path):
            labels.append(
                _label(path[0], names)
                + "".join(f"[{part!r}]" if isinstance(part, str) else f"[{part}]" for part in path[1:])
            )
    return labels
