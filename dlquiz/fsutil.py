"""Writing files so that an interruption never leaves half a file where a good one was.

Every file dlquiz writes whole (progress backups, imported decks, Anki packages, the deck cache, exercise workspace
files) goes through here: the content is written to a temporary file in the target's own folder (so the final rename
never crosses a file system), flushed to disk, then renamed over the target with ``os.replace``, which is atomic. On
any failure, an exception in the caller's block included, the temporary file is removed and the target is untouched.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import IO, Any, BinaryIO, Literal, TextIO, overload


@contextmanager
def atomic_path(path: Path, *, private: bool = False) -> Iterator[Path]:
    """Yield the path of an empty temporary file beside ``path``; fill it by name (for writers that want a path,
    such as genanki). On a normal exit it replaces ``path``.

    The result gets the permissions a plain ``open(path, "w")`` would give: those of the file it replaces, else the
    default for new files (umask). ``private=True`` makes it readable by its owner only (0600), e.g. for backups.
    """
    path = Path(path)
    remove_abandoned_temporaries(path)
    temporary = _create_beside(path, 0o600 if private else 0o666)
    try:
        if not private:
            _copy_mode(path, temporary)
        yield temporary
        _flush_to_disk(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _flush_folder(path.parent)


@overload
def atomic_write(
    path: Path,
    mode: Literal["w"] = "w",
    *,
    encoding: str | None = None,
    newline: str | None = None,
    private: bool = False,
) -> AbstractContextManager[TextIO]: ...
@overload
def atomic_write(
    path: Path, mode: Literal["wb"], *, encoding: None = None, newline: None = None, private: bool = False
) -> AbstractContextManager[BinaryIO]: ...
def atomic_write(
    path: Path, mode: str = "w", *, encoding: str | None = None, newline: str | None = None, private: bool = False
) -> AbstractContextManager[Any]:
    """A context manager yielding an open stream (``mode`` "w" for text, UTF-8 unless ``encoding`` says otherwise;
    "wb" for bytes) whose content replaces ``path`` when the block ends without an exception."""
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_write writes a whole file: mode 'w' or 'wb', not {mode!r}")
    return _atomic_stream(path, mode, None if mode == "wb" else (encoding or "utf-8"), newline, private)


@contextmanager
def _atomic_stream(
    path: Path, mode: str, encoding: str | None, newline: str | None, private: bool
) -> Iterator[IO[Any]]:
    with (
        atomic_path(path, private=private) as temporary,
        open(temporary, mode, encoding=encoding, newline=newline) as stream,
    ):
        yield stream


def write_text_atomic(path: Path, text: str, *, newline: str | None = None, private: bool = False) -> None:
    """``Path.write_text(text, encoding="utf-8", newline=newline)``, atomically."""
    with atomic_write(path, newline=newline, private=private) as stream:
        stream.write(text)


def _create_beside(path: Path, mode: int) -> Path:
    # Created with O_EXCL under a random name: never an existing file, and (unlike tempfile.mkstemp, always 0600)
    # the requested mode goes through the umask like any new file.
    for _ in range(100):
        # The writer's pid in the name lets a later write tell an abandoned temporary (writer killed) from a live one.
        candidate = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
        try:
            handle = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
        except FileExistsError:
            continue
        os.close(handle)
        return candidate
    raise FileExistsError(f"no free temporary name beside {path}")


def remove_abandoned_temporaries(path: Path) -> list[Path]:
    """Delete the temporaries beside ``path`` whose writer is gone (killed before it could clean up, e.g. by
    kill -9 during an export); a temporary of a process still running is left alone. Returns what was removed."""
    removed: list[Path] = []
    try:
        candidates = list(path.parent.glob(f".{glob_escape(path.name)}.*.tmp"))
    except OSError:
        return removed
    for candidate in candidates:
        writer = candidate.name[len(path.name) + 2 : -len(".tmp")].split("-", 1)[0]
        if not writer.isdigit() or _running(int(writer)):
            continue
        try:
            candidate.unlink()
        except OSError:
            continue  # not ours to delete (another user's folder): leave it
        removed.append(candidate)
    return removed


def glob_escape(name: str) -> str:
    return "".join(f"[{char}]" if char in "*?[" else char for char in name)


def _running(pid: int) -> bool:
    if pid == os.getpid() or os.name != "posix":  # on Windows os.kill(pid, 0) would end that process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True  # someone else's process, or we cannot tell: keep the file
    return True


def _copy_mode(target: Path, temporary: Path) -> None:
    try:
        os.chmod(temporary, stat.S_IMODE(target.stat().st_mode))
    except OSError:
        pass  # a new file (the umask already decided), or not ours to read: the default mode will do


def _flush_to_disk(temporary: Path) -> None:
    # Without this, a power cut shortly after the rename can leave an empty file on some file systems.
    handle = os.open(temporary, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _flush_folder(folder: Path) -> None:
    """Make the rename itself durable where the platform allows it (POSIX); elsewhere it is a no-op."""
    if os.name != "posix":
        return
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass  # some file systems refuse fsync on a folder; the file itself is already on disk
    finally:
        os.close(handle)
