"""`dlquiz exercise` without a name: the list of exercises (due ones first), and the helpers every verb of the
command shares to reach the progress database and the clock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

from dlquiz.cli.exercise_text import WIDE_DUE_EXTRA, WIDE_LIST, say as _say
from dlquiz.console import echo_json, make_console

if TYPE_CHECKING:
    from dlquiz.grading.attempts import ExerciseProgress
    from dlquiz.grading.workflow import ExerciseRow


@contextmanager
def _progress() -> Iterator[ExerciseProgress]:
    """The progress database for one step of the workflow: the only place the exercise command opens it."""
    from dlquiz.review.repository import ProgressRepository
    from dlquiz.review.store import open_store

    store = open_store()
    try:
        yield ProgressRepository(store)
    finally:
        store.close()


def _now() -> datetime:
    from dlquiz.review import clock

    return clock.now()


def _date(moment: datetime) -> str:
    return f"{moment.astimezone():%Y-%m-%d}"


def _due_text(row: ExerciseRow, lang: str) -> str:
    if row.due is None:
        return "—"
    return _say("due.now", lang) if row.is_due else _date(row.due)


def _most_overdue(lang: str) -> str | None:
    """The exercise --next opens; None (after saying so, and when the next one falls due) when none is due."""
    from dlquiz.grading.workflow import most_overdue, next_due

    now = _now()
    row = most_overdue(_progress, now)
    if row is not None:
        return row.exercise.id
    console = make_console()
    console.print(_say("next.none", lang))
    later = next_due(_progress, now)
    if later is not None and later.due is not None:
        console.print(_say("next.later", lang, id=later.exercise.id, date=_date(later.due)))
    else:  # nothing is scheduled: a new learner needs to know where to begin
        console.print(_say("next.start", lang))
    return None


def _list(lang: str, json_output: bool) -> None:
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    from dlquiz.grading.workflow import exercise_list
    from dlquiz.text import pick

    rows = exercise_list(_progress, _now())
    if json_output:
        echo_json(
            [
                {
                    "id": row.exercise.id,
                    "title": pick(row.exercise.title, lang, separator=" / "),
                    "topic": pick(row.exercise.topic, lang, separator=" / "),
                    "status": row.status,
                    "attempts": row.attempts,
                    "due": None if row.due is None else row.due.isoformat(),
                    "is_due": row.is_due,
                    "last": None
                    if row.last is None
                    else {
                        "at": row.last.attempted_at.isoformat(),
                        "status": row.last.status,
                        "cases_passed": row.last.cases_passed,
                        "cases_total": row.last.cases_total,
                        "summary": row.last.summary,
                    },
                }
                for row in rows
            ]
        )
        return
    table = Table(show_edge=False, pad_edge=False)
    scheduled = any(row.due is not None for row in rows)  # the due column only once something has a date
    columns = ("col.id", "col.title", "col.topic", "col.status", "col.attempts", "col.last")
    for key in (*columns, "col.due") if scheduled else columns:
        table.add_column(
            _say(key, lang),
            justify="right" if key == "col.attempts" else "left",
            no_wrap=key in ("col.id", "col.status", "col.attempts", "col.last", "col.due"),
        )
    styles = {"new": "dim", "attempted": "yellow", "passed": "green"}
    for row in rows:
        result = _last_result(row)
        table.add_row(
            row.exercise.id,
            pick(row.exercise.title, lang, separator=" / "),
            pick(row.exercise.topic, lang, separator=" / "),
            Text(_say("status." + row.status, lang), style=styles[row.status]),
            str(row.attempts),
            result,
            *([Text(_due_text(row, lang), style="bold yellow" if row.is_due else "")] if scheduled else []),
        )
    console = make_console()
    if console.width >= WIDE_LIST + (WIDE_DUE_EXTRA if scheduled else 0):
        console.print(table)
    else:  # six columns would cut titles and topics to a few letters: one block per exercise instead
        for row in rows:
            title = pick(row.exercise.title, lang, separator=" / ")
            header = Table.grid()  # a title that wraps continues under itself, not under the id
            header.add_column(no_wrap=True)
            header.add_column()
            header.add_row(Text.assemble((row.exercise.id, "bold"), " · "), title)
            console.print(header)
            status = Text(_say("status." + row.status, lang), style=styles[row.status])
            attempts = f"{_say('col.attempts', lang)}\u00a0{row.attempts}"
            last = _last_result(row)
            details = [Text(pick(row.exercise.topic, lang, separator=" / ")), status, Text(attempts)]
            line = Text(" · ").join(details)
            if last != "—":
                line.append(f" · {_say('col.last', lang)}: {last}")
            if row.due is not None:
                due = f" · {_say('col.due', lang)}: {_due_text(row, lang)}"
                line.append(due, style="bold yellow" if row.is_due else "")
            console.print(Padding(line, (0, 0, 0, 2), expand=False))  # a wrapped line stays indented under its row
    console.print(_say("list.footer", lang), style="dim")


def _last_result(row: ExerciseRow) -> str:
    if row.last is None:
        return "—"
    mark = "✓" if row.last.status == "passed" else "✗"
    return (
        f"{mark} {row.last.cases_passed}/{row.last.cases_total} · {row.last.attempted_at.astimezone():%Y-%m-%d %H:%M}"
    )
