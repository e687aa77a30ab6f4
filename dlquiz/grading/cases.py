"""An exercise's side of grading: its ``grading.py``, its cases, and what PyTorch computes for them.

``prepare(exercise)`` loads everything grading needs from the exercise folder — grading.py, and for a harness
exercise the sources of harness.py and solution.py — *before* the learner's process starts, and nothing is read
from disk again for that grading: a learner's file that rewrites the exercise folder while it runs cannot change
what it is compared with.

Everything is cached per version of these files (path and mtime): ``--watch`` grades again and again, and the
references — the slow part, as it imports torch — are computed once. Cases are cached with them, so the references
always belong to the very cases that were sent to the learner's process.

Across runs, the cases and references live in the reference cache (``refcache.py``): a grading whose entry is
there imports no torch at all. A missing, corrupt or stale entry is rebuilt by the first grading that needs it.
"""

from __future__ import annotations

import ast
import copy
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlquiz.errors import DlquizError
from dlquiz.grading import messages as M
from dlquiz.grading import refcache
from dlquiz.grading.catalog import Exercise
from dlquiz.grading.spec import Case, Mistake, Raises

_GRADINGS: dict[tuple, Grading] = {}


def _module_key(exercise: Exercise) -> tuple:
    """grading.py's path and mtime (with a harness also those of harness.py and solution.py, its oracle)."""
    paths = [exercise.grading_path]
    if exercise.harness_path is not None:
        paths += [exercise.harness_path, exercise.solution_path]
    stamps: list[int | None] = []
    for path in paths:
        try:
            stamps.append(path.stat().st_mtime_ns)
        except OSError:
            stamps.append(None)
    return (str(exercise.grading_path), *stamps)


def _broken(exercise: Exercise, file: str, error: object) -> DlquizError:
    return DlquizError(M.BROKEN_EXERCISE.format(id=exercise.id, file=file, error=error), M.BROKEN_EXERCISE_HINT)


def _module_from_source(name: str, source: str | bytes, filename: Path) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__file__ = str(filename)
    sys.modules[name] = module  # dataclasses and pickle look their module up there
    exec(compile(source, str(filename), "exec"), module.__dict__)
    return module


@dataclass
class Grading:
    """One version of an exercise's grading, as loaded by ``prepare``."""

    exercise: Exercise
    module: types.ModuleType
    cases: list[Case]
    harness_source: str | None = None  # harness exercises only (see spec.py)
    solution_source: str | None = None
    _references: list | None = field(default=None, repr=False)
    _mistake_outcomes: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)
    _harness: types.ModuleType | None = field(default=None, repr=False)
    _solution: dict[str, Callable] | None = field(default=None, repr=False)
    cache_key: str | None = None  # its entry in the reference cache
    from_cache: bool = False  # cases and references were read from the cache
    _cached_mistakes: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)

    @property
    def mistakes(self) -> list[Mistake]:
        return list(getattr(self.module, "MISTAKES", []))

    @property
    def summary_labels(self) -> dict:
        """Bilingual names of a harness summary's fields: grading.py's optional ``SUMMARY_FIELDS``."""
        labels = getattr(self.module, "SUMMARY_FIELDS", {})
        return labels if isinstance(labels, dict) else {}

    def references(self) -> list:
        """What PyTorch computes for every case (for a harness exercise: the reference solution's summaries)."""
        if self._references is None:
            try:
                import torch  # noqa: F401  -- fail with one clear message rather than per case
            except ImportError:
                raise DlquizError(M.NO_TORCH, M.NO_TORCH_HINT) from None
            expected = []
            for case in self.cases:
                try:
                    if self.harness_source is None:
                        expected.append(self.module.reference(copy.deepcopy(case)))  # cannot alter the cached case
                    else:
                        expected.append(self._run_harness(self._solution_functions(), case))
                except DlquizError:
                    raise
                except Exception as error:
                    raise _broken(self.exercise, f"grading.py reference() for {case.name!r}", error) from None
            self._references = expected
            self._store()
        return self._references

    def _store(self) -> None:
        """Keep the references for the next runs (for a harness exercise, the mistakes' outcomes too: they need
        torch as well). A value the cache cannot hold only means computing it again next time."""
        if self.cache_key is None or self._references is None:
            return
        mistakes = None
        if self.harness_source is not None:
            mistakes = {}
            for mistake in self.mistakes:
                outcomes = {}
                for case in self.cases:
                    try:
                        outcomes[case.name] = self.mistake_outcome(mistake, case)[0]
                    except DlquizError:
                        continue
                mistakes[mistake.name] = outcomes
        refcache.store(self.exercise.id, self.cache_key, refcache.Entry(self.cases, self._references, mistakes))

    def mistake_outcome(self, mistake: Mistake, case: Case) -> tuple[Any, bool]:
        """What ``mistake`` gives for ``case`` (``Raises`` when it raises), and whether it warned; computed once."""
        key = (mistake.name, case.name)
        if key not in self._mistake_outcomes:
            if self.harness_source is None:
                from dlquiz.grading.compare import mistake_outcome

                self._mistake_outcomes[key] = mistake_outcome(mistake, case)
            elif case.name in self._cached_mistakes.get(mistake.name, {}):
                self._mistake_outcomes[key] = (self._cached_mistakes[mistake.name][case.name], False)
            else:
                functions = {**self._solution_functions(), mistake.function: mistake.implementation}
                try:
                    self._mistake_outcomes[key] = (self._run_harness(functions, case), False)
                except Exception as error:  # the mistake's own answer can be "raises"
                    self._mistake_outcomes[key] = (Raises(type(error), str(error)), False)
        return self._mistake_outcomes[key]

    # --- harness exercises ------------------------------------------------------------------------------------

    def _run_harness(self, functions: dict[str, Callable], case: Case) -> Any:
        if self._harness is None:
            assert self.harness_source is not None
            try:
                self._harness = _module_from_source(
                    f"dlquiz_exercise_{_ident(self.exercise)}_harness",
                    self.harness_source,
                    self.exercise.folder / "harness.py",
                )
            except Exception as error:
                raise _broken(self.exercise, "harness.py", error) from None
        import torch

        # One thread, as in the learner's process: the harness's tensors are tiny, and waking a thread pool on a
        # busy machine costs more than the work (the learner's mistakes are run through here too).
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return self._harness.run(functions, case.function, *copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
        finally:
            torch.set_num_threads(threads)

    def _solution_functions(self) -> dict[str, Callable]:
        if self._solution is None:
            assert self.solution_source is not None
            try:
                module = _module_from_source(
                    f"dlquiz_exercise_{_ident(self.exercise)}_solution",
                    self.solution_source,
                    self.exercise.solution_path,
                )
                self._solution = {name: getattr(module, name) for name in self.exercise.functions}
            except Exception as error:
                raise _broken(self.exercise, "solution.py", error) from None
        return self._solution


def _ident(exercise: Exercise) -> str:
    return exercise.id.replace("-", "_")


def prepare(exercise: Exercise) -> Grading:
    """Everything grading ``exercise`` needs, loaded now (see the module docstring); cached per grading.py version."""
    key = _module_key(exercise)
    if key in _GRADINGS:
        return _GRADINGS[key]
    try:
        sources = refcache.grading_sources(exercise)
    except OSError as error:
        raise _broken(exercise, "grading.py", error) from None
    name = f"dlquiz_exercise_{_ident(exercise)}_grading"
    try:
        module = _module_from_source(name, sources["grading.py"], exercise.grading_path)
        required = ("cases", "MISTAKES") if exercise.harness_path else ("cases", "reference", "MISTAKES")
        for attribute in required:
            if not hasattr(module, attribute):
                raise AttributeError(f"it defines no `{attribute}`")
    except Exception as error:
        raise _broken(exercise, "grading.py", error) from None
    cache_key = refcache.entry_key(exercise, sources)
    entry = refcache.load(exercise.id, cache_key)
    if entry is not None:
        cases = entry.cases
    else:
        try:
            cases = list(module.cases())
        except Exception as error:
            raise _broken(exercise, "grading.py cases()", error) from None
    for case in cases:
        if not isinstance(case, Case) or case.function not in exercise.functions:
            raise _broken(
                exercise, "grading.py cases()", f"{case!r:.80} is not a Case for one of {list(exercise.functions)}"
            )
    grading = Grading(exercise, module, cases, cache_key=cache_key)
    if entry is not None:
        grading._references, grading.from_cache = entry.references, True
        grading._cached_mistakes = entry.mistakes or {}
    if exercise.harness_path is not None:
        try:
            grading.harness_source = sources["harness.py"].decode("utf-8")
            grading.solution_source = sources["solution.py"].decode("utf-8")
        except UnicodeDecodeError as error:
            raise _broken(exercise, "harness.py", error) from None
    _GRADINGS[key] = grading
    return grading


def warm(exercise: Exercise) -> str:
    """Make sure the reference cache holds ``exercise``'s current cases and references: "cached" (it did already),
    "computed" (stored now) or "uncacheable" (computed, but not data the cache can hold)."""
    grading = prepare(exercise)
    assert grading.cache_key is not None
    entry = refcache.entry_path(exercise.id, grading.cache_key)
    if entry.is_file():  # read from it, or stored by an earlier grading of this process
        return "cached"
    if grading._references is None:
        grading.references()  # computes and stores
    else:
        grading._store()  # computed before, but the entry has gone since
    return "computed" if entry.is_file() else "uncacheable"


def grading_module(exercise: Exercise) -> types.ModuleType:
    """``exercises/<id>/grading.py``, imported once per change of the file."""
    return prepare(exercise).module


def exercise_cases(exercise: Exercise) -> list[Case]:
    """The exercise's cases, built once per change of grading.py, so the cached references always match them."""
    return prepare(exercise).cases


def references(exercise: Exercise, cases: list[Case] | None = None) -> list:
    """What PyTorch computes for every case of the current grading.py (``cases`` is that version's list)."""
    return prepare(exercise).references()


def parameter_names(exercise: Exercise) -> dict[str, list[str]]:
    """Argument names of each function, read from the template, to label inputs in the report."""
    try:
        tree = ast.parse(exercise.template())
    except (SyntaxError, DlquizError):
        return {}
    return {
        node.name: [a.arg for a in node.args.posonlyargs + node.args.args]
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
    }


def describe_inputs(case: Case, names: list[str]) -> str:
    import numpy as np

    def one(label: str, value: Any) -> str:
        if isinstance(value, np.ndarray):
            return f"{label} {tuple(value.shape)}"
        return f"{label}={value!r}"

    parts = [one(names[i] if i < len(names) else f"arg{i + 1}", value) for i, value in enumerate(case.args)]
    parts += [one(key, value) for key, value in case.kwargs.items()]
    return ", ".join(parts)
