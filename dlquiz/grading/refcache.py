"""PyTorch's references, computed once: an exercise's cases and expected outputs, stored as data under
``$DLQUIZ_HOME/cache/references/``.

Importing torch is most of a grading's time, and the references never change while the exercise does not. So the
first grading (or ``dlquiz exercise --prepare``) stores them, and every later grading reads them back without
importing torch. The cases (the inputs) are stored with them: some exercises need PyTorch to *build* their cases
(dropout draws its masks with it), and the stored references must belong to the very cases that were stored.

One entry is one file, ``<exercise>-<key>.npz``, written atomically (``dlquiz.fsutil``): a zip holding
``manifest.json`` (the structure: cases, references, versions) and ``arrays/N.npy`` (every numpy array, written
and read with ``allow_pickle=False``). It is an ordinary ``.npz`` — ``numpy.load`` opens it — and never pickle, so
a cache file cannot run code. The key hashes what the references depend on: the exercise id, its grading code
(grading.py; with a harness also harness.py and solution.py, the oracle), the torch, numpy and dlquiz versions and
this file's format. A missing, unreadable, corrupt or stale entry is simply not found, and the caller rebuilds it.

Values are encoded as tagged JSON: plain JSON for None, bools, ints, finite floats and strings; ``{"tuple": [...]}``,
``{"list": [...]}``, ``{"dict": [[key, value], ...]}`` (any keys, order kept), ``{"array": N}`` (the same array
object twice is stored once and comes back as one object), ``{"scalar": N}`` (a numpy scalar, as a 0-d array),
``{"float": "nan"}``, ``{"complex": [re, im]}`` and ``{"raises": "module:Name", "why": ...}``. Anything else makes
the entry *uncacheable*: it is then computed on every grading, as before the cache existed, never guessed at.

Nothing heavy is imported at module level: ``dlquiz study`` asks ``is_cached`` without loading numpy.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import io
import json
import math
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dlquiz import fsutil, paths
from dlquiz.errors import DlquizError
from dlquiz.grading.catalog import Exercise, load_exercise
from dlquiz.grading.spec import Case, Raises

FORMAT = 1  # bump when the layout of an entry changes: older entries then no longer match any key
KEY_LENGTH = 20  # hex digits of the key in the file name
MANIFEST = "manifest.json"


class Uncacheable(ValueError):
    """A value the cache cannot store as data; the references are then computed on every grading."""


@dataclass
class Entry:
    """What one cache entry holds: the cases, what PyTorch gives for each, and (harness exercises, whose mistakes
    need torch too) what each known mistake gives, by mistake name and case name (a case left out is computed when
    needed)."""

    cases: list[Case]
    references: list
    mistakes: dict[str, dict[str, Any]] | None = None


def cache_dir() -> Path:
    return paths.data_dir() / "cache" / "references"


@functools.cache  # asked for every exercise a study session holds; what is installed does not change meanwhile
def _version(distribution: str) -> str:
    """A distribution's version, never by importing it (torch takes a second to import).

    Read from the name of its ``NAME-VERSION.dist-info`` folder beside the package, which takes a glob; only where
    that is not one clear answer, from ``importlib.metadata`` (importing it alone costs a warm grading 10 ms)."""
    import importlib.util

    spec = importlib.util.find_spec(distribution)
    if spec is not None and spec.submodule_search_locations:
        folder = Path(next(iter(spec.submodule_search_locations)))
        found = list(folder.parent.glob(f"{distribution}-*.dist-info"))
        if len(found) == 1:
            return found[0].name[len(distribution) + 1 : -len(".dist-info")]
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "none"


def grading_sources(exercise: Exercise) -> dict[str, bytes]:
    """The files whose content decides the cases and references: grading.py, and with a harness its oracle."""
    files = {"grading.py": exercise.grading_path}
    if exercise.harness_path is not None:
        files.update({"harness.py": exercise.harness_path, "solution.py": exercise.solution_path})
    return {name: path.read_bytes() for name, path in files.items()}


def versions() -> dict[str, str]:
    from dlquiz import __version__

    return {"dlquiz": __version__, "torch": _version("torch"), "numpy": _version("numpy"), "format": str(FORMAT)}


def entry_key(exercise: Exercise, sources: dict[str, bytes]) -> str:
    """The hash naming an entry: exercise id, functions, grading sources (seeds included) and versions."""
    digest = hashlib.sha256()
    for part in (exercise.id, ",".join(exercise.functions), json.dumps(versions(), sort_keys=True)):
        digest.update(part.encode("utf-8") + b"\0")
    for name in sorted(sources):
        digest.update(name.encode("utf-8") + b"\0" + hashlib.sha256(sources[name]).digest())
    return digest.hexdigest()[:KEY_LENGTH]


def entry_path(exercise_id: str, key: str) -> Path:
    return cache_dir() / f"{exercise_id}-{key}.npz"


def is_cached(exercise: Exercise) -> bool:
    """Whether the current version of ``exercise`` has an entry (without reading it: cheap, numpy-free)."""
    try:
        return entry_path(exercise.id, entry_key(exercise, grading_sources(exercise))).is_file()
    except OSError:
        return False


# --- reading and writing -------------------------------------------------------------------------------------


def load(exercise_id: str, key: str) -> Entry | None:
    """The entry for ``key``, or None when it is missing, unreadable, corrupt or for another key (a corrupt file
    is removed, so the rebuilt one replaces it)."""
    path = entry_path(exercise_id, key)
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))
            if (
                manifest.get("format") != FORMAT
                or manifest.get("key") != key
                or manifest.get("exercise") != exercise_id
            ):
                raise ValueError("an entry for another key")
            arrays = [_read_array(archive.read(f"arrays/{index}.npy")) for index in range(int(manifest["arrays"]))]
        decoder = _Decoder(arrays, manifest.get("readonly", []))
        cases = [decoder.case(case) for case in manifest["cases"]]
        references = [decoder.value(node) for node in manifest["references"]]
        if len(references) != len(cases):
            raise ValueError("not one reference per case")
        mistakes = manifest.get("mistakes")
        if mistakes is not None:
            mistakes = {
                str(name): {str(case): decoder.value(node) for case, node in outcomes.items()}
                for name, outcomes in mistakes.items()
            }
        return Entry(cases, references, mistakes)
    except FileNotFoundError:
        return None
    except Exception:  # truncated, bit-flipped, hand-edited, from another version: rebuilt by the caller
        try:
            path.unlink()
        except OSError:
            pass
        return None


def store(exercise_id: str, key: str, entry: Entry) -> bool:
    """Write the entry (atomically) and remove the exercise's older entries. False, silently, when a value is not
    data the cache can hold or the folder is not writable: grading then works as without a cache."""
    encoder = _Encoder()
    try:
        manifest = {
            "format": FORMAT,
            "exercise": exercise_id,
            "key": key,
            "versions": versions(),
            "cases": [encoder.case(case) for case in entry.cases],
            "references": [encoder.value(value) for value in entry.references],
        }
        if entry.mistakes is not None:
            manifest["mistakes"] = {name: encoder.outcomes(outcomes) for name, outcomes in entry.mistakes.items()}
        manifest["arrays"], manifest["readonly"] = len(encoder.arrays), encoder.readonly
        text = json.dumps(manifest, ensure_ascii=False, allow_nan=False)
    except (Uncacheable, ValueError, TypeError, RecursionError):
        return False
    path = entry_path(exercise_id, key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with fsutil.atomic_write(path, "wb") as stream, zipfile.ZipFile(stream, "w", zipfile.ZIP_STORED) as archive:
            archive.writestr(MANIFEST, text)
            for index, array in enumerate(encoder.arrays):
                archive.writestr(f"arrays/{index}.npy", _array_bytes(array))
    except (OSError, ValueError):
        return False
    _remove_stale(exercise_id, keep=path)
    return True


def _remove_stale(exercise_id: str, keep: Path) -> None:
    for old in cache_dir().glob(f"{exercise_id}-{'?' * KEY_LENGTH}.npz"):
        if old != keep:
            try:
                old.unlink()
            except OSError:
                pass


def _array_bytes(array: Any) -> bytes:
    import numpy as np

    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _read_array(data: bytes) -> Any:
    import numpy as np

    return np.lib.format.read_array(io.BytesIO(data), allow_pickle=False)


# --- values as data ------------------------------------------------------------------------------------------


class _Encoder:
    def __init__(self) -> None:
        self.arrays: list[Any] = []
        self.readonly: list[int] = []
        self._seen: dict[int, int] = {}  # id(array) -> index: an array used twice stays one object

    def case(self, case: Case) -> dict:
        if type(case) is not Case:
            raise Uncacheable(f"{type(case).__name__} is not a Case")
        return {
            "name": case.name,
            "function": case.function,
            "args": self.value(case.args),
            "kwargs": self.value(case.kwargs),
            "rtol": self.value(case.rtol),
            "atol": self.value(case.atol),
        }

    def outcomes(self, outcomes: dict[str, Any]) -> dict[str, Any]:
        """A mistake's outcome per case name; one that is not data is left out (computed when needed)."""
        stored = {}
        for case, value in outcomes.items():
            try:
                stored[case] = self.value(value)
            except Uncacheable:
                continue
        return stored

    def value(self, value: Any) -> Any:
        kind = type(value)
        if value is None or kind in (bool, int, str):
            return value
        if kind is float:
            return value if math.isfinite(value) else {"float": repr(value)}
        if kind is complex:
            return {"complex": [self.value(value.real), self.value(value.imag)]}
        if kind is tuple or kind is list:
            return {kind.__name__: [self.value(item) for item in value]}
        if kind is dict:
            return {"dict": [[self.value(k), self.value(v)] for k, v in value.items()]}
        if kind is Raises:
            return {"raises": _exception_name(value.exception), "why": self.value(value.why)}
        module = kind.__module__.split(".")[0]
        if module == "numpy" and kind.__name__ == "ndarray":
            return {"array": self._array(value)}
        if module == "numpy" and hasattr(value, "dtype") and getattr(value, "shape", None) == ():
            import numpy as np

            if isinstance(value, np.generic):
                return {"scalar": self._array(np.asarray(value))}
        raise Uncacheable(f"cannot store a {kind.__module__}.{kind.__qualname__} as data")

    def _array(self, array: Any) -> int:
        if array.dtype.hasobject:
            raise Uncacheable("an array of Python objects")
        if id(array) in self._seen:
            return self._seen[id(array)]
        self._seen[id(array)] = index = len(self.arrays)
        self.arrays.append(array)
        if not array.flags.writeable:
            self.readonly.append(index)
        return index


def _exception_name(exception: type[BaseException]) -> str:
    module = exception.__module__
    if module.split(".")[0] == "torch":  # reading it back would import torch, the very thing the cache avoids
        raise Uncacheable(f"{module}.{exception.__qualname__} needs torch to read back")
    name = f"{module}:{exception.__qualname__}"
    if _exception_type(name) is not exception:
        raise Uncacheable(f"{name} cannot be found again by its name")
    return name


def _exception_type(name: str) -> type[BaseException]:
    module_name, _, qualname = name.partition(":")
    if module_name.split(".")[0] == "torch":
        raise ValueError("torch exceptions are never stored")
    found: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        found = getattr(found, part)
    if not (isinstance(found, type) and issubclass(found, BaseException)):
        raise ValueError(f"{name} is not an exception type")
    return found


class _Decoder:
    def __init__(self, arrays: list[Any], readonly: list[int]) -> None:
        self.arrays = arrays
        for index in readonly:
            arrays[index].setflags(write=False)

    def case(self, node: dict) -> Case:
        args, kwargs = self.value(node["args"]), self.value(node["kwargs"])
        if type(args) is not tuple or type(kwargs) is not dict:
            raise ValueError("a case's args must be a tuple and its kwargs a dict")
        return Case(
            str(node["name"]), str(node["function"]), args, kwargs, self.value(node["rtol"]), self.value(node["atol"])
        )

    def value(self, node: Any) -> Any:
        if node is None or type(node) in (bool, int, float, str):
            return node
        if type(node) is not dict or len(node) not in (1, 2):
            raise ValueError(f"not a stored value: {node!r:.60}")
        tag = next(iter(node))
        body = node[tag]
        if tag == "tuple":
            return tuple(self.value(item) for item in body)
        if tag == "list":
            return [self.value(item) for item in body]
        if tag == "dict":
            return {self.value(k): self.value(v) for k, v in body}
        if tag in ("array", "scalar"):
            if type(body) is not int or not 0 <= body < len(self.arrays):
                raise ValueError(f"no array {body!r}")
            return self.arrays[body] if tag == "array" else self.arrays[body][()]
        if tag == "float" and body in ("nan", "inf", "-inf"):
            return float(body)
        if tag == "complex":
            return complex(self.value(body[0]), self.value(body[1]))
        if tag == "raises":
            return Raises(_exception_type(body), self.value(node.get("why", "")))
        raise ValueError(f"unknown tag {tag!r}")


# --- warming ahead of time -----------------------------------------------------------------------------------


def missing(exercise_ids: Iterable[str]) -> list[str]:
    """Which of these exercises have no entry for their current version (unknown ids are left out: the deck's
    own checks report them)."""
    absent = []
    for exercise_id in sorted(set(exercise_ids)):
        try:
            exercise = load_exercise(exercise_id)
        except DlquizError:
            continue
        if not is_cached(exercise):
            absent.append(exercise.id)
    return absent


def warm_in_background(exercise_ids: Iterable[str]) -> subprocess.Popen | None:
    """Start ``dlquiz exercise --prepare --quiet`` for the exercises whose references are missing, detached, and
    return at once (None when nothing is missing). Two of them at once are harmless: each entry is written
    atomically and both write the same data."""
    names = missing(exercise_ids)
    if not names:
        return None
    import dlquiz

    root = str(Path(dlquiz.__file__).resolve().parent.parent)  # this very dlquiz, installed or a checkout
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(part for part in (root, env.get("PYTHONPATH")) if part)
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "dlquiz", "exercise", "--prepare", "--quiet", *names],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # not stopped by the study screen's Ctrl-C, nor printing on it
        )
    except OSError:  # the first code card computes them instead
        return None
