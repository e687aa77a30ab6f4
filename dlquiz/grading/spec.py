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

``allow_torch: true`` in exercise.yaml lets the learner's file import torch (an
exercise about PyTorch's own API); every other exercise refuses it, and there torch
is not even on the learner's ``sys.path``.

Harness exercises
-----------------
Some exercises are about objects that cannot cross the process boundary by identity:
``transfer`` hands the learner a model and grades which of *its* parameters were
frozen and returned. Such an exercise's folder also holds ``harness.py``, a standalone
module (the standard library, numpy and — with ``allow_torch`` — torch; never dlquiz)
that runs in the learner's process and defines::

    run(learner: dict[str, Callable], function: str, *args, **kwargs) -> dict

``run`` builds what the case needs (e.g. a small "pretrained" model), calls the
learner's functions through ``learner`` (name → function; their exceptions propagate
and are reported as the case's exception) and returns a *summary*: a dict from field
names to plain data — numbers, strings, bools, None, tuples and lists of them, numpy
arrays — describing what the learner's code did (parameter names, module structure,
training flags, which tensors changed, output shapes). Then:

* ``cases()`` as usual; ``case.function`` names the learner function the case is
  about, and ``case.args``/``case.kwargs`` go to ``run``, not to that function.
* No ``reference``: the expected summary is ``run`` applied to the reference solution
  (``solution.py``) in dlquiz's own process, with PyTorch. The exercise's tests check
  those summaries against the task's contract.
* ``MISTAKES``: a Mistake's ``implementation`` stands in for the learner function it
  names (the other functions are the solution's); it matches a failed case when its
  summary equals the learner's, on any case — a wrong ``set_training`` shows in cases
  about ``prepare_transfer`` that call both.
* Optional ``SUMMARY_FIELDS``: ``{field: {"en": ..., "zh": ...}}``, the names the
  report gives the summary's fields; the first field that differs is reported.
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
    When it raises, a learner's error of the same type matches it (see ``error_matches``).
    """

    name: str
    function: str  # which learner function this mistake is about
    implementation: Callable[..., Any]
    message_en: str
    message_zh: str
    # For a mistake that shows as an exception: whether the learner's error message (and the case) fits this
    # mistake too. The type alone — a ValueError from a failed broadcast — would blame this mistake for any other
    # code that raises one; None accepts any error of the mistake's type.
    error_matches: Callable[[str, Case], bool] | None = None
