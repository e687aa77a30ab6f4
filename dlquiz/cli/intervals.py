"""Intervals and durations as the learner reads them (10m, 3d, 2mo; 10分钟, 3天, 2个月 in Chinese).

Kept apart from the study screen so `dlquiz exercise` can say when an exercise comes back without loading the screen.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

# Interval units in Chinese: 1分钟, 3天, 2个月 instead of 1m, 3d, 2mo.
ZH_UNITS = {"s": "秒", "m": "分钟", "h": "小时", "d": "天", "mo": "个月", "y": "年"}


def format_interval(interval: timedelta, lang: str, in_days: bool = False) -> str:
    """The short interval of a rating button or a due date (10m, 3d …), with Chinese units when ``lang`` is zh."""
    from dlquiz.review import scheduling  # py-fsrs: loaded only when an interval is shown

    short = scheduling.format_interval(interval, in_days)
    if lang != "zh":
        return short
    return re.sub(r"([\d.]+)(mo|[smhdy])", lambda match: match.group(1) + ZH_UNITS[match.group(2)], short)


def duration(seconds: float, lang: str = "en") -> str:
    """Time spent, as the session summary shows it: 45s, 3m 05s, 1h 02m (秒/分钟/小时 in zh)."""
    seconds = int(round(seconds))
    unit = dict(ZH_UNITS) if lang == "zh" else {"s": "s", "m": "m", "h": "h"}
    if seconds < 60:
        return f"{seconds}{unit['s']}"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}{unit['m']} {seconds:02d}{unit['s']}"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}{unit['h']} {minutes:02d}{unit['m']}"


def when(moment: datetime, lang: str = "en") -> str:
    """A due moment in local time with how far off it is: 2026-03-02 09:10 (+10m)."""
    from dlquiz.review import clock

    delta = moment - clock.now()
    local = moment.astimezone().strftime("%Y-%m-%d %H:%M")
    return f"{local} (+{format_interval(delta, lang)})"
