"""Where dlquiz keeps user data and finds its built-in decks and exercises."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "dlquiz"
_PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir() -> Path:
    """The folder holding the progress database and exercise workspaces (DLQUIZ_HOME overrides it)."""
    override = os.environ.get("DLQUIZ_HOME")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def database_path() -> Path:
    return data_dir() / "progress.sqlite3"


def _bundled(name: str) -> Path:
    # A wheel carries the folders inside the package (see pyproject's force-include);
    # a source checkout or editable install has them at the repository root.
    inside = _PACKAGE_DIR / "_data" / name
    if inside.is_dir():
        return inside
    return _PACKAGE_DIR.parent / name


def builtin_decks_dir() -> Path:
    return _bundled("decks")


def exercises_dir() -> Path:
    return _bundled("exercises")
