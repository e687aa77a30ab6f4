"""Every test gets its own data folder, a fixed clock and an English locale, so runs never touch real progress."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

FIXED_NOW = "2026-03-02T09:00:00+00:00"
DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    home = tmp_path / "dlquiz-home"
    monkeypatch.setenv("DLQUIZ_HOME", str(home))
    monkeypatch.setenv("DLQUIZ_NOW", FIXED_NOW)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.setenv("TZ", "UTC")
    for variable in ("LC_ALL", "LC_MESSAGES", "LANGUAGE", "DLQUIZ_LANG", "DLQUIZ_DEBUG"):
        monkeypatch.delenv(variable, raising=False)
    time.tzset()
    yield home
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def all_types_deck() -> Path:
    return DATA / "all_types.yaml"
