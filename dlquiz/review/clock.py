"""The current time, overridable with DLQUIZ_NOW so tests and users can simulate days passing."""

from __future__ import annotations

import os
from datetime import datetime, timezone

from dlquiz.errors import DlquizError


def parse_instant(text: str) -> datetime:
    """Parse ISO 8601; a value without a zone is taken as UTC. Always returns UTC."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise DlquizError(
            f"DLQUIZ_NOW={text!r} is not an ISO 8601 time",
            "Use e.g. DLQUIZ_NOW=2026-03-01T09:00:00+08:00, or unset it.",
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def now() -> datetime:
    override = os.environ.get("DLQUIZ_NOW")
    if override:
        return parse_instant(override)
    return datetime.now(timezone.utc)


def to_text(moment: datetime) -> str:
    """Our one stored time format: UTC, whole milliseconds, so stored times compare as text."""
    if moment.tzinfo is not timezone.utc:  # most instants are UTC already; converting them costs a progress import
        moment = moment.astimezone(timezone.utc)
    return moment.isoformat(timespec="milliseconds")


def from_text(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(timezone.utc)
