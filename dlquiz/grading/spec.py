"""The contract between an exercise folder's ``grading.py`` and the grader.

Each ``exercises/<name>/grading.py`` defines:

* ``cases() -> list[Case]`` — fixed edge cases first, then seeded random ones
  (always seed with ``numpy.random.default_rng(<constant>)`` so runs repeat).
* ``reference(case: Case) -> object`` — what PyTorch itself computes for the case
  (a numpy array, a tuple of them, a Python int), or ``Raises(ValueError, why)``
  when PyTorch refuses the input. Only this function may import torch.
* ``MISTAKES: list[Mistake]`` — wrong implementations learners really write,
  in numpy, used only to *diagnose* a failed case (never as the expected value).

The grading process imports ``grading.py``; the learner's code runs in another
process and only ever sees ``case.function``, ``case.args`` and ``case.kwargs``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass(frozen=True)
class Case:
    name: str
    function: str  # name of the learner's function to call
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    # Defaults match torch.testing.assert_close for float64.
    rtol: float = 1e-7
    atol: float = 1e-7


@dataclass(frozen=True)
class Raises:
    """The expected outcome is an exception of this type (PyTorch refused the input)."""

    exception: type[BaseException]
    why: str = ""


@dataclass(frozen=True)
class Mistake:
    """A known wrong implementation and what to tell the learner when it matches.

    ``implementation`` takes the learner function's arguments; it may return None to say
    "this mistake cannot happen for these inputs", and is then not considered for the case.
    """

    name: str
    function: str  # which learner function this mistake is about
    implementation: Callable[..., Any]
    message_en: str
    message_zh: str
