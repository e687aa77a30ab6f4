"""Notices when the learner saves their file, by polling (no extra dependency, works on every platform)."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Callable, Iterator


def fingerprint(path: Path) -> str | None:
    """A digest of the file's bytes; None while it is missing (editors may delete and rewrite it on save)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def changes(path: Path, *, interval_s: float = 0.3, settle_s: float = 0.1,
            should_stop: Callable[[], bool] = lambda: False) -> Iterator[None]:
    """Yield once each time the file's content changes (not merely its mtime), until ``should_stop()``.

    The content is read at this call, not at the first iteration: a save made right after the caller says it is
    watching (before the loop starts) still counts as a change. Runs until the consumer stops iterating or Ctrl-C.
    After a change it waits ``settle_s`` for the rest of a multi-step save, so a half-written file is not graded.
    """
    return _poll(path, fingerprint(path), interval_s, settle_s, should_stop)


def _poll(path: Path, last: str | None, interval_s: float, settle_s: float,
          should_stop: Callable[[], bool]) -> Iterator[None]:
    while not should_stop():
        time.sleep(interval_s)
        current = fingerprint(path)
        if current is None or current == last:
            continue
        time.sleep(settle_s)
        settled = fingerprint(path)
        if settled is None:
            continue
        last = settled
        yield
