"""The command line: typer commands and rich screens. They parse arguments and render results; nothing else.

May import every other room (``cards``, ``review``, ``grading``, ``interop``) and the root helpers; nothing imports it.
"""

from __future__ import annotations


def main() -> None:
    """The ``dlquiz`` console script (kept tiny: importing this package must not load typer or rich)."""
    import os

    # Before numpy is imported: dlquiz's own numpy work is comparing small arrays, where OpenBLAS's worker threads
    # (one per core) gain nothing and only take CPU from the learner's process running beside them. A warm
    # `exercise --file` on 2 cores: 0.286 s -> 0.248 s (median of 11). A value the user set is kept.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from dlquiz.cli.app import main as run

    try:
        run()
    except SystemExit as stop:
        _exit_now(stop.code)
        raise


def _exit_now(code: object) -> None:
    """End the process at once with ``code``, skipping the interpreter's teardown; returns where that is not safe.

    Tearing down numpy, rich, sqlite3 and the few hundred other modules a command loads took about 25 ms: a tenth
    of a warm ``dlquiz exercise NAME --file``, and nothing needs it. Our files and the database are closed in
    ``finally`` blocks before the command returns; every ``atexit`` handler (ours: none; libraries': e.g.
    logging's) is run here, then the output is flushed. A thread that is not a daemon, an exit with a message, or a
    profiler or tracer that writes its results after the program (``python -m cProfile``) takes the usual way out."""
    import atexit
    import os
    import sys
    import threading

    if code is None:
        code = 0
    if not isinstance(code, int) or isinstance(code, bool):
        return
    if sys.getprofile() is not None or sys.gettrace() is not None:  # cProfile, coverage, a debugger: they write
        return  # their results once the program has ended
    if any(
        thread.is_alive() and not thread.daemon
        for thread in threading.enumerate()
        if thread is not threading.main_thread()
    ):
        return
    atexit._run_exitfuncs()  # first: a handler may still write
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed or broken pipe: Python's own exit reports it as usual
        return
    os._exit(code & 0xFF)  # what the shell sees of sys.exit(code), also for a negative code
