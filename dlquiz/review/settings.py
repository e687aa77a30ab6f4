"""Study settings: their defaults, how they are parsed from the CLI, and how they are stored."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable

from fsrs.scheduler import DEFAULT_PARAMETERS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from dlquiz.errors import DlquizError

# The longest interval and the longest learning step: 100 years, Anki's limit too. Dates past year 9999 cannot be
# written at all, and FSRS's stability grows quickly: with no bound, a card would one day fail to be scheduled.
MAX_DAYS = 36500


class Invalid(ValueError):
    """A setting's value refused, saying why in English and Chinese."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.zh = zh


def _float_in(low: float, high: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        value = float(text)
        if not low <= value <= high:
            raise Invalid(f"must be between {low} and {high}", f"必须在 {low} 到 {high} 之间")
        return value

    return parse


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise Invalid("must be 0 or more", "必须是 0 或更大")
    return value


def _hour(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 23:
        raise Invalid("must be an hour from 0 to 23", "必须是 0 到 23 的整点")
    return value


def _switch(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("on", "true", "yes", "1"):
        return True
    if lowered in ("off", "false", "no", "0"):
        return False
    raise Invalid("must be on or off", "必须是 on 或 off")


_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _steps(text: str) -> tuple[timedelta, ...]:
    steps = []
    for part in text.replace(",", " ").split():
        match = _DURATION.match(part)
        if not match or int(match.group(1)) == 0:
            raise Invalid(
                f"{part!r} is not a duration such as 1m, 10m, 1h or 1d",
                f"{part!r} 不是时长，应当像 1m、10m、1h 或 1d 这样写",
            )
        seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        if seconds > MAX_DAYS * 86400:
            raise Invalid(f"{part!r} is longer than {MAX_DAYS} days", f"{part!r} 超过了 {MAX_DAYS} 天")
        steps.append(timedelta(seconds=seconds))
    return tuple(steps)


def _interval_days(text: str) -> int:
    value = int(text)
    if not 1 <= value <= MAX_DAYS:
        raise Invalid(f"must be from 1 to {MAX_DAYS} days", f"必须在 1 到 {MAX_DAYS} 天之间")
    return value


DEFAULT_FSRS_PARAMETERS = "default"  # the stored text meaning py-fsrs's own FSRS-6 parameters


def fsrs_parameters(text: str) -> tuple[float, ...]:
    """The FSRS-6 parameters: `default`, or 21 numbers (commas or spaces between them) within py-fsrs's bounds,
    as `dlquiz optimize` stores them or as copied from Anki's FSRS options."""
    if text.strip().lower() == DEFAULT_FSRS_PARAMETERS:
        return tuple(DEFAULT_PARAMETERS)
    parts = text.replace(",", " ").split()
    expected = len(DEFAULT_PARAMETERS)
    if len(parts) != expected:
        raise Invalid(
            f"must be `{DEFAULT_FSRS_PARAMETERS}` or {expected} numbers (FSRS-6), not {len(parts)}",
            f"必须是 `{DEFAULT_FSRS_PARAMETERS}` 或 {expected} 个数（FSRS-6），而不是 {len(parts)} 个",
        )
    values = []
    for index, part in enumerate(parts):
        try:
            value = float(part)
        except ValueError:
            raise Invalid(
                f"number {index + 1} ({part!r}) is not a number", f"第 {index + 1} 个数（{part!r}）不是数字"
            ) from None
        low, high = LOWER_BOUNDS_PARAMETERS[index], UPPER_BOUNDS_PARAMETERS[index]
        if not low <= value <= high:  # also refuses nan
            raise Invalid(
                f"number {index + 1} ({part}) must be between {low} and {high}",
                f"第 {index + 1} 个数（{part}）必须在 {low} 到 {high} 之间",
            )
        values.append(value)
    return tuple(values)


def format_fsrs_parameters(parameters: tuple[float, ...] | list[float]) -> str:
    """The stored text of fitted parameters: four decimals, as Anki shows them (rounding keeps them in bounds:
    no bound has more than three decimals)."""
    return ", ".join(f"{value:.4f}" for value in parameters)


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    parse: Callable[[str], Any]
    help: str


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting("desired-retention", "0.9", _float_in(0.7, 0.99), "share of reviews you want to get right (FSRS)"),
        Setting("new-per-day", "20", _count, "new cards introduced per day"),
        Setting("reviews-per-day", "200", _count, "reviews shown per day at most"),
        Setting("learning-steps", "1m 10m", _steps, "steps of a new card before it graduates"),
        Setting("relearning-steps", "10m", _steps, "steps of a forgotten card"),
        Setting("maximum-interval", "36500", _interval_days, "longest interval in days"),
        Setting("fuzz", "on", _switch, "spread due dates a little so cards learnt together separate"),
        Setting("day-starts-at", "4", _hour, "local hour at which a new study day begins"),
        Setting(
            "fsrs-parameters",
            DEFAULT_FSRS_PARAMETERS,
            fsrs_parameters,
            "FSRS model weights: default, or the 21 numbers dlquiz optimize fitted to your reviews",
        ),
        Setting(
            "bury-siblings",
            "on",
            _switch,
            "once a card is answered, hide its other cloze deletions and its reverse until tomorrow",
        ),
    )
}


def parse_value(name: str, text: str) -> Any:
    setting = SETTINGS.get(name)
    if setting is None:
        raise DlquizError(
            f"unknown setting {name!r}",
            f"Settings: {', '.join(SETTINGS)}.",
            exit_code=2,
            zh=(f"没有名为 {name!r} 的设置", f"设置项：{'、'.join(SETTINGS)}。"),
        )
    try:
        return setting.parse(text)
    except ValueError as error:  # Invalid, or int()'s and float()'s own words
        reason, reason_zh = (str(error), error.zh) if isinstance(error, Invalid) else ("is not a number", "不是数字")
        raise DlquizError(
            f"{name} = {text!r}: {reason}",
            f"Example: dlquiz config {name} {setting.default}",
            exit_code=2,
            zh=(
                f"{name} = {text!r}：{reason_zh}",
                f"例如：dlquiz config {name} {setting.default}",
            ),
        ) from None


class StudySettings:
    """Stored settings merged over the defaults, parsed."""

    def __init__(self, stored: dict[str, str]) -> None:
        self.raw = {name: stored.get(name, setting.default) for name, setting in SETTINGS.items()}
        self.values = {}
        for name, text in self.raw.items():
            try:
                self.values[name] = SETTINGS[name].parse(text)
            except ValueError:  # a hand-edited database: fall back rather than refuse to study
                self.values[name] = SETTINGS[name].parse(SETTINGS[name].default)
                self.raw[name] = SETTINGS[name].default

    def __getitem__(self, name: str) -> Any:
        return self.values[name]
