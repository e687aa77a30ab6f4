"""--watch notices saves by content, including a save made between the call and the first iteration."""

from __future__ import annotations

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
