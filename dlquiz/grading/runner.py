"""Runs the learner's file in a separate, supervised Python process and collects what it did.

``launch(...)`` starts the process at once: it imports numpy, then waits for its job. ``Run.send(...)`` gives it the
job (the learner's file is only loaded then, so dlquiz can load everything that judges first) and starts its clock;
the grader computes the PyTorch references while it works, then calls ``Run.wait()``. Launching early lets the
process start and import numpy while dlquiz imports its own grading code; ``start(...)`` is launch and send at once.
Whatever the learner's code does — loops forever, prints gigabytes, floods the results pipe, exits, segfaults,
spawns (detached) processes, signals its parent — ``wait`` returns a ``RunOutcome`` within the time limit plus a few
seconds and leaves no process of the learner's behind.

The process tree on POSIX is dlquiz → ``supervisor.py`` (limits, isolation, clean-up: see its docstring) →
``child.py`` (the learner's code). Six pipes connect them: the learner's stdout and stderr, its result frames, the
supervisor's status lines, a control pipe and a go pipe. One byte on the control pipe (``send``) makes the supervisor
start the learner's clock and pass the byte on to the learner through the go pipe; the control pipe's closing — by
``wait``, or by the kernel when dlquiz dies — tells the supervisor to stop. Each pipe is read by its own thread into
a bounded ``_Sink`` and closed by that thread, so neither a flood of data nor an escaped process holding a pipe open
can hang or bloat dlquiz. On Windows there is no supervisor: child.py runs directly, started by ``send``, and writes
its frames to a file.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from dlquiz.grading.frames import (  # noqa: F401  -- the protocol's types, used from here by the grader and tests
    RESULTS_LIMIT,
    BigArray,
    LearnerError,
    Opaque,
    decode_value,
    parse_frames,
    read_frames,
)
from dlquiz.grading.runfolder import RunFolder

CHILD = Path(__file__).with_name("child.py")
SUPERVISOR = Path(__file__).with_name("supervisor.py")
OUTPUT_LIMIT = 8_000  # characters of stdout (and of stderr) kept for the report; the rest is counted, not kept
STATUS_LIMIT = 64 * 2**10
GRACE_S = 1.0  # dlquiz's own watchdog fires this long after the supervisor's
STOP_WAIT_S = 1.0  # how long the supervisor gets to clean up after being asked to stop
READ_WAIT_S = 2.0  # how long to wait for the pipes to drain once every process is gone
# Tests switch this off to exercise the fallback; the supervisor also falls back when the system refuses them.
USE_NAMESPACES = True


@dataclass
class Captured:
    """The first OUTPUT_LIMIT characters of a stream, and how many more there were."""

    text: str = ""
    dropped: int = 0


@dataclass
class RunOutcome:
    frames: list[dict]
    returncode: int | None  # the learner's process: exit code, or -signal; None when it is not known
    timed_out: bool
    seconds: float
    stdout: Captured = field(default_factory=Captured)
    stderr: Captured = field(default_factory=Captured)
    cpu_seconds: float | None = None
    peak_memory_mb: float | None = None  # the learner's peak resident memory
    results_dropped: int = 0  # bytes of result frames beyond RESULTS_LIMIT, not read
    supervisor_lost: bool = False  # the supervisor ended without saying how the learner's process ended
    internal_error: str = ""  # the supervisor's own failure, for the report
    isolation: str = ""  # namespace, subreaper, session or direct (see supervisor.py)


# --- reading the pipes ------------------------------------------------------------------------------------------

_CONTINUATION_BYTES = bytes(range(0x80, 0xC0))


class _Sink:
    """What came through one pipe: the first ``limit`` bytes, and how many bytes (and characters) came after."""

    def __init__(self, limit: int, count_characters: bool = False, overflow: threading.Event | None = None) -> None:
        self.limit = limit
        self.overflow = overflow  # set once something had to be dropped
        self.kept = bytearray()
        self.dropped_bytes = 0
        self.count_characters = count_characters
        self.dropped_characters = 0  # UTF-8 characters in the dropped bytes: every byte that starts one
        self._lock = threading.Lock()

    def feed(self, data: bytes) -> None:
        with self._lock:
            room = max(self.limit - len(self.kept), 0)
            if room:
                self.kept += data[:room]
            if len(data) > room:
                self.dropped_bytes += len(data) - room
                if self.overflow is not None:
                    self.overflow.set()
                if self.count_characters:
                    self.dropped_characters += len(data[room:].translate(None, _CONTINUATION_BYTES))

    def data(self) -> bytes:
        with self._lock:
            return bytes(self.kept)

    def text(self) -> Captured:
        """The output as text: OUTPUT_LIMIT characters kept, the rest counted."""
        with self._lock:
            text = self.kept.decode("utf-8", errors="replace")
            dropped = self.dropped_characters
        if len(text) > OUTPUT_LIMIT:
            dropped += len(text) - OUTPUT_LIMIT
            text = text[:OUTPUT_LIMIT]
        return Captured(text, dropped)


def _pump(fd: int, sink: _Sink) -> None:
    """Read one pipe to its end, then close it. Only this thread ever touches ``fd``: nothing can block on it."""
    try:
        while True:
            data = os.read(fd, 65536)
            if not data:
                break
            sink.feed(data)
    except OSError:
        pass
    finally:
        os.close(fd)


def cpu_limit_s(time_limit_s: float) -> int:
    """The learner's CPU-time limit (RLIMIT_CPU): the wall-clock limit, rounded up, plus a little."""
    return math.ceil(time_limit_s) + 2


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    # One BLAS thread: deterministic sums, and OpenBLAS does not reserve per-core buffers under the memory limit.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = "1"
    return env


def _kill_session(session: int) -> None:
    """Last resort when the supervisor itself had to be killed: every process left in the learner's session."""
    try:
        os.killpg(session, signal.SIGKILL)
    except OSError:
        pass
    try:
        entries = [entry for entry in os.listdir("/proc") if entry.isdigit()]
    except OSError:
        return
    for entry in entries:
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            if int(fields[3]) == session:  # field 6 of stat: the session id
                os.kill(int(entry), signal.SIGKILL)
        except (OSError, IndexError, ValueError):
            continue


class Run:
    """A learner process in flight: launched (waiting for its job), then sent its job, then waited for."""

    def __init__(self, path: Path, time_limit_s: float, memory_limit_mb: int, *, allow_torch: bool = False) -> None:
        self.path = Path(os.path.abspath(path))  # the child runs in the file's folder
        self.time_limit_s = time_limit_s
        self.memory_limit_mb = memory_limit_mb
        self.allow_torch = allow_torch
        self.folder = RunFolder()
        self.job = self.folder.path / "job.pickle"
        # _exited: the process (supervisor, or child.py on Windows) ended. _wake: that, or the results pipe was
        # flooded. wait() and _stop() sleep on them instead of polling.
        self._exited, self._wake = threading.Event(), threading.Event()
        self.stdout, self.stderr = _Sink(OUTPUT_LIMIT * 4, True), _Sink(OUTPUT_LIMIT * 4, True)
        self.results, self.status = _Sink(RESULTS_LIMIT, overflow=self._wake), _Sink(STATUS_LIMIT)
        self._threads: list[threading.Thread] = []
        self._control: int | None = None
        self._results_file: Path | None = None
        self.process: subprocess.Popen | None = None
        self.started: float | None = None  # when the job was sent: the learner's clock
        try:
            self.site = self.folder.site(allow_torch)
            if os.name == "posix":
                self.process = self._start_supervised(memory_limit_mb)
                self._watch_exit()
        except BaseException:
            self.folder.remove()
            raise

    def send(self, functions: list[str], calls: list[tuple[str, bytes]], *, harness: str | None = None) -> None:
        """Give the waiting process its job (see child.py) and start its clock."""
        job = {
            "path": str(self.path),
            "functions": functions,
            "calls": calls,
            "allow_torch": self.allow_torch,
            "harness": harness,
        }
        self.job.write_bytes(pickle.dumps(job, protocol=4))
        self.started = time.perf_counter()
        if self._control is None:  # Windows: the process starts now, with its job already written
            self.process = self._start_direct()
            self._watch_exit()
            return
        try:
            os.write(self._control, b"g")
        except OSError:  # the supervisor is gone already: wait() reports how it ended
            pass

    def _watch_exit(self) -> None:
        threading.Thread(target=self._wait_for_exit, daemon=True).start()

    def _wait_for_exit(self) -> None:
        assert self.process is not None
        try:
            self.process.wait()
        finally:
            self._exited.set()
            self._wake.set()

    def _read(self, fd: int, sink: _Sink) -> None:
        thread = threading.Thread(target=_pump, args=(fd, sink), daemon=True)
        thread.start()
        self._threads.append(thread)

    def _start_supervised(self, memory_limit_mb: int) -> subprocess.Popen:
        pipes = {name: os.pipe() for name in ("stdout", "stderr", "results", "status", "control", "go")}
        ours = [pipes[name][0] for name in ("stdout", "stderr", "results", "status")] + [pipes["control"][1]]
        theirs = [pipes[name][1] for name in ("stdout", "stderr", "results", "status")] + [pipes["control"][0]]
        theirs += list(pipes["go"])  # read by the learner's process, written by the supervisor
        learner = [
            sys.executable,
            "-I",
            "-S",
            "-X",
            "utf8",
            "-B",
            str(CHILD),
            str(self.job),
            str(pipes["results"][1]),
            str(self.site),
            str(pipes["go"][0]),
        ]
        config = {
            "command": learner,
            "cwd": str(self.path.parent),
            "time_limit_s": self.time_limit_s,
            "memory_mb": memory_limit_mb,
            "cpu_s": cpu_limit_s(self.time_limit_s),
            "status_fd": pipes["status"][1],
            "go_fd": pipes["go"][1],
            "namespaces": USE_NAMESPACES,
        }
        try:
            process = subprocess.Popen(
                [sys.executable, "-I", "-S", "-B", str(SUPERVISOR), json.dumps(config)],
                stdin=pipes["control"][0],
                stdout=pipes["stdout"][1],
                stderr=pipes["stderr"][1],
                pass_fds=(pipes["results"][1], pipes["status"][1], *pipes["go"]),
                cwd=str(self.folder.path),
                env=_child_env(),
                start_new_session=True,  # no Ctrl-C from the terminal: dlquiz decides when it stops
            )
        except BaseException:
            for fd in ours + theirs:
                os.close(fd)
            raise
        for fd in theirs:
            os.close(fd)
        self._control = pipes["control"][1]
        for name, sink in (
            ("stdout", self.stdout),
            ("stderr", self.stderr),
            ("results", self.results),
            ("status", self.status),
        ):
            self._read(pipes[name][0], sink)
        return process

    def _start_direct(self) -> subprocess.Popen:
        self._results_file = self.folder.path / "results.bin"
        self._results_file.touch()
        out_read, out_write = os.pipe()
        err_read, err_write = os.pipe()
        command = [
            sys.executable,
            "-I",
            "-S",
            "-X",
            "utf8",
            "-B",
            str(CHILD),
            str(self.job),
            str(self._results_file),
            str(self.site),
        ]
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=out_write,
                stderr=err_write,
                cwd=str(self.path.parent),
                env=_child_env(),
                creationflags=getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0),
            )
        finally:
            os.close(out_write)
            os.close(err_write)
        self._read(out_read, self.stdout)
        self._read(err_read, self.stderr)
        return process

    def cancel(self) -> None:
        """Stop the learner's process at once and clean up (the grading failed on our side)."""
        self.wait(cancel=True)

    def wait(self, *, cancel: bool = False) -> RunOutcome:
        """Wait for the run to end (at most the time limit plus GRACE_S), then collect everything."""
        timed_out = False
        if self.started is None:  # never sent its job: nothing to wait for
            cancel = True
        deadline = (self.started or 0.0) + self.time_limit_s + GRACE_S
        try:
            # Ends early when the results pipe is flooded: nothing more worth reading.
            if not cancel and not self._wake.wait(timeout=max(deadline - time.perf_counter(), 0)):
                timed_out = True
        finally:
            # Also on KeyboardInterrupt in --watch: the learner's processes never outlive the grading.
            seconds = time.perf_counter() - self.started if self.started is not None else 0.0
            self._stop()
            deadline = time.monotonic() + READ_WAIT_S
            for thread in self._threads:
                thread.join(timeout=max(deadline - time.monotonic(), 0.01))
            if self._results_file is not None:
                self.results.feed(
                    self._results_file.read_bytes()[:RESULTS_LIMIT] if self._results_file.exists() else b""
                )
            self.folder.remove()
        outcome = RunOutcome(
            frames=parse_frames(self.results.data()),
            returncode=None,
            timed_out=timed_out,
            seconds=seconds,
            stdout=self.stdout.text(),
            stderr=self.stderr.text(),
            results_dropped=self.results.dropped_bytes,
        )
        returncode = self.process.returncode if self.process is not None else None
        if self._control is None:  # direct (Windows)
            outcome.returncode, outcome.isolation = returncode, "direct"
        else:
            _read_status(self.status.data(), outcome, returncode)
        return outcome

    def _stop(self) -> None:
        """Ask the supervisor to stop; kill it (and what it watched) if it does not within STOP_WAIT_S."""
        process = self.process
        if process is None:  # Windows, cancelled before its job was sent: it never started
            return
        if self._control is None:
            if process.poll() is None:
                process.kill()
                process.wait()
            return
        try:
            os.close(self._control)
        except OSError:
            pass
        if not self._exited.wait(STOP_WAIT_S):
            try:  # stopped (SIGSTOP) or stuck: its group holds it and, in namespace mode, the namespace's init
                os.killpg(process.pid, signal.SIGKILL)
            except OSError:
                pass
            self._exited.wait()
        # A supervisor that was killed (by the learner's code, or above) cleaned nothing up: outside a namespace the
        # learner's session may still hold processes. Kill them; in namespace mode the kernel already did.
        lines = [line.split() for line in self.status.data().decode("utf-8", "replace").splitlines()]
        if not any(words[:1] and words[0] in ("exit", "signal", "timeout", "stopped") for words in lines):
            for words in lines:
                if words[:1] == ["started"] and len(words) == 2 and words[1].isdigit():
                    _kill_session(int(words[1]))


def _read_status(data: bytes, outcome: RunOutcome, supervisor_code: int | None) -> None:
    """Fill ``outcome`` from the supervisor's status lines (see supervisor.py)."""
    ended = False
    for line in data.decode("utf-8", "replace").splitlines():
        word, _, rest = line.partition(" ")
        values = rest.split()
        if word == "isolation":
            outcome.isolation = rest.strip()
        elif word in ("exit", "signal") and values and values[0].lstrip("-").isdigit():
            code = int(values[0])
            outcome.returncode = code if word == "exit" else -code
            for value in values[1:]:
                name, _, number = value.partition("=")
                try:
                    if name == "cpu":
                        outcome.cpu_seconds = float(number)
                    elif name == "rss":
                        outcome.peak_memory_mb = float(number) / 1024
                except ValueError:
                    pass
            ended = True
        elif word == "timeout":
            outcome.timed_out = ended = True
        elif word == "stopped":
            ended = True
        elif word == "error":
            outcome.internal_error = rest.strip()
    if not ended and not outcome.timed_out:
        outcome.supervisor_lost = True
        if supervisor_code not in (0, None, -signal.SIGKILL) and not outcome.internal_error:
            outcome.internal_error = f"the supervisor ended with status {supervisor_code}"


def launch(path: Path, *, time_limit_s: float, memory_limit_mb: int, allow_torch: bool = False) -> Run:
    """Start the learner's process for ``path``: it imports numpy and waits for ``Run.send``; ``allow_torch`` makes
    torch importable there. Always end it with ``wait()`` (or ``cancel()``), also when the grading fails."""
    return Run(path, time_limit_s, memory_limit_mb, allow_torch=allow_torch)


def start(
    path: Path,
    functions: list[str],
    calls: list[tuple[str, bytes]],
    *,
    time_limit_s: float,
    memory_limit_mb: int,
    allow_torch: bool = False,
    harness: str | None = None,
) -> Run:
    """Launch the learner's process and send its job; ``calls`` are (function name, pickle.dumps((args, kwargs))),
    ``harness`` is the source of an exercise's harness.py (see spec.py)."""
    run = launch(path, time_limit_s=time_limit_s, memory_limit_mb=memory_limit_mb, allow_torch=allow_torch)
    try:
        run.send(functions, calls, harness=harness)
    except BaseException:
        run.cancel()
        raise
    return run
