"""--watch notices saves by content, including a save made between the call and the first iteration."""

from __future__ import annotations

import os
import time

from dlquiz.grading.watch import changes


def stop_after(seconds: float):
    deadline = time.monotonic() + seconds
    return lambda: time.monotonic() > deadline


def test_a_save_right_after_the_call_is_seen(tmp_path):
    mine = tmp_path / "relu.py"
    mine.write_text("v1\n", encoding="utf-8")
    saves = changes(mine, interval_s=0.01, settle_s=0, should_stop=stop_after(2))
    mine.write_text("v2\n", encoding="utf-8")  # before the loop has started
    assert next(saves, "missed") is None


def test_only_a_change_of_content_counts_and_a_missing_file_waits(tmp_path):
    mine = tmp_path / "relu.py"
    mine.write_text("v1\n", encoding="utf-8")
    saves = changes(mine, interval_s=0.01, settle_s=0, should_stop=stop_after(0.3))
    mine.write_text("v1\n", encoding="utf-8")  # same bytes, new mtime
    mine.unlink()  # an editor deleting before rewriting
    assert next(saves, "nothing") == "nothing"


def test_a_same_size_save_that_keeps_the_mtime_is_still_seen(tmp_path):
    """Coarse mtimes (a second or two on some file systems): the stat alone cannot tell, the content does."""
    mine = tmp_path / "relu.py"
    mine.write_text("x + 1\n", encoding="utf-8")
    before = os.stat(mine)
    saves = changes(mine, interval_s=0.01, settle_s=0, should_stop=stop_after(2))
    mine.write_text("x - 1\n", encoding="utf-8")
    os.utime(mine, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(mine).st_size == before.st_size
    assert next(saves, "missed") is None


def test_a_save_is_noticed_within_a_tenth_of_a_second(tmp_path):
    mine = tmp_path / "relu.py"
    mine.write_text("v1\n", encoding="utf-8")
    saves = changes(mine, should_stop=stop_after(5))  # the defaults --watch uses
    time.sleep(0.2)
    mine.write_text("v2\n", encoding="utf-8")
    saved = time.monotonic()
    assert next(saves, "missed") is None
    assert time.monotonic() - saved < 0.25  # poll 0.05 + settle 0.05, with room for a busy machine
