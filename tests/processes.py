"""Finding the learner's processes from a test (Linux: through /proc), and waiting for a condition to hold."""

from __future__ import annotations

import os
import time


def processes_with(argument: str) -> list[int]:
    """Live processes that have ``argument`` on their command line."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    arguments = handle.read().split(b"\0")
            except OSError:
                continue
            if argument.encode() in arguments:
                found.append(int(entry))
    return found


def eventually(condition, timeout: float, poll_s: float = 0.05) -> bool:
    """Whether ``condition()`` holds within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(poll_s)
    return bool(condition())
