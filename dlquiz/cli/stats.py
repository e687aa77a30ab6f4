"""`dlquiz stats` and `dlquiz doctor`. Parsing and rendering only: the figures are in ``stats``, the checks in
``doctor``, the drawing in ``stats_screen``. Imported when the CLI starts, so only typer at module level.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from dlquiz.console import confirm, echo_json, make_console, warn

STATS_HELP = "Your progress at a glance: cards by state, reviews per day, streak, retention, forecast, time, exercises."
DOCTOR_HELP = (
    "Check the progress database, the decks and the exercises, and say what to do about each problem "
    "(exit 0 when all is well, 1 otherwise)."
)


def stats(
    deck: Optional[str] = typer.Argument(None, help="A deck id (or .yaml path); default: every deck."),
    json_output: bool = typer.Option(False, "--json", help="Print the figures as JSON (stable keys) for scripts."),
    lang: Optional[str] = typer.Option(
        None, "--lang", "-l", help="Language: zh, en or both (default: from your locale)."
    ),
) -> None:
    from dlquiz.cards import library
    from dlquiz.review import stats as figures
    from dlquiz.errors import DlquizError
    from dlquiz.review.store import open_store
    from dlquiz.text import INDENTED_LINE, Text, resolve_lang

    language = resolve_lang(lang)
    loaded = library.load([deck] if deck else None)
    if deck and not loaded.decks:
        problems = "\n".join(problem.show("en") for problem in loaded.problems)
        problems_zh = "\n".join(problem.show("zh") for problem in loaded.problems)
        raise DlquizError(
            f"the deck {deck!r} does not load:\n{problems}",
            "`dlquiz deck check FILE` shows every problem.",
            zh=(f"卡组 {deck!r} 无法加载：\n{problems_zh}", "`dlquiz deck check FILE` 会列出所有问题。"),
        )
    if loaded.broken:
        count, listed = len(loaded.broken), ", ".join(str(path) for path in loaded.broken)
        not_counted = Text(
            zh=f"{count} 个卡组文件加载失败，没有计入统计（{listed}）；`dlquiz doctor` 会说明原因。",
            en=f"{count} deck file(s) failed to load and are not counted ({listed}); `dlquiz doctor` says why.",
        )
        warn(*(problem.show(language) for problem in loaded.problems), not_counted.pick(language, INDENTED_LINE))
    store = open_store()
    try:
        result = figures.compute(store, loaded.decks, deck=loaded.decks[0].id if deck else None)
    finally:
        store.close()
    if json_output:
        echo_json(result.as_json(language))
        return
    from dlquiz.cli.stats_screen import render

    render(result, make_console(), language)


def doctor(
    prune: bool = typer.Option(
        False, "--prune", help="Delete orphaned card states (asks first; the review log is kept)."
    ),
    deck: List[Path] = typer.Option(
        [], "--deck", help="A deck file you study by path, outside the decks folder (repeatable)."
    ),
    lang: Optional[str] = typer.Option(
        None, "--lang", "-l", help="Language: zh, en or both (default: from your locale)."
    ),
) -> None:
    from dlquiz.cli.doctor_screen import say, show_checkup
    from dlquiz.review import doctor as checks
    from dlquiz.text import locale_language, resolve_lang

    language = resolve_lang(lang)
    ui = language if language != "both" else locale_language()  # the doctor's lines are chrome: one language
    checkup = checks.examine([str(path) for path in deck])
    console = make_console()
    show_checkup(checkup, console, ui)
    orphans = checkup.orphans
    if prune and orphans.prunable:
        decks = ", ".join(sorted({deck_id for deck_id, _card in orphans.prunable}))
        if confirm(say("prune.question", ui, count=len(orphans.prunable), decks=decks)):
            deleted = checks.prune(checkup)
            console.print(f"[green]✓[/] {say('prune.done', ui, count=deleted)}", markup=True)
        else:
            console.print(say("prune.declined", ui))
    elif prune:
        console.print(say("prune.nothing", ui))
    if orphans.held_back and prune:
        console.print(say("prune.kept", ui, decks=", ".join(sorted(orphans.held_back))))
    if not checkup.healthy:
        raise typer.Exit(1)
    console.print(say("all.good", ui), style="green")


def register(app: typer.Typer) -> None:
    """Add `stats` and `doctor` to ``app`` (once, however often it is called)."""
    names = {info.name for info in app.registered_commands}
    if "stats" not in names:
        app.command("stats", help=STATS_HELP)(stats)
    if "doctor" not in names:
        app.command("doctor", help=DOCTOR_HELP)(doctor)
