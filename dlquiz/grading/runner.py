"""Runs the learner's file in a separate Python process: time limit, memory limit, captured output, no crash.

``start(...)`` launches ``child.py`` at once and returns a ``Run``; the grader computes the PyTorch references while
the child works, then calls ``Run.wait()``. Whatever the learner's code does — loops forever, prints gigabytes,
exits, segfaults, spawns processes — ``wait`` returns a ``RunOutcome`` and leaves no process behind.
"""

from __future__ import annotations

import codecs
import io
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

CHILD = Path(__file__).with_name("child.py")
OUTPUT_LIMIT = 8_000  # characters of stdout (and of stderr) kept for the report; the rest is counted, not kept


@dataclass
class Captured:
    """The first OUTPUT_LIMIT characters of a stream, and how many more there were."""

    text: str = ""
    dropped: int = 0


@dataclass
class RunOutcome:
    frames: list[dict]
    returncode: int | None
    timed_out: bool
    seconds: float
    stdout: Captured = field(default_factory=Captured)
    stderr: Captured = field(default_factory=Captured)


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
    def from_frame(cls, info: dict) -> "LearnerError":
        return cls(
            type=str(info.get("type", "Exception")),
            classes=tuple(info.get("mro", ())),
            message=str(info.get("message", "")),
            traceback=str(info.get("traceback", "")),
            torch_refused=bool(info.get("torch_refused", False)),
            lineno=info.get("lineno"),
        )


@dataclass(frozen=True)
class Opaque:
    """A returned object that is not a number, array, list or tuple: only its type and repr come back."""

    type: str
    repr: str


@dataclass(frozen=True)
class BigArray:
    """An array that came back described, not sent: too big, or of a dtype that numbers cannot hold."""

    shape: tuple[int, ...]
    dtype: str
    reason: str


def decode_value(value):
    """The inverse of child.encode: numpy arrays and scalars, lists, tuples, Opaque, BigArray."""
    import numpy as np

    if not isinstance(value, dict):
        return value
    kind = value.get("__dlquiz__")
    if kind in ("ndarray", "scalar"):
        shape = tuple(int(n) for n in value.get("shape", ()))
        if value.get("unsupported") or value.get("too_big") or "data" not in value:
            return BigArray(shape, str(value.get("dtype")), "too_big" if value.get("too_big") else "unsupported")
        try:
            array = np.frombuffer(value["data"], dtype=np.dtype(value["dtype"])).reshape(shape).copy()
        except (TypeError, ValueError):
            return BigArray(shape, str(value.get("dtype")), "unsupported")
        return array[()] if kind == "scalar" else array
    if kind in ("list", "tuple"):
        items = [decode_value(item) for item in value.get("items", [])]
        return tuple(items) if kind == "tuple" else items
    return Opaque(str(value.get("type", "object")), str(value.get("repr", "")))


class _SafeUnpickler(pickle.Unpickler):
    """Frames hold builtins only; refusing every global means the learner's process cannot make us run code."""

    def find_class(self, module: str, name: str):
        raise pickle.UnpicklingError(f"unexpected object {module}.{name} in a result frame")


def read_frames(path: Path) -> list[dict]:
    """Length-prefixed frames written by child.py; a frame cut short by a kill is dropped."""
    frames: list[dict] = []
    try:
        data = path.read_bytes()
    except OSError:
        return frames
    position = 0
    while position + 8 <= len(data):
        size = int.from_bytes(data[position : position + 8], "little")
        body = data[position + 8 : position + 8 + size]
        if len(body) < size:
            break
        try:
            frame = _SafeUnpickler(io.BytesIO(body)).load()
        except Exception:
            break
        if isinstance(frame, dict):
            frames.append(frame)
        position += 8 + size
    return frames


def _drain(stream, captured: Captured) -> None:
    """Keep the start of a stream and count the rest, so an endless print loop costs no memory."""
    kept: list[str] = []
    room = OUTPUT_LIMIT
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")  # a character may span two reads
    try:
        while True:
            chunk = stream.read1(4096) if hasattr(stream, "read1") else stream.read(4096)
            text = decoder.decode(chunk, final=not chunk)
            if not chunk and not text:
                break
            if room > 0:
                kept.append(text[:room])
                captured.dropped += max(0, len(text) - room)
                room -= min(room, len(text))
            else:
                captured.dropped += len(text)
    except (OSError, ValueError):
        pass
    finally:
        captured.text = "".join(kept)


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    # One BLAS thread: deterministic sums, and OpenBLAS does not reserve per-core buffers under the memory limit.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = "1"
    return env


class Run:
    """A learner process in flight."""

    def __init__(self, path: Path, functions: list[str], calls: list[tuple[str, bytes]],
                 time_limit_s: float, memory_limit_mb: int) -> None:
        path = Path(os.path.abspath(path))  # the child runs in the file's folder
        self.time_limit_s = time_limit_s
        self.folder = Path(tempfile.mkdtemp(prefix="dlquiz-run-"))
        self.results = self.folder / "results.bin"
        self.results.touch()
        job = self.folder / "job.pickle"
        job.write_bytes(pickle.dumps({"path": str(path), "functions": functions, "calls": calls}, protocol=4))
        cpu_backstop = int(time_limit_s * 2) + 5
        command = [sys.executable, "-I", "-X", "utf8", "-B", str(CHILD), str(job), str(self.results),
                   str(memory_limit_mb), str(cpu_backstop)]
        posix = os.name == "posix"
        self.started = time.perf_counter()
        try:
            self.process: subprocess.Popen | None = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=str(path.parent),
                env=_child_env(),
                # Its own process group, so a timeout kills whatever the learner's code spawned too.
                start_new_session=posix,
                creationflags=getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0) if not posix else 0,
            )
        except OSError:
            self.process = None
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        self.stdout, self.stderr = Captured(), Captured()
        self._readers = [
            threading.Thread(target=_drain, args=(self.process.stdout, self.stdout), daemon=True),
            threading.Thread(target=_drain, args=(self.process.stderr, self.stderr), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _kill(self) -> None:
        process = self.process
        if process is None:
            return
        try:
            if os.name == "posix":
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()
        except (ProcessLookupError, PermissionError, OSError):
            pass

    def cancel(self) -> None:
        """Stop the child at once and clean up (the grading failed on our side)."""
        self.time_limit_s = 0.0
        self.wait()

    def wait(self) -> RunOutcome:
        """Wait for the child (at most the time limit, counted from its start), then collect everything."""
        process = self.process
        assert process is not None
        timed_out = False
        try:
            remaining = self.time_limit_s - (time.perf_counter() - self.started)
            process.wait(timeout=max(remaining, 0.01))
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            # Also on KeyboardInterrupt in --watch: the learner's process never outlives the grading.
            seconds = time.perf_counter() - self.started
            self._kill()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            for reader in self._readers:
                reader.join(timeout=2)  # a grandchild that escaped the group may hold the pipe: don't wait on it
            for stream in (process.stdout, process.stderr):
                try:
                    stream.close()
                except OSError:
                    pass
        frames = read_frames(self.results)
        shutil.rmtree(self.folder, ignore_errors=True)
        return RunOutcome(frames=frames, returncode=process.returncode, timed_out=timed_out, seconds=seconds,
                          stdout=self.stdout, stderr=self.stderr)


def start(path: Path, functions: list[str], calls: list[tuple[str, bytes]], *,
          time_limit_s: float, memory_limit_mb: int) -> Run:
    """Launch the learner's process; ``calls`` are (function name, pickle.dumps((args, kwargs)))."""
    return Run(path, functions, calls, time_limit_s, memory_limit_mb)
