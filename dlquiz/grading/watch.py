"""Notices when the learner saves their file, by polling (no extra dependency, works on every platform).

Each poll is one ``stat``; the file is read and hashed only when its size, mtime or inode moved. That keeps a poll
cheap enough to run every 50 ms, so a save is graded within a few hundredths of a second rather than after a
third of one (``--watch`` aims at a verdict within 0.3 s of the save; see tests/benchmarks/bench_grading.py).
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Callable, Iterator

POLL_S = 0.05  # between two stats of the file
SETTLE_S = 0.05  # after a change, for the rest of a multi-step save (write, then rename, then chmod …)
RECHECK = 10  # every this many polls the content is hashed even if the stat did not move


def fingerprint(path: Path) -> str | None:
    """A digest of the file's bytes; None while it is missing (editors may delete and rewrite it on save)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size, status.st_ino


def changes(
    path: Path,
    *,
    interval_s: float = POLL_S,
    settle_s: float = SETTLE_S,
    should_stop: Callable[[], bool] = lambda: False,
) -> Iterator[None]:
    """Yield once each time the file's content changes (not merely its mtime), until ``should_stop()``.

    The content is read at this call, not at the first iteration: a save made right after the caller says it is
    watching (before the loop starts) still counts as a change. Runs until the consumer stops iterating or Ctrl-C.
    After a change it waits ``settle_s`` for the rest of a multi-step save, so a half-written file is not graded.
    """
    return _poll(path, _stamp(path), fingerprint(path), interval_s, settle_s, should_stop)


def _poll(
    path: Path,
    stamp: tuple[int, int, int] | None,
    last: str | None,
    interval_s: float,
    settle_s: float,
    should_stop: Callable[[], bool],
) -> Iterator[None]:
    polls = 0
    while not should_stop():
        time.sleep(interval_s)
        polls += 1
        current_stamp = _stamp(path)
        # Where mtimes are coarse (a second or two on some file systems) a same-size save can leave the stat as it
        # was: the content is then compared anyway every RECHECK polls.
        if current_stamp is None or (current_stamp == stamp and polls % RECHECK):
            continue
        if current_stamp != stamp:
            time.sleep(settle_s)
        stamp = _stamp(path)  # taken before reading: a write during the read shows at the next poll
        settled = fingerprint(path)
        if settled is None or settled == last:  # touched, or saved with the same content: nothing to grade
            continue
        last = settled
        yield
