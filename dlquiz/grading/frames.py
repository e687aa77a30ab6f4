"""What the learner's process sends back: result frames, and the values inside them, decoded without trust.

child.py writes length-prefixed pickle frames of builtins only (arrays as dtype/shape/bytes). They are read here
refusing every global (so the learner's process cannot make dlquiz run code), up to a size limit, and decoded with a
budget (so a forged frame of shared references cannot make dlquiz loop).
"""

from __future__ import annotations

import io
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESULTS_LIMIT = 64 * 2**20  # bytes of result frames read; every expected output is far smaller
DECODE_BUDGET = 1_000_000  # values decoded per frame


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in value) if isinstance(value, (list, tuple)) else ()


@dataclass(frozen=True)
class LearnerError:
    """An exception raised by the learner's code, as child.py described it."""

    type: str
    classes: tuple[str, ...]  # the exception class and its bases, by name
    message: str
    traceback: str
    torch_refused: bool = False
    lineno: int | None = None

    @classmethod
    def from_frame(cls, info: Any) -> LearnerError:
        info = info if isinstance(info, dict) else {}
        lineno = info.get("lineno")
        return cls(
            type=str(info.get("type", "Exception")),
            classes=_strings(info.get("mro", ())),
            message=str(info.get("message", "")),
            traceback=str(info.get("traceback", "")),
            torch_refused=bool(info.get("torch_refused", False)),
            lineno=lineno if isinstance(lineno, int) else None,
        )


@dataclass(frozen=True)
class Opaque:
    """A returned object that is not a number, array, list, tuple or dict: only its type and repr come back."""

    type: str
    repr: str


@dataclass(frozen=True)
class BigArray:
    """An array that came back described, not sent: too big, or of a dtype that numbers cannot hold."""

    shape: tuple[int, ...]
    dtype: str
    reason: str


def decode_value(value: Any, budget: list[int] | None = None) -> Any:
    """The inverse of child.encode: numpy arrays and scalars, lists, tuples, dicts, Opaque, BigArray."""
    import numpy as np

    budget = [DECODE_BUDGET] if budget is None else budget
    budget[0] -= 1
    if budget[0] < 0:
        return Opaque("object", "<too many values to read back>")
    if not isinstance(value, dict):
        return value
    kind = value.get("__dlquiz__")
    if kind in ("ndarray", "scalar"):
        try:
            shape = tuple(int(n) for n in value.get("shape", ()))
        except (TypeError, ValueError):
            return BigArray((), str(value.get("dtype")), "unsupported")
        if value.get("unsupported") or value.get("too_big") or "data" not in value:
            return BigArray(shape, str(value.get("dtype")), "too_big" if value.get("too_big") else "unsupported")
        try:
            array = np.frombuffer(value["data"], dtype=np.dtype(value["dtype"])).reshape(shape).copy()
        except (TypeError, ValueError):
            return BigArray(shape, str(value.get("dtype")), "unsupported")
        return array[()] if kind == "scalar" else array
    items = value.get("items", [])
    if kind in ("list", "tuple") and isinstance(items, list):
        decoded = [decode_value(item, budget) for item in items]
        return tuple(decoded) if kind == "tuple" else decoded
    if kind == "dict" and isinstance(items, list):
        pairs = [pair for pair in items if isinstance(pair, (list, tuple)) and len(pair) == 2]
        return {str(key): decode_value(item, budget) for key, item in pairs}
    return Opaque(str(value.get("type", "object")), str(value.get("repr", "")))


class _SafeUnpickler(pickle.Unpickler):
    """Frames hold builtins only; refusing every global means the learner's process cannot make us run code."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"unexpected object {module}.{name} in a result frame")


def parse_frames(data: bytes) -> list[dict]:
    """Length-prefixed frames written by child.py; a frame cut short (by a kill or by the size limit) is dropped."""
    frames: list[dict] = []
    view = memoryview(data)
    position = 0
    while position + 8 <= len(view):
        size = int.from_bytes(view[position : position + 8], "little")
        if size > len(view) - position - 8:
            break
        try:
            frame = _SafeUnpickler(io.BytesIO(view[position + 8 : position + 8 + size])).load()
        except Exception:
            break
        if isinstance(frame, dict):
            frames.append(frame)
        position += 8 + size
    return frames


def read_frames(path: Path, limit: int = RESULTS_LIMIT) -> list[dict]:
    """The frames of a results file, reading at most ``limit`` bytes of it."""
    try:
        with open(path, "rb") as handle:
            return parse_frames(handle.read(limit))
    except OSError:
        return []
