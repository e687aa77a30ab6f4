"""The one atomic write: the target is either the old file or the whole new one, never half of it; no temporary file
is left behind; the data is on disk before the rename; permissions are those of a plain write (0600 when private)."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from dlquiz import fsutil


def listing(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_text_write_replaces_the_file_and_leaves_nothing_else(tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("old", encoding="utf-8")
    with fsutil.atomic_write(target) as stream:
        stream.write("新的内容\n")
        assert target.read_text(encoding="utf-8") == "old"  # nothing visible until the block ends
    assert target.read_bytes() == "新的内容\n".encode()  # UTF-8 whatever the locale
    assert listing(tmp_path) == ["notes.txt"]


def test_binary_write(tmp_path):
    target = tmp_path / "data.bin"
    with fsutil.atomic_write(target, "wb") as stream:
        stream.write(b"\x00\x01\xff")
    assert target.read_bytes() == b"\x00\x01\xff"


def test_an_error_in_the_block_keeps_the_old_file_and_removes_the_temporary(tmp_path):
    target = tmp_path / "backup.jsonl"
    target.write_text("good backup\n", encoding="utf-8")
    with pytest.raises(RuntimeError), fsutil.atomic_write(target) as stream:
        stream.write("half a fi")
        raise RuntimeError("interrupted")
    assert target.read_text(encoding="utf-8") == "good backup\n"
    assert listing(tmp_path) == ["backup.jsonl"]


def test_ctrl_c_in_the_block_is_cleaned_up_too(tmp_path):
    target = tmp_path / "deck.yaml"
    with pytest.raises(KeyboardInterrupt), fsutil.atomic_path(target) as temporary:
        temporary.write_text("cards: [", encoding="utf-8")
        raise KeyboardInterrupt
    assert listing(tmp_path) == []


def test_atomic_path_lets_a_library_write_by_name(tmp_path):
    target = tmp_path / "out.apkg"
    with fsutil.atomic_path(target) as temporary:
        assert temporary.parent == tmp_path and temporary != target and temporary.exists()
        Path(str(temporary)).write_bytes(b"PK")  # e.g. genanki writes a zip to the path it is given
    assert target.read_bytes() == b"PK"
    assert listing(tmp_path) == ["out.apkg"]


def test_the_data_reaches_the_disk_before_the_rename(tmp_path, monkeypatch):
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (events.append("replace"), real_replace(a, b))[1])
    fsutil.write_text_atomic(tmp_path / "x.py", "print(1)\n")
    assert events[:2] == ["fsync", "replace"]
    assert (tmp_path / "x.py").read_text(encoding="utf-8") == "print(1)\n"


def test_a_missing_folder_is_an_os_error_and_creates_nothing(tmp_path):
    with pytest.raises(FileNotFoundError):
        fsutil.write_text_atomic(tmp_path / "missing" / "x.txt", "x")
    assert listing(tmp_path) == []


def test_only_whole_file_modes(tmp_path):
    with pytest.raises(ValueError, match="mode 'w' or 'wb'"):
        fsutil.atomic_write(tmp_path / "x", "a")  # type: ignore[call-overload]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_permissions_are_those_of_a_plain_write_or_private(tmp_path):
    previous = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.yaml"
        fsutil.write_text_atomic(fresh, "a")
        assert mode_of(fresh) == 0o644  # 0666 through the umask, as open() would give

        kept = tmp_path / "kept.py"
        kept.write_text("a", encoding="utf-8")
        kept.chmod(0o640)
        fsutil.write_text_atomic(kept, "b")
        assert mode_of(kept) == 0o640  # replacing a file keeps its permissions

        secret = tmp_path / "progress.jsonl"
        with fsutil.atomic_write(secret, private=True) as stream:
            stream.write("{}")
        assert mode_of(secret) == 0o600  # progress is personal
    finally:
        os.umask(previous)


def test_newline_is_passed_through(tmp_path):
    target = tmp_path / "deck.yaml"
    fsutil.write_text_atomic(target, "a\nb\n", newline="\r\n")
    assert target.read_bytes() == b"a\r\nb\r\n"
