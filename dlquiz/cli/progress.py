"""`dlquiz progress export` / `dlquiz progress import`: back up progress and move it between machines. It parses and
renders; the work is in ``dlquiz.interop.backup``. Imported when the CLI starts, so only typer is imported at module level.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

from dlquiz.console import echo

PROGRESS_HELP = "Back up all progress (reviews, card states, settings, exercise attempts) or merge a backup in."


def export(
    output: str = typer.Option(..., "--output", "-o", help="File to write (JSON Lines); - writes to stdout."),
) -> None:
    """Write all progress to one JSON Lines file (reviews, card states, settings, exercise attempts)."""
    import sys

    from dlquiz.interop import backup
    from dlquiz.review.store import open_store

    store = open_store()
    try:
        if output == "-":
            if hasattr(sys.stdout, "reconfigure"):  # JSON Lines are UTF-8 whatever the terminal's encoding
                sys.stdout.reconfigure(encoding="utf-8")
            summary = backup.write_export(store, sys.stdout)
        else:
            summary = backup.export_to_file(store, Path(output))
    finally:
        store.close()
    where = "stdout" if output == "-" else output
    if summary.damaged or summary.unreadable:
        from dlquiz.console import warn

        shown = summary.unreadable[:5] + (
            [f"… and {len(summary.unreadable) - 5} more"] if len(summary.unreadable) > 5 else []
        )
        warn(
            (
                "the progress database is damaged: exported every row that could still be read"
                if summary.damaged
                else f"skipped {len(summary.unreadable)} unreadable row(s)"
            ),
            *shown,
        )
    # With -o - the data owns stdout, so the summary goes to stderr.
    echo(
        f"Exported {summary.reviews} review(s), {summary.cards} card state(s), {summary.settings} setting(s), "
        f"{summary.attempts} exercise attempt(s), {summary.hints} hint count(s) and {summary.exercise_reviews} "
        f"exercise review(s) to {where}.",
        err=output == "-",
    )


def import_(
    file: str = typer.Argument(..., help="A file written by `dlquiz progress export` (- reads stdin)."),
    lang: Optional[str] = typer.Option(None, "--lang", "-l", help="Language: zh, en or both (default: your locale)."),
) -> None:
    """Merge a progress file into this machine's progress: nothing present is lost, no review is added twice."""
    import sys

    from dlquiz.interop import backup
    from dlquiz.review.store import open_store

    # Read and check the whole file first: a bad line stops the import before the database is opened.
    if file == "-":
        contents = backup.read_lines(sys.stdin.buffer, "<stdin>")
    else:
        contents = backup.read_file(Path(file))
    store = open_store()
    try:
        summary = backup.import_contents(store, contents)
    finally:
        store.close()
    from dlquiz.text import resolve_lang

    language = resolve_lang(lang)
    echo(_import_summary(summary, "stdin" if file == "-" else file, "zh" if language == "zh" else "en"))


def _import_summary(summary: Any, source: str, lang: str) -> str:
    """What an import added and kept, line by line, in ``lang`` (zh or en)."""
    zh = lang == "zh"
    lines = [
        f"已导入 {source}：" if zh else f"Imported {source}:",
        (
            f"  复习记录：新增 {summary.reviews_added} 条，已有 {summary.reviews_present} 条"
            if zh
            else f"  reviews: {summary.reviews_added} added, {summary.reviews_present} already present"
        ),
        (
            f"  卡片状态：按合并后的复习记录重算 {summary.cards_recomputed} 张"
            if zh
            else f"  card states: {summary.cards_recomputed} recomputed from the merged reviews"
        )
        + (
            (
                f"（其中 {summary.cards_replayed} 张两边都复习过，经 FSRS 重放）"
                if zh
                else f" ({summary.cards_replayed} replayed through FSRS: both sides had reviewed them)"
            )
            if summary.cards_replayed
            else ""
        ),
    ]
    if summary.cards_updated:
        lines.append(
            f"  其他卡片状态：新增或更新 {summary.cards_updated} 张（新卡、暂停或搁置的卡片）"
            if zh
            else f"  other card states: {summary.cards_updated} added or updated (new, suspended or buried cards)"
        )
    lines.append(
        (f"  设置：新增 {summary.settings_added} 项" if zh else f"  settings: {summary.settings_added} added")
        + (
            (
                f"，{summary.settings_kept} 项保留本机的值"
                if zh
                else f", {summary.settings_kept} kept at this machine's value"
            )
            if summary.settings_kept
            else ""
        )
    )
    lines.append(
        f"  练习尝试：新增 {summary.attempts_added} 次，已有 {summary.attempts_present} 次"
        if zh
        else f"  exercise attempts: {summary.attempts_added} added, {summary.attempts_present} already present"
    )
    if summary.hints_raised:
        lines.append(
            f"  练习提示：{summary.hints_raised} 个练习的提示记录已更新"
            if zh
            else f"  exercise hints: {summary.hints_raised} hint count(s) raised"
        )
    lines.append(
        (
            f"  练习复习：新增 {summary.exercise_reviews_added} 次，已有 {summary.exercise_reviews_present} 次"
            if zh
            else f"  exercise reviews: {summary.exercise_reviews_added} added, "
            f"{summary.exercise_reviews_present} already present"
        )
        + (
            (
                f"（{summary.exercises_replayed} 个练习经 FSRS 重放）"
                if zh
                else f" ({summary.exercises_replayed} exercise(s) replayed through FSRS)"
            )
            if summary.exercises_replayed
            else ""
        )
    )
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add the `progress` command group to ``app`` (once, however often it is called)."""
    if any(info.name == "progress" for info in app.registered_groups):
        return
    group = typer.Typer(
        help=PROGRESS_HELP,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    group.command("export")(export)
    group.command("import")(import_)
    app.add_typer(group, name="progress")
