"""Draws `dlquiz stats` with rich: card tables, a calendar heatmap, retention, time, a forecast chart, exercises.

Everything must still read in a 60-column terminal and without colour (``color_system=None``, a pipe, a
screen reader): the heatmap's levels are different block characters, not only different greens, and every bar
carries its number.
"""

from __future__ import annotations

from datetime import date, timedelta

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from dlquiz.review.stats import FORECAST_DAYS, CardCounts, Stats
from dlquiz.text import pick

HEATMAP_WEEKS = 17  # about four months; 2 characters a week keeps it under 40 columns
LEVELS = "·░▒▓█"  # no reviews, then four shares of the busiest day
LEVEL_STYLES = ("dim", "green", "green", "bold green", "bold bright_green")
WEEKDAYS = ("Mon", "", "Wed", "", "Fri", "", "Sun")
STATE_COLUMNS = ("new", "learning", "review", "mature", "suspended")

T = {  # the screen's words; --lang picks zh, en or both
    "title.all": {"en": "all decks", "zh": "全部卡组"},
    "cards": {"en": "Cards", "zh": "卡片"},
    "tags": {"en": "By tag", "zh": "按标签"},
    "deck": {"en": "deck", "zh": "卡组"},
    "tag": {"en": "tag", "zh": "标签"},
    "total": {"en": "total", "zh": "合计"},
    "col.total": {"en": "cards", "zh": "卡片"},
    "col.new": {"en": "new", "zh": "新"},
    "col.learning": {"en": "learn", "zh": "学习中"},
    "col.review": {"en": "review", "zh": "复习"},
    "col.mature": {"en": "mature", "zh": "成熟"},
    "col.suspended": {"en": "susp.", "zh": "暂停"},
    "mature.note": {
        "en": "cards = review items (each cloze deletion and each reverse side is one; `dlquiz decks --tags`"
        " counts YAML cards); learn = learning or relearning; mature = review cards with an interval"
        " of 21 days or more; susp. = suspended",
        "zh": "卡片 = 复习条目（每个填空、每个反向卡片各算一条；`dlquiz decks --tags` 数的是 YAML 中的卡片）；"
        "成熟 = 间隔不少于 21 天的复习卡片",
    },
    "reviews": {"en": "Reviews per day, last {weeks} weeks", "zh": "每日复习量（最近 {weeks} 周）"},
    "legend": {"en": "less", "zh": "少"},
    "legend.more": {"en": "more (busiest day: {n})", "zh": "多（最多一天：{n}）"},
    "summary": {
        "en": "{total} reviews on {days} days · today {today} · streak {streak} day(s)",
        "zh": "共 {total} 次复习，{days} 天 · 今天 {today} · 连续 {streak} 天",
    },
    "retention": {
        "en": "True retention (review cards answered Hard, Good or Easy)",
        "zh": "真实保持率（复习卡答对的比例）",
    },
    "window": {"en": "period", "zh": "时段"},
    "answers": {"en": "answers", "zh": "回答"},
    "correct": {"en": "correct", "zh": "答对"},
    "rate": {"en": "retention", "zh": "保持率"},
    "desired": {"en": "desired retention: {rate}", "zh": "期望保持率：{rate}"},
    "w.today": {"en": "today", "zh": "今天"},
    "w.7d": {"en": "7 days", "zh": "7 天"},
    "w.30d": {"en": "30 days", "zh": "30 天"},
    "w.all": {"en": "all", "zh": "全部"},
    "time": {"en": "Time studying", "zh": "学习时间"},
    "forecast": {"en": "Due in the next {n} days (today includes overdue)", "zh": "未来 {n} 天到期（今天含逾期）"},
    "exercises": {
        "en": "Exercises: {passed} passed · {attempted} attempted · {new} new",
        "zh": "练习：{passed} 通过 · {attempted} 尝试过 · {new} 未开始",
    },
    "exercise": {"en": "exercise", "zh": "练习"},
    "status": {"en": "status", "zh": "状态"},
    "attempts": {"en": "attempts", "zh": "次数"},
    "last": {"en": "last result", "zh": "最近结果"},
    "due": {"en": "due", "zh": "到期"},
    "due.now": {"en": "due now", "zh": "已到期"},
    "ex.retention": {
        "en": "Exercise retention (due exercises passed without the solution)",
        "zh": "练习保持率（到期的练习不看答案就通过的比例）",
    },
    "ex.forecast": {
        "en": "Exercises due in the next {n} days (today includes overdue)",
        "zh": "未来 {n} 天到期的练习（今天含逾期）",
    },
    "s.passed": {"en": "passed", "zh": "已通过"},
    "s.attempted": {"en": "attempted", "zh": "尝试过"},
    "s.new": {"en": "new", "zh": "未开始"},
    "no.reviews": {
        "en": "No reviews yet. Run `dlquiz study` to start; these figures fill in as you answer.",
        "zh": "还没有复习记录。运行 `dlquiz study` 开始学习；回答之后这里就会有数据。",
    },
    "no.cards": {
        "en": "No cards: put .yaml decks in the decks folder (`dlquiz decks` shows where).",
        "zh": "没有卡片：把 .yaml 卡组放进卡组文件夹（`dlquiz decks` 会显示位置）。",
    },
}


def say(key: str, lang: str, **values) -> str:
    text = pick(T[key], lang, separator=" / ")
    return text.format(**values) if values else text


def render(stats: Stats, console: Console, lang: str) -> None:
    scope = stats.deck or say("title.all", lang)
    console.rule(f"dlquiz stats · {scope} · {stats.today:%Y-%m-%d}")
    if stats.cards.total == 0:
        console.print(say("no.cards", lang))
    else:
        console.print(Text(say("cards", lang), style="bold"))
        console.print(_cards_table(say("deck", lang), stats.by_deck, stats.cards, lang))
        if stats.by_tag:
            console.print(Text(say("tags", lang), style="bold"))
            console.print(_cards_table(say("tag", lang), stats.by_tag, None, lang))
        console.print(Text(say("mature.note", lang), style="dim"))
    console.print()
    if stats.total_reviews == 0:
        console.print(Text(say("no.reviews", lang), style="bold"))
    else:
        console.print(Text(say("reviews", lang, weeks=HEATMAP_WEEKS), style="bold"))
        console.print(heatmap(stats.days, stats.today, lang))
        console.print(
            say(
                "summary",
                lang,
                total=stats.total_reviews,
                days=len(stats.days),
                today=stats.reviews_in("today"),
                streak=stats.streak,
            )
        )
        console.print()
        console.print(_retention(stats, lang))
        console.print()
        console.print(_time(stats, lang))
        console.print()
        console.print(Text(say("forecast", lang, n=FORECAST_DAYS), style="bold"))
        console.print(forecast_chart(stats.forecast, console.width))
    if stats.exercises or stats.exercise_problem:
        console.print()
        console.print(_exercises(stats, lang, console.width))


def _table() -> Table:
    # Spaces between columns rather than rules: six number columns and a name still fit in 60 columns.
    return Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 0, 0, 1))


def _cards_table(first: str, rows: dict[str, CardCounts], total: CardCounts | None, lang: str) -> Table:
    table = _table()
    table.add_column(first, overflow="fold")
    for name in ("total", *STATE_COLUMNS):
        table.add_column(say(f"col.{name}", lang), justify="right", no_wrap=True)
    for name, counts in rows.items():
        table.add_row(name, *_numbers(counts))
    if total is not None and len(rows) > 1:
        table.add_row(Text(say("total", lang), style="bold"), *_numbers(total), end_section=False)
    return table


def _numbers(counts: CardCounts) -> list[str]:
    return [str(getattr(counts, name)) for name in ("total", *STATE_COLUMNS)]


def heatmap(days: dict, today: date, lang: str = "en") -> Group:
    """A calendar: one column per week (Monday at the top), one cell per study day, the last column ending today."""
    last_monday = today - timedelta(days=today.weekday())
    first = last_monday - timedelta(weeks=HEATMAP_WEEKS - 1)
    counts = {when: days[when].reviews for when in days if first <= when <= today}
    busiest = max(counts.values(), default=0)
    months = Text("    ")
    for week in range(HEATMAP_WEEKS):
        monday = first + timedelta(weeks=week)
        label = f"{monday:%b}" if week == 0 or (monday - timedelta(weeks=1)).month != monday.month else ""
        if label and len(months) <= 4 + 2 * week:  # a label only where the previous one has ended
            months.append(" " * (4 + 2 * week - len(months)) + label)
    lines = [months]
    for weekday in range(7):
        line = Text(f"{WEEKDAYS[weekday]:<4}")
        for week in range(HEATMAP_WEEKS):
            when = first + timedelta(weeks=week, days=weekday)
            if when > today:
                line.append("  ")
                continue
            level = _level(counts.get(when, 0), busiest)
            line.append(LEVELS[level], style=LEVEL_STYLES[level])
            line.append(" ")
        lines.append(line)
    legend = Text(f"    {say('legend', lang)} ")
    for level, char in enumerate(LEVELS):
        legend.append(char, style=LEVEL_STYLES[level])
        legend.append(" ")
    legend.append(say("legend.more", lang, n=busiest))
    lines.append(legend)
    return Group(*lines)


def _level(count: int, busiest: int) -> int:
    if count <= 0 or busiest <= 0:
        return 0
    return min(4, -(-4 * count // busiest))  # ceil: a single review still shows as the lightest block


def forecast_chart(forecast: list[tuple[date, int]], width: int) -> Group:
    most = max((count for _when, count in forecast), default=0)
    room = max(10, min(40, width - 20))  # "Mon 03-02 " + bar + " 1234"
    lines = []
    for when, count in forecast:
        bar = "█" * (-(-count * room // most)) if count and most else ""
        line = Text(f"{when:%a %m-%d} ")
        line.append(bar, style="cyan")
        line.append(f" {count}" if bar else "· 0", style=None if bar else "dim")
        lines.append(line)
    return Group(*lines)


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1%}"


def _retention(stats: Stats, lang: str) -> Group:
    table = _table()
    table.add_column(say("window", lang))
    for key in ("answers", "correct", "rate"):
        table.add_column(say(key, lang), justify="right")
    for window in ("7d", "30d", "all"):
        result = stats.retention(window)
        table.add_row(say(f"w.{window}", lang), str(result.answers), str(result.correct), _percent(result.rate))
    title = Text(say("retention", lang), style="bold")
    return Group(title, table, Text(say("desired", lang, rate=_percent(stats.desired_retention)), style="dim"))


def format_duration(ms: int, lang: str = "en") -> str:
    seconds = int(round(ms / 1000))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    h, m, s = ("小时", "分钟", "秒") if lang == "zh" else ("h", "m", "s")
    if hours:
        return f"{hours}{h} {minutes:02d}{m}"
    return f"{minutes}{m} {seconds:02d}{s}" if minutes else f"{seconds}{s}"


def _time(stats: Stats, lang: str) -> Group:
    table = _table()
    windows = ("today", "7d", "30d", "all")
    for window in windows:
        table.add_column(say(f"w.{window}", lang), justify="right", no_wrap=True)
    table.add_row(*(format_duration(stats.time_ms(window), lang) for window in windows))
    return Group(Text(say("time", lang), style="bold"), table)


def _exercises(stats: Stats, lang: str, width: int = 80):
    counts = stats.exercise_counts()
    if stats.exercise_problem:
        return Text(f"{say('exercises', lang, **counts)}\n{stats.exercise_problem}", style="yellow")
    table = _table()
    for key in ("exercise", "status", "attempts", "last", "due"):
        table.add_column(
            say(key, lang), justify="right" if key == "attempts" else "left", no_wrap=key != "last", overflow="fold"
        )
    styles = {"new": "dim", "attempted": "yellow", "passed": "green"}
    for line in stats.exercises:
        result = "—"
        if line.last is not None:
            mark = "✓" if line.last.status == "passed" else "✗"
            result = f"{mark} {line.last.cases_passed}/{line.last.cases_total} · {line.last.attempted_at.astimezone():%Y-%m-%d}"
        due = "—" if line.due is None else f"{line.due.astimezone():%Y-%m-%d}"
        if line.is_due:
            due = say("due.now", lang)
        table.add_row(
            line.id,
            Text(say(f"s.{line.status}", lang), style=styles[line.status]),
            str(line.attempts),
            result,
            Text(due, style="bold yellow" if line.is_due else ""),
        )
    parts: list[RenderableType] = [Text(say("exercises", lang, **counts), style="bold"), table]
    if any(line.due is not None for line in stats.exercises):  # the schedule's figures once one has a schedule
        retention = _table()
        retention.add_column(say("window", lang))
        for key in ("answers", "correct", "rate"):
            retention.add_column(say(key, lang), justify="right")
        for window in ("7d", "30d", "all"):
            result_ = stats.exercise_retention(window)
            retention.add_row(
                say(f"w.{window}", lang), str(result_.answers), str(result_.correct), _percent(result_.rate)
            )
        parts += [
            Text(),
            Text(say("ex.retention", lang), style="bold"),
            retention,
            Text(),
            Text(say("ex.forecast", lang, n=FORECAST_DAYS), style="bold"),
            forecast_chart(stats.exercise_forecast, width),
        ]
    return Group(*parts)
