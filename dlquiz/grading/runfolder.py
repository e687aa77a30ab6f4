"""The scratch folder of one grading run, and the private ``site`` folder that decides what the learner can import.

A run folder (``$TMPDIR/dlquiz-run-XXXX``) holds the job for the learner's process and ``site/``: symbolic links to
numpy — and, for an exercise with ``allow_torch: true``, to torch and the packages torch needs — and nothing else.
The learner's process runs ``python -I -S`` with ``sys.path`` = the standard library + ``site/``, so dlquiz, the
installed exercises (reference solutions included) and every other installed package are not importable there,
whatever the learner's code does to ``sys.meta_path``.

While a run is in progress its folder is locked (``flock`` on ``.lock``, held by dlquiz). A dlquiz that was killed
leaves its folder behind unlocked; the next run removes every such folder (``remove_stale``). A folder is created
under a pending name (``.dlquiz-new-XXXX``, which the sweep leaves alone for LOCKLESS_GRACE_S) and renamed to its
run name only once its lock is held, so no other dlquiz's sweep can ever see it unlocked and delete it.
"""

from __future__ import annotations

import errno
import functools
import importlib.util
import os
import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import importlib.metadata

PREFIX = "dlquiz-run-"
PENDING_PREFIX = ".dlquiz-new-"  # a run folder before its lock is held; never taken for an abandoned one at once
LOCK = ".lock"
LOCKLESS_GRACE_S = 600  # a pending folder (or one without a lock file) may be being created now: leave it this long
_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")

try:
    import fcntl
except ImportError:  # Windows: folders are removed by the run itself, stale ones are left to the system
    fcntl = None  # type: ignore[assignment]


class RunFolder:
    """A fresh, locked run folder; ``remove()`` deletes it (always call it, also after a failure)."""

    def __init__(self, root: Path | None = None) -> None:
        root = Path(root or tempfile.gettempdir())
        remove_stale(root)
        self.path: Path
        self._lock: int | None = None
        if fcntl is None:
            self.path = Path(tempfile.mkdtemp(prefix=PREFIX, dir=root))
            return
        pending = Path(tempfile.mkdtemp(prefix=PENDING_PREFIX, dir=root))
        try:
            self._lock = os.open(pending / LOCK, os.O_CREAT | os.O_WRONLY, 0o600)
            fcntl.flock(self._lock, fcntl.LOCK_EX)
            self.path = _rename_in(pending)
        except BaseException:
            if self._lock is not None:
                os.close(self._lock)
            shutil.rmtree(pending, ignore_errors=True)
            raise

    def site(self, allow_torch: bool) -> Path:
        """``site/`` with links to what the learner's process may import (see the module docstring)."""
        site = self.path / "site"
        site.mkdir()
        for source in importable_entries(allow_torch):
            link = site / source.name
            if link.exists() or link.is_symlink():
                continue
            try:
                link.symlink_to(source, target_is_directory=source.is_dir())
            except OSError:  # Windows without developer mode: a junction needs no privilege; files are small
                if source.is_dir():
                    import _winapi

                    _winapi.CreateJunction(str(source), str(link))  # type: ignore[attr-defined]
                else:
                    shutil.copy2(source, link)
        return site

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        if self._lock is not None:
            os.close(self._lock)  # after the delete, so no other dlquiz takes it for stale in between
            self._lock = None


def _rename_in(pending: Path) -> Path:
    """Give a locked pending folder a fresh run name (a live run folder is never empty, so rename cannot replace it)."""
    for _ in range(100):
        target = pending.with_name(PREFIX + secrets.token_hex(8))
        if target.exists() or target.is_symlink():
            continue
        try:
            pending.rename(target)
        except FileExistsError:
            continue
        except OSError as error:
            if error.errno != errno.ENOTEMPTY:
                raise
            continue
        return target
    raise FileExistsError(f"no free run-folder name next to {pending}")


def remove_stale(root: Path | None = None) -> list[Path]:
    """Delete the run folders of dlquiz processes that are gone (their lock is free); returns what was deleted."""
    if fcntl is None:
        return []
    root = Path(root or tempfile.gettempdir())
    removed: list[Path] = []
    try:
        candidates = [entry for entry in root.iterdir() if entry.name.startswith((PREFIX, PENDING_PREFIX))]
    except OSError:
        return removed
    for folder in candidates:
        try:
            if folder.is_symlink() or not folder.is_dir() or folder.stat().st_uid != os.getuid():
                continue
            if _abandoned(folder):
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
        except OSError:
            continue
    return removed


def _abandoned(folder: Path) -> bool:
    if folder.name.startswith(PENDING_PREFIX):  # its creator was killed before renaming it, or is creating it now
        return time.time() - folder.stat().st_mtime > LOCKLESS_GRACE_S
    try:
        handle = os.open(folder / LOCK, os.O_WRONLY)
    except FileNotFoundError:
        return time.time() - folder.stat().st_mtime > LOCKLESS_GRACE_S
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        # Free, but deleted since we opened it: its dlquiz removed the folder and then let go of the lock.
        return os.fstat(handle).st_nlink > 0
    except BlockingIOError:
        return False  # a live dlquiz holds it
    finally:
        os.close(handle)  # also releases the lock we may just have taken


# --- what the learner's process may import ----------------------------------------------------------------------


@functools.cache
def importable_entries(allow_torch: bool) -> tuple[Path, ...]:
    """The installed files and folders of numpy (and torch with what it requires), found once per process."""
    if not allow_torch:
        found = _numpy_entries()
        if found:
            return found
    wanted = ["numpy", "torch"] if allow_torch else ["numpy"]
    entries: dict[str, Path] = {}
    for distribution in _closure(wanted):
        for entry in _top_level(distribution):
            entries.setdefault(entry.name, entry)
    for name in wanted:  # a package installed without metadata (e.g. by a system package manager)
        if name not in entries:
            spec = importlib.util.find_spec(name)
            if spec is not None and spec.submodule_search_locations:
                folder = Path(next(iter(spec.submodule_search_locations)))
                entries[name] = folder
                libs = folder.with_name(f"{name}.libs")
                if libs.is_dir():
                    entries[libs.name] = libs
    return tuple(entries.values())


def _numpy_entries() -> tuple[Path, ...]:
    """numpy's package folder, its ``numpy.libs`` (the wheels' bundled BLAS) and its dist-info, found without reading
    package metadata: numpy needs no other package, and every grading starts with this (importing
    ``importlib.metadata`` and reading numpy's RECORD took longer than the rest of starting the learner's process).
    Empty when numpy is not a plain package folder; ``importable_entries`` then asks the metadata."""
    spec = importlib.util.find_spec("numpy")
    if spec is None or not spec.submodule_search_locations:
        return ()
    folder = Path(next(iter(spec.submodule_search_locations)))
    if not (folder / "__init__.py").is_file():
        return ()
    siblings = [folder.with_name("numpy.libs"), *sorted(folder.parent.glob("numpy-*.dist-info"))]
    return (folder, *(path for path in siblings if path.is_dir()))


def _closure(names: list[str]) -> list[importlib.metadata.Distribution]:
    """The distributions ``names`` need at run time: their requirements without extras, recursively."""
    import importlib.metadata  # only an exercise that allows torch needs it: not on every grading's path

    found: dict[str, importlib.metadata.Distribution] = {}
    todo = list(names)
    while todo:
        name = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in found:
            continue
        try:
            distribution = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue  # optional on this platform, or installed without metadata
        found[key] = distribution
        for requirement in distribution.requires or []:
            if "extra" in requirement.partition(";")[2]:
                continue
            match = _REQUIREMENT_NAME.match(requirement)
            if match:
                todo.append(match.group(1))
    return list(found.values())


def _top_level(distribution: importlib.metadata.Distribution) -> list[Path]:
    """The top-level entries a distribution installed in its site folder (packages, modules, .libs, dist-info)."""
    base = Path(str(distribution.locate_file("")))
    record = distribution.read_text("RECORD") or ""
    names = {line.split("/", 1)[0].split(",", 1)[0] for line in record.splitlines()}
    if not names:
        names = set((distribution.read_text("top_level.txt") or "").split())
    entries = []
    for name in sorted(names):
        if not name or name.startswith("..") or name == "__pycache__" or name.endswith(".pth"):
            continue
        path = base / name
        if path.exists():
            entries.append(path)
    return entries
