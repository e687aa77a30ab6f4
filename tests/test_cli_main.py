"""``dlquiz.cli.main``, the process's entry: it keeps numpy's BLAS to one thread, and it ends the process itself
(``_exit_now``) instead of letting the interpreter tear down every module: the exit code, the output and the
``atexit`` handlers must come out as with a normal exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

EXIT_SCRIPT = """
import atexit, sys, threading, time
from dlquiz.cli import _exit_now
atexit.register(lambda: open(sys.argv[1], "w").write("atexit ran"))
if sys.argv[2] == "thread":
    threading.Thread(target=time.sleep, args=(0.3,)).start()  # not a daemon: the usual exit waits for it
print("output", end="")
_exit_now(int(sys.argv[3]) if sys.argv[3].lstrip("-").isdigit() else sys.argv[3])
print(" and the usual way", end="")
sys.exit(9)
"""


@pytest.mark.parametrize(
    "threads, code, returncode, output",
    [
        ("none", "3", 3, "output"),
        ("none", "0", 0, "output"),
        ("none", "-1", 255, "output"),
        ("thread", "3", 9, "output and the usual way"),  # a live non-daemon thread: not cut short
        ("none", "a message", 9, "output and the usual way"),  # sys.exit("text") prints it: the usual way
    ],
)
def test_exit_now_flushes_runs_atexit_and_keeps_the_exit_code(tmp_path, threads, code, returncode, output):
    ran = tmp_path / "atexit.txt"
    finished = subprocess.run(
        [sys.executable, "-c", EXIT_SCRIPT, str(ran), threads, code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=60,
    )
    assert finished.returncode == returncode, finished.stderr
    assert finished.stdout == output
    assert ran.read_text() == "atexit ran"


def test_a_profiled_run_still_writes_its_profile(tmp_path):
    """`python -m cProfile -o FILE -m dlquiz …` writes FILE after the program ends: dlquiz must let it end."""
    profile = tmp_path / "dlquiz.prof"
    finished = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "dlquiz", "--version"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), "DLQUIZ_HOME": str(tmp_path / "home")},
        timeout=60,
    )
    assert finished.returncode == 0 and "dlquiz" in finished.stdout
    assert profile.stat().st_size > 0


THREADS_PROBE = """
import atexit, os, runpy, sys
atexit.register(lambda: print("threads", os.environ.get("OPENBLAS_NUM_THREADS")))
sys.argv = ["dlquiz", "--version"]
runpy.run_module("dlquiz", run_name="__main__")
"""


@pytest.mark.parametrize("users, expected", [(None, "1"), ("4", "4")])
def test_numpy_gets_one_blas_thread_unless_the_user_chose(tmp_path, users, expected):
    env = {**os.environ, "PYTHONPATH": str(REPO), "DLQUIZ_HOME": str(tmp_path)}
    env.pop("OPENBLAS_NUM_THREADS", None)
    if users is not None:
        env["OPENBLAS_NUM_THREADS"] = users
    finished = subprocess.run(
        [sys.executable, "-c", THREADS_PROBE], capture_output=True, text=True, env=env, timeout=60
    )
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.splitlines()[-1] == f"threads {expected}"
