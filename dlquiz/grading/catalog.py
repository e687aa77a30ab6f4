"""Finds the exercise folders and validates their ``exercise.yaml`` (see ``exercises/relu`` for the model).

An exercise folder holds ``exercise.yaml`` (metadata), ``task.md`` (the statement: a ``<!-- zh -->`` section, then an
``<!-- en -->`` section), ``template.py``, ``solution.py`` and ``grading.py`` (the contract in ``spec.py``), and for an
exercise graded through a harness also ``harness.py`` (see ``spec.py``). ``allow_torch: true`` in the YAML lets the
learner's file import torch — for the exercises about PyTorch's own API; every other exercise refuses it.
Only the YAML is read here; ``grading.py`` is imported by the grader when it is needed, so that listing exercises
imports neither numpy nor torch.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlquiz import paths
from dlquiz.errors import DlquizError
from dlquiz.text import RawText as Text, pick

FORMAT_VERSION = 1
REQUIRED_FILES = ("task.md", "template.py", "solution.py", "grading.py")
DEFAULT_TIME_LIMIT_S = 10.0
DEFAULT_MEMORY_LIMIT_MB = 2048
_ID = re.compile(r"^[a-z][a-z0-9_-]*$")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LANG_MARKER = re.compile(r"^<!--\s*(zh|en)\s*-->\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Exercise:
    id: str
    folder: Path
    order: int
    title: Text
    topic: Text
    note: str
    functions: tuple[str, ...]
    time_limit_s: float
    memory_limit_mb: int
    hints: tuple[Text, ...]
    allow_torch: bool = False  # the learner's file may import torch (exercises about PyTorch's own API)
    # The names of the values a function returns as a tuple ({"batchnorm_forward": ("out", ...)}): the failure
    # report says "`new_running_var`, the 3rd returned value" instead of an index.
    returns: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)

    @property
    def task_path(self) -> Path:
        return self.folder / "task.md"

    @property
    def template_path(self) -> Path:
        return self.folder / "template.py"

    @property
    def solution_path(self) -> Path:
        return self.folder / "solution.py"

    @property
    def grading_path(self) -> Path:
        return self.folder / "grading.py"

    @property
    def harness_path(self) -> Path | None:
        """``harness.py``, for an exercise whose cases run through a harness in the learner's process (spec.py)."""
        path = self.folder / "harness.py"
        return path if path.is_file() else None

    def task(self, lang: str) -> str:
        """The statement in ``lang`` ('zh', 'en' or 'both'); the whole file when it has no language markers."""
        text = _read(self.task_path)
        return pick(split_languages(text), lang, separator="\n\n---\n\n")

    def template(self) -> str:
        return _read(self.template_path)

    def solution(self) -> str:
        return _read(self.solution_path)


def split_languages(markdown: str) -> Text:
    """``{'zh': ..., 'en': ...}`` from text with ``<!-- zh -->`` / ``<!-- en -->`` markers, else the text itself."""
    markers = list(_LANG_MARKER.finditer(markdown))
    if not markers:
        return markdown.strip()
    sections: dict[str, str] = {}
    for marker, following in zip(markers, markers[1:] + [None], strict=False):
        end = following.start() if following else len(markdown)
        sections[marker.group(1)] = markdown[marker.end() : end].strip()
    return sections


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise DlquizError(f"cannot read {path}: {error.strerror or error}") from None


# exercise.yaml files parsed in this process, by (path, mtime, size): `--watch`, the study screen and the exercise
# list ask for the same files again and again.
_PARSED: dict[tuple[str, int, int], tuple[dict[str, Any], dict[str, int], dict[tuple[str, str], int]]] = {}


def _load_fields(path: Path) -> tuple[dict[str, Any], dict[str, int], dict[tuple[str, str], int]]:
    """The mapping in ``path``, the line of each key and of each key one level down ((key, subkey) -> line)."""
    import yaml

    try:
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = None
    if key is not None and key in _PARSED:
        cached, cached_lines, cached_sublines = _PARSED[key]
        return dict(cached), cached_lines, cached_sublines
    text = _read(path)
    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: several times faster where installed
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise DlquizError(
            f"{path}{where}: not valid YAML ({getattr(error, 'problem', None) or error})",
            "Fix the exercise metadata; `exercises/relu/exercise.yaml` shows the expected layout.",
        ) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise DlquizError(
            f"{path}: the file must be a mapping of fields (format, id, title, …)",
            "See exercises/relu/exercise.yaml for the format.",
        )
    lines = {name.value: name.start_mark.line + 1 for name, _ in node.value if hasattr(name, "value")}
    sublines: dict[tuple[str, str], int] = {}
    for name, value in node.value:
        if isinstance(value, yaml.MappingNode):
            for sub, _ in value.value:
                sublines[(name.value, str(sub.value))] = sub.start_mark.line + 1
    if key is not None:
        _PARSED[key] = (data, lines, sublines)
    return dict(data), lines, sublines


class _Fields:
    """The top-level mapping of an exercise.yaml, with the line of every key for error messages."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data, self.lines, self.sublines = _load_fields(path)

    def error(self, key: str | None, problem: str, subkey: str | None = None) -> DlquizError:
        line = (self.sublines.get((key, subkey or "")) or self.lines.get(key)) if key else None
        where = f" line {line}" if line else ""
        field = f" `{key}`" if key else ""
        return DlquizError(f"{self.path}{where}:{field} {problem}", "See exercises/relu/exercise.yaml for the format.")

    def get(self, key: str, default: Any = ...) -> Any:
        if key not in self.data:
            if default is ...:
                raise self.error(None, f"missing required field `{key}`")
            return default
        return self.data[key]

    def text(self, key: str) -> Text:
        value = self.get(key)
        if isinstance(value, str) and value.strip():
            return value
        if (
            isinstance(value, dict)
            and value
            and all(k in ("zh", "en") and isinstance(v, str) and v.strip() for k, v in value.items())
        ):
            return value
        raise self.error(key, "must be a non-empty string or a mapping {zh: ..., en: ...}")

    def flag(self, key: str) -> bool:
        value = self.get(key, False)
        if not isinstance(value, bool):
            raise self.error(key, "must be true or false")
        return value

    def number(self, key: str, default: float, kind: type) -> Any:
        value = self.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise self.error(key, "must be a positive number")
        if kind is int and not float(value).is_integer():
            raise self.error(key, "must be a whole number")
        return kind(value)


def _returns(fields: _Fields, functions: list[str]) -> dict[str, tuple[str, ...]]:
    """The optional ``returns:`` mapping, function -> names of the values it returns as a tuple."""
    returns = fields.get("returns", {})
    if not isinstance(returns, dict):
        raise fields.error(
            "returns",
            "must map a function to the names of its returned values, "
            "e.g. {batchnorm_forward: [out, new_running_mean, new_running_var]}",
        )
    checked: dict[str, tuple[str, ...]] = {}
    for function, names in returns.items():
        where = str(function)
        if function not in functions:
            raise fields.error("returns", f"names {function!r}, which is not one of the functions {functions}", where)
        if (
            not isinstance(names, list)
            or len(names) < 2
            or not all(isinstance(n, str) and _IDENTIFIER.match(n) for n in names)
        ):
            raise fields.error(
                "returns",
                f"{function}: must be a list of two or more Python names, one per returned value, in order",
                where,
            )
        if len(set(names)) != len(names):
            raise fields.error("returns", f"{function}: a returned value is named twice", where)
        checked[function] = tuple(names)
    return checked


def _parse(folder: Path) -> Exercise:
    fields = _Fields(folder / "exercise.yaml")
    version = fields.get("format")
    if version != FORMAT_VERSION:
        raise fields.error("format", f"is {version!r}; this dlquiz reads format {FORMAT_VERSION}")
    exercise_id = fields.get("id")
    if not isinstance(exercise_id, str) or not _ID.match(exercise_id):
        raise fields.error("id", "must be lowercase letters, digits, '-' or '_'")
    if exercise_id != folder.name:
        raise fields.error("id", f"is {exercise_id!r} but the folder is named {folder.name!r}; they must match")
    functions = fields.get("functions")
    if (
        not isinstance(functions, list)
        or not functions
        or not all(isinstance(f, str) and _IDENTIFIER.match(f) for f in functions)
    ):
        raise fields.error("functions", "must be a non-empty list of Python function names")
    hints = fields.get("hints", [])
    if not isinstance(hints, list):
        raise fields.error("hints", "must be a list of {zh: ..., en: ...} entries")
    for number, hint in enumerate(hints, 1):
        if not (isinstance(hint, str) and hint.strip()) and not (
            isinstance(hint, dict) and hint and all(isinstance(v, str) and v.strip() for v in hint.values())
        ):
            raise fields.error("hints", f"hint {number} must be a string or a mapping {{zh: ..., en: ...}}")
    note = fields.get("note", "")
    if not isinstance(note, str):
        raise fields.error("note", "must be text (the DLNotes fragment the exercise comes from)")
    order = fields.get("order", 1000)
    if isinstance(order, bool) or not isinstance(order, int):
        raise fields.error("order", "must be a whole number")
    for name in REQUIRED_FILES:
        if not (folder / name).is_file():
            raise DlquizError(
                f"exercise folder {folder} has no {name}", "Every exercise needs " + ", ".join(REQUIRED_FILES) + "."
            )
    return Exercise(
        id=exercise_id,
        folder=folder,
        order=order,
        title=fields.text("title"),
        topic=fields.text("topic"),
        note=note.strip(),
        functions=tuple(functions),
        time_limit_s=fields.number("time_limit_s", DEFAULT_TIME_LIMIT_S, float),
        memory_limit_mb=fields.number("memory_limit_mb", DEFAULT_MEMORY_LIMIT_MB, int),
        hints=tuple(hints),
        allow_torch=fields.flag("allow_torch"),
        returns=_returns(fields, functions),
    )


def _folders(root: Path) -> list[Path]:
    if not root.is_dir():
        raise DlquizError(f"the exercises folder {root} is missing", "Reinstall dlquiz; the exercises ship with it.")
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / "exercise.yaml").is_file())


def list_exercises(root: Path | None = None) -> list[Exercise]:
    """Every exercise, in the order of their ``order`` field (then id)."""
    exercises = [_parse(folder) for folder in _folders(root or paths.exercises_dir())]
    return sorted(exercises, key=lambda e: (e.order, e.id))


def exercise_names(root: Path | None = None) -> list[str]:
    return [folder.name for folder in _folders(root or paths.exercises_dir())]


def load_exercise(name: str, root: Path | None = None) -> Exercise:
    """The exercise called ``name``; an unknown name is a usage error (exit code 2) listing the valid ones."""
    root = root or paths.exercises_dir()
    names = exercise_names(root)
    wanted = name.strip().lower()
    if wanted not in names:
        close = difflib.get_close_matches(wanted, names, n=1)
        suggestion = f"Did you mean `{close[0]}`? " if close else ""
        raise DlquizError(
            f"no exercise named {name!r}",
            f"{suggestion}Exercises: {', '.join(names) or '(none)'}. `dlquiz exercise` lists them.",
            exit_code=2,
            zh=(
                f"没有名为 {name!r} 的练习",
                (f"你是不是想找 `{close[0]}`？" if close else "")
                + f"已有的练习：{'、'.join(names) or '（无）'}。`dlquiz exercise` 会列出它们。",
            ),
        )
    return _parse(root / wanted)


class CatalogExercises:
    """The exercises as code-card validation sees them (``cards.exercise_lookup.ExerciseLookup``), read once, lazily."""

    def __init__(self) -> None:
        self._exercises: dict[str, Exercise | None] | None = None

    def _all(self) -> dict[str, Exercise | None]:
        if self._exercises is None:
            found: dict[str, Exercise | None] = {}
            try:
                folders = _folders(paths.exercises_dir())
            except DlquizError:
                folders = []
            for folder in folders:  # parsed directly: load_exercise would list the folder again for each name
                try:
                    found[folder.name] = _parse(folder)
                except DlquizError:  # a broken exercise folder: `dlquiz doctor` reports it; no card can use it
                    found[folder.name] = None
            self._exercises = found
        return self._exercises

    def names(self) -> list[str]:
        return [name for name, exercise in self._all().items() if exercise is not None]

    def functions(self, exercise_id: str) -> tuple[str, ...] | None:
        exercise = self._all().get(exercise_id)
        return None if exercise is None else exercise.functions

    def called_together(self, exercise_id: str) -> bool:
        exercise = self._all().get(exercise_id)
        return exercise is not None and exercise.harness_path is not None
