"""The current time, overridable with DLQUIZ_NOW so tests and users can simulate days passing."""

from __future__ import annotations

import os
from datetime import datetime, timezone

from dlquiz.errors import DlquizError

# DLQUIZ_NOW must leave room on both sides: stats look a year back, and a card may be scheduled up to the maximum
# interval ahead (100 years by default); Python's datetime ends at year 9999, and some platforms' local-time
# conversion refuses instants before 1970.
EARLIEST_NOW = datetime(1970, 1, 2, tzinfo=timezone.utc)
LATEST_NOW = datetime(9800, 1, 1, tzinfo=timezone.utc)


def parse_instant(text: str) -> datetime:
    """Parse ISO 8601; a value without a zone is taken as UTC. Always returns UTC."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
    except (ValueError, OverflowError):  # OverflowError: 0001-01-01T00:00+01:00 is before year 1 in UTC
        raise DlquizError(
            f"DLQUIZ_NOW={text!r} is not an ISO 8601 time",
            "Use e.g. DLQUIZ_NOW=2026-03-01T09:00:00+08:00, or unset it.",
        ) from None


def now() -> datetime:
    override = os.environ.get("DLQUIZ_NOW")
    if not override:
        return datetime.now(timezone.utc)
    moment = parse_instant(override)
    if not EARLIEST_NOW <= moment < LATEST_NOW:
        raise DlquizError(
            f"DLQUIZ_NOW={override!r} is outside the times dlquiz can schedule from "
            f"({EARLIEST_NOW.date()} to {LATEST_NOW.date()})",
            "Use a time in that range, e.g. DLQUIZ_NOW=2026-03-01T09:00:00+08:00, or unset it.",
        )
    return moment


def to_text(moment: datetime) -> str:
    """Our one stored time format: UTC, whole milliseconds, so stored times compare as text."""
    if moment.tzinfo is not timezone.utc:  # most instants are UTC already; converting them costs a progress import
        try:
            moment = moment.astimezone(timezone.utc)
        except OverflowError:
            raise ValueError(f"{moment.isoformat()} is outside years 1-9999 in UTC") from None
    return moment.isoformat(timespec="milliseconds")


def from_text(text: str) -> datetime:
    """A stored time back as a UTC datetime; ValueError for anything that is not one (a hand-edited row)."""
    if not isinstance(text, str):
        raise ValueError(f"a time must be text, not {text!r}")
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone")
    try:
        return moment.astimezone(timezone.utc)
    except OverflowError:
        raise ValueError(f"{text!r} is outside years 1-9999 in UTC") from None
