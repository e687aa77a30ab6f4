"""`dlquiz stats` and `dlquiz doctor`. Parsing and rendering only: the figures are in ``stats``, the checks in
``doctor``, the drawing in ``stats_screen``. Imported when the CLI starts, so only typer at module level.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from dlquiz.console import confirm, echo_json, make_console, warn

STATS_HELP = "Your progress at a glance: cards by state, reviews per day, streak, retention, forecast, time, exercises."
DETAIL_LINES = 10  # integrity_check may list a hundred lines; the first ones say enough
DOCTOR_HELP = (
    "Check the progress database, the decks and the exercises, and say what to do about each problem "
    "(exit 0 when all is well, 1 otherwise)."
)


def stats(
    deck: Optional[str] = typer.Argument(None, help="A deck id (or .yaml path); default: every deck."),
    json_output: bool = typer.Option(False, "--json", help="Print the figures as JSON (stable keys) for scripts."),
    lang: Optional[str] = typer.Option(None, "--lang", "-l", help="Language: zh, en or both (default: from your locale)."),
) -> None:
    from dlquiz.cards import library
    from dlquiz.review import stats as figures
    from dlquiz.errors import DlquizError
    from dlquiz.review.store import open_store
    from dlquiz.text import resolve_lang

    language = resolve_lang(lang)
    loaded = library.load([deck] if deck else None)
    if deck and not loaded.decks:
        problems = "\n".join(str(problem) for problem in loaded.problems)
        raise DlquizError(f"the deck {deck!r} does not load:\n{problems}", "`dlquiz deck check FILE` shows every problem.")
    if loaded.broken:
        warn(
            *(str(problem) for problem in loaded.problems),
            f"{len(loaded.broken)} deck file(s) failed to load and are not counted "
            f"({', '.join(str(path) for path in loaded.broken)}); `dlquiz doctor` says why.",
        )
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
    prune: bool = typer.Option(False, "--prune", help="Delete orphaned card states (asks first; the review log is kept)."),
    deck: List[Path] = typer.Option([], "--deck", help="A deck file you study by path, outside the decks folder (repeatable)."),
) -> None:
    from dlquiz.review import doctor as checks

    checkup = checks.examine([str(path) for path in deck])
    console = make_console()
    _show_checkup(checkup, console)
    orphans = checkup.orphans
    if prune and orphans.prunable:
        decks = ", ".join(sorted({deck_id for deck_id, _card in orphans.prunable}))
        question = f"Delete {len(orphans.prunable)} orphaned card state row(s) of {decks}? The review log is kept."
        if confirm(question):
            deleted = checks.prune(checkup)
            console.print(f"[green]✓[/] deleted {deleted} orphaned card state row(s); the review log is untouched", markup=True)
        else:
            console.print("Nothing deleted.")
    elif prune:
        console.print("Nothing to prune.")
    if orphans.held_back and prune:
        console.print(f"Kept the card states of {', '.join(sorted(orphans.held_back))}: "
                      "they may belong to a deck file that failed to load. Fix it, then run `dlquiz doctor` again.")
    if not checkup.healthy:
        raise typer.Exit(1)
    console.print("All good.", style="green")


def register(app: typer.Typer) -> None:
    """Add `stats` and `doctor` to ``app`` (once, however often it is called)."""
    names = {info.name for info in app.registered_commands}
    if "stats" not in names:
        app.command("stats", help=STATS_HELP)(stats)
    if "doctor" not in names:
        app.command("doctor", help=DOCTOR_HELP)(doctor)


# --- pieces -----------------------------------------------------------------------------------------------------

def _show_checkup(checkup, console) -> None:
    from rich.markup import escape

    from dlquiz.review.store import SALVAGE_HINT

    def good(text: str) -> None:
        console.print(f"[green]✓[/] {escape(text)}", markup=True)

    def bad(text: str, details: list[str], advice: str) -> None:
        console.print(f"[red]✗[/] {escape(text)}", markup=True)
        for line in details:
            console.print(f"    {escape(line)}", soft_wrap=True)
        console.print(f"  [bold]→[/] {escape(advice)}", markup=True)

    where = checkup.database
    if checkup.database_error is not None:
        error = checkup.database_error
        bad(error.message, [], error.hint or "Move the file aside to start afresh, or restore a backup copy.")
    elif not checkup.database_exists:
        good(f"no progress database yet at {where} (nothing studied so far)")
    elif checkup.integrity or checkup.foreign_keys:
        lines = checkup.integrity + checkup.foreign_keys
        shown = lines[:DETAIL_LINES] + ([f"… and {len(lines) - DETAIL_LINES} more"] if len(lines) > DETAIL_LINES else [])
        advice = SALVAGE_HINT
        if all("index" in line for line in lines):  # only an index is inconsistent: the rows themselves are fine
            advice = f"Copy the file aside first; only indexes are affected, so `sqlite3 {where} REINDEX` rebuilds them."
        bad(f"the progress database {where} is damaged", shown, advice)
    else:
        good(f"database {where}: integrity ok (schema v{checkup.schema_version}, "
             f"{checkup.review_rows} reviews, {checkup.state_rows} card states)")
    if checkup.unreadable_rows:
        rows = checkup.unreadable_rows
        shown = rows[:DETAIL_LINES] + ([f"… and {len(rows) - DETAIL_LINES} more"] if len(rows) > DETAIL_LINES else [])
        bad(f"{len(rows)} progress row(s) hold values dlquiz cannot use (written outside dlquiz)", shown,
            "`dlquiz progress export -o backup.jsonl` saves every other row; import it into a fresh home "
            "(`DLQUIZ_HOME=… dlquiz progress import backup.jsonl`), or delete those rows with an SQLite tool.")
    orphans = checkup.orphans
    if orphans.states:
        details = [f"{deck_id}: {orphans.states[deck_id]} card state(s), {orphans.reviews.get(deck_id, 0)} review(s)"
                   for deck_id in sorted(orphans.states)]
        advice = ("These cards were removed from their deck, renamed (a new id starts afresh), or their deck is gone. "
                  "If you study a deck by path, pass it: `dlquiz doctor --deck FILE`. Otherwise "
                  "`dlquiz doctor --prune` deletes the orphaned card states (it asks first); the review log is kept.")
        if orphans.held_back:
            advice += f" ({', '.join(sorted(orphans.held_back))}: not pruned while a deck file fails to load.)"
        bad(f"{sum(orphans.states.values())} card state(s) belong to no card of any deck", details, advice)
    if orphans.reviews:
        listed = ", ".join(f"{deck_id} ({count})" for deck_id, count in sorted(orphans.reviews.items()))
        console.print(f"[dim]i[/] {sum(orphans.reviews.values())} review-log row(s) of removed cards are kept as "
                      f"history: {escape(listed)}", markup=True)
    if checkup.deck_problems:
        bad(f"{len(checkup.broken_decks)} deck file(s) failed to load",
            [str(problem) for problem in checkup.deck_problems],
            "Fix the lines above (`dlquiz deck check FILE` re-checks); until then those cards are not studied.")
    else:
        good(f"{len(checkup.decks)} deck(s) load")
    if checkup.broken_exercises:
        bad(f"{len(checkup.broken_exercises)} exercise folder(s) failed to load",
            [f"{name}: {error.message}" for name, error in checkup.broken_exercises],
            "Fix the exercise metadata as the message says (exercises/relu/exercise.yaml is the model), "
            "or reinstall dlquiz if you did not change the exercises.")
    else:
        good(f"{checkup.exercises} exercise(s) load")
