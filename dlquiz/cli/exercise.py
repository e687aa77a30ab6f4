"""`dlquiz exercise`: lists, shows, hints and grades the coding exercises. It parses and renders; the logic is in
``dlquiz.grading``. Imported when the CLI starts, so only typer is imported at module level (no numpy, no torch).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional

import typer

from dlquiz.cli.exercise_list import _date, _list, _most_overdue, _now, _progress
from dlquiz.cli.exercise_text import EXERCISE_HELP, say as _say
from dlquiz.console import confirm, echo, echo_json, make_console, print_error
from dlquiz.errors import DlquizError

if TYPE_CHECKING:
    from rich.console import Console

    from dlquiz.grading.catalog import Exercise
    from dlquiz.grading.grader import GradeResult
    from dlquiz.grading.attempts import Review


def _usage(message: str, hint: str | None = None) -> DlquizError:
    return DlquizError(message, hint or "See `dlquiz exercise --help`.", exit_code=2)


def exercise(
    name: Optional[str] = typer.Argument(None, help="Exercise id (relu, padding, …); omit to list every exercise."),
    more: Optional[List[str]] = typer.Argument(None, help="With --prepare: more exercise ids.", show_default=False),
    file: Optional[Path] = typer.Option(
        None, "--file", "-f", help="Grade this file non-interactively (exit 0 pass, 1 fail, 2 usage error)."
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the result (or the list) as JSON."),
    watch: bool = typer.Option(False, "--watch", "-w", help="Grade again every time the file is saved (Ctrl-C stops)."),
    hint: bool = typer.Option(False, "--hint", help="Show the next hint."),
    next_due: bool = typer.Option(False, "--next", help="Open the most overdue exercise."),
    previous: bool = typer.Option(
        False, "--previous", help="Show your previous version, kept when a due review restarted the file."
    ),
    give_up: bool = typer.Option(
        False, "--give-up", help="End this review without a pass (rated Again) and show the solution."
    ),
    solution: bool = typer.Option(
        False, "--solution", help="Show the reference solution (after a pass, or if you confirm)."
    ),
    reset: bool = typer.Option(False, "--reset", help="Put the template back in your file (asks first)."),
    workspace: Optional[Path] = typer.Option(
        None, "--workspace", help="Folder for your exercise files (default: in the data folder)."
    ),
    lang: Optional[str] = typer.Option(
        None, "--lang", "-l", help="Language: zh, en or both (default: from your locale)."
    ),
    prepare: bool = typer.Option(
        False,
        "--prepare",
        help="Compute PyTorch's references now (the named exercises, default all), so grading "
        "never waits for PyTorch to load.",
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="With --prepare: print only problems."),
) -> None:
    """Coding exercises graded against PyTorch."""
    from dlquiz.text import resolve_lang

    language = resolve_lang(lang)
    if prepare:
        if file or watch or hint or solution or reset or json_output or next_due or previous or give_up:
            raise _usage("--prepare takes only exercise names (and --quiet, --lang)")
        _prepare([name, *(more or [])] if name else [], language, quiet)
        return
    if more:
        raise _usage(f"one exercise at a time: got {name} {' '.join(more)}", "Only --prepare takes several names.")
    if quiet:
        raise _usage("--quiet goes with --prepare")
    if next_due:
        if name is not None:
            raise _usage("--next chooses the exercise itself; give either NAME or --next", None)
        name = _most_overdue(language)
        if name is None:
            return
    if name is None:
        if file or watch or hint or solution or reset or previous or give_up:
            raise _usage(
                "--file, --watch, --hint, --solution, --reset, --previous and --give-up need an exercise NAME",
                "e.g. `dlquiz exercise relu --hint`; `dlquiz exercise` alone lists the exercises.",
            )
        _list(language, json_output)
        return
    if json_output and watch:
        raise _usage("--json and --watch cannot be combined", "--json prints one result; --watch keeps grading.")
    if file is not None and reset:
        raise _usage(
            "--reset restores your workspace file; it does not take --file",
            "Run `dlquiz exercise NAME --reset` without --file.",
        )
    if file is not None and workspace is not None:
        raise _usage("--file and --workspace cannot be combined", "--file names the file to grade directly.")
    from dlquiz.grading.catalog import load_exercise
    from dlquiz.grading.workflow import open_workspace, restart_if_due, workspace_file

    chosen = load_exercise(name)
    if previous:
        _previous(chosen, workspace_file(chosen, workspace), language)
        return
    if give_up:
        _give_up(chosen, language)
        return
    if hint or solution or reset:
        if reset:
            _reset(chosen, workspace_file(chosen, workspace), language)
        if hint:
            _hint(chosen, language)
        if solution:
            _solution(chosen, language)
        return
    if file is not None:
        _grade_and_exit(chosen, file, language, json_output, watch)
        return
    restart = restart_if_due(chosen, workspace_file(chosen, workspace), _progress, _now())
    mine = open_workspace(chosen, workspace_file(chosen, workspace))
    path, created, edited = mine.path, mine.created, mine.edited
    console = make_console()
    if not json_output and not (edited and not watch):
        _show_task(chosen, console, language)
    if not json_output:
        if edited and not watch:  # the task was read before; a title line is enough
            from dlquiz.text import pick

            console.rule(f"{chosen.id} · {pick(chosen.title, language, separator=' / ')}")
        console.print(_say("file", language, path=path), highlight=False, soft_wrap=True)
        if created:
            console.print(_say("created", language))
        if restart is not None:
            message = "restarted" if restart.previous else "restarted.plain"
            console.print(_say(message, language, previous=restart.previous), style="yellow", soft_wrap=True)
    if not edited and not watch:
        if json_output:
            raise DlquizError(
                f"{path} is still the untouched template", "Edit it first, or grade another file with --file."
            )
        console.print(_say("untouched", language, id=chosen.id))
        return
    _grade_and_exit(chosen, path, language, json_output, watch, grade_now=edited)


def register(app: typer.Typer) -> None:
    """Add the `exercise` command to ``app`` (once, however often it is called)."""
    if any(info.name == "exercise" for info in app.registered_commands):
        return
    app.command("exercise", help=EXERCISE_HELP)(exercise)


# --- pieces -----------------------------------------------------------------------------------------------------


def _show_task(chosen: Exercise, console: Console, lang: str) -> None:
    from rich.markdown import Markdown
    from rich.rule import Rule

    from dlquiz.text import pick

    console.print(Rule(f"{chosen.id} · {pick(chosen.title, lang, separator=' / ')}"))
    console.print(Markdown(chosen.task(lang)))
    console.print()


def _hint(chosen: Exercise, lang: str) -> None:
    from rich.markdown import Markdown

    from dlquiz.grading.workflow import next_hint
    from dlquiz.text import pick

    console = make_console()
    hint = next_hint(chosen, _progress, _now())
    if hint is None:
        console.print(_say("hint.none", lang))
        return
    console.print(_say("hint.title", lang, n=hint.number, total=hint.total), style="bold")
    console.print(Markdown(pick(hint.text, lang)))
    if hint.is_last:
        console.print(_say("hint.last", lang), style="dim")


def _solution(chosen: Exercise, lang: str) -> None:
    from dlquiz.grading.workflow import reveal_solution

    solution = reveal_solution(chosen, _progress, lambda: confirm(_say("solution.ask", lang)), _now())
    console = make_console()
    if solution is None:
        console.print(_say("solution.kept", lang))
        return
    _print_code(console, solution)


def _print_code(console: Console, solution: str) -> None:
    from rich.syntax import Syntax

    if not console.is_terminal:  # redirected to a file: the file itself, so it compiles
        echo(solution.rstrip("\n"))
        return
    # In a terminal: highlighted, and never hard-wrapped; a line longer than the window is wrapped by the terminal
    # alone, so copying it gives the line back.
    longest = max((len(line) for line in solution.splitlines()), default=1)
    console.print(Syntax(solution, "python", word_wrap=False, code_width=longest), crop=False)


def _reset(chosen: Exercise, path: Path, lang: str) -> None:
    from dlquiz.grading.workflow import reset_workspace

    outcome = reset_workspace(chosen, path, lambda: confirm(_say("reset.ask", lang, path=path)))
    console = make_console()
    if outcome.outcome == "created":
        console.print(_say("file", lang, path=path), soft_wrap=True)
        console.print(_say("created", lang))
    elif outcome.outcome == "unchanged":
        console.print(_say("reset.same", lang, path=path), soft_wrap=True)
    elif outcome.outcome == "kept":
        console.print(_say("reset.kept", lang, path=path), soft_wrap=True)
    else:
        console.print(_say("reset.done", lang, backup=outcome.backup), soft_wrap=True)


def _prepare(names: list[str], lang: str, quiet: bool) -> None:
    """Warm the reference cache: a progress bar in a terminal, one line per exercise otherwise."""
    import time

    from dlquiz.grading.cases import warm
    from dlquiz.grading.catalog import list_exercises, load_exercise
    from dlquiz.grading.messages import NO_TORCH

    chosen = [load_exercise(name) for name in dict.fromkeys(names)] if names else list_exercises()
    console = make_console()
    failed = 0
    bar = None
    if console.is_terminal and not quiet:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        bar.start()
        task = bar.add_task(_say("prepare.task", lang), total=len(chosen))
    try:
        for exercise in chosen:
            if bar is not None:
                bar.update(task, description=f"{_say('prepare.task', lang)} · {exercise.id}")
            started = time.perf_counter()
            try:
                outcome = warm(exercise)
            except DlquizError as error:
                if error.message == NO_TORCH:  # the same for every exercise: say it once
                    raise
                failed += 1
                print_error(error)
                continue
            finally:
                if bar is not None:
                    bar.advance(task)
            if outcome == "uncacheable":
                console.print(_say("prepare.uncacheable", lang, id=exercise.id), style="yellow")
            elif not quiet and bar is None:
                seconds = time.perf_counter() - started
                console.print(_say(f"prepare.{outcome}", lang, id=exercise.id, seconds=seconds), highlight=False)
    finally:
        if bar is not None:
            bar.stop()
    if not quiet:
        console.print(_say("prepare.done", lang, count=len(chosen) - failed), highlight=False)
    if failed:
        raise typer.Exit(1)


def _grade_once(chosen: Exercise, path: Path, lang: str, json_output: bool) -> GradeResult:
    import json

    from dlquiz.grading.workflow import Graded, NotRecorded, grade_and_review

    not_recorded = None
    try:
        graded = grade_and_review(chosen, path, _progress, _now(), while_running=_import_for_the_result)
    except NotRecorded as error:  # show the grade first, then say it was not saved
        graded, not_recorded = Graded(error.result, None), error
    # Not imported before grade_and_review: the report imports numpy, and the learner's process starts first.
    from dlquiz.grading.report import render, to_json

    result = graded.result
    if json_output:
        report = json.loads(to_json(result, "en" if lang == "both" else lang))
        report["review"] = None if graded.review is None else _review_json(graded.review)
        echo_json(report)
    else:
        console = make_console()
        render(result, console, lang)
        if result.status == "passed" and not_recorded is None:
            _say_schedule(chosen, graded.review, console, lang)
            _after_pass(chosen, console, lang)
    if not_recorded is not None:
        raise not_recorded
    return result


def _import_for_the_result() -> None:
    """What showing and recording a grade needs, imported while the learner's process runs (time the grading waits
    anyway): the report with its rich tables, and the progress database with FSRS."""
    import dlquiz.grading.report  # noqa: F401
    import dlquiz.review.repository  # noqa: F401
    import dlquiz.review.store  # noqa: F401


def _review_json(review: Review) -> dict[str, object]:
    return {"rating": _say(f"rating.{int(review.rating)}", "en"), "rule": review.rule, "due": review.due.isoformat()}


def _say_schedule(chosen: Exercise, review: Review | None, console: Console, lang: str) -> None:
    """After a pass: the review it made and when the exercise comes back, or that it was practice."""
    from dlquiz.cli.intervals import format_interval

    if review is not None:
        rating, why = _say(f"rating.{int(review.rating)}", lang), _say(f"rule.{review.rule}", lang)
        interval = format_interval(review.due - _now(), "zh" if lang == "zh" else "en")
        console.print(_say("review.made", lang, rating=rating, why=why, date=_date(review.due), interval=interval))
        return
    from dlquiz.grading.workflow import exercise_list

    row = next((row for row in exercise_list(_progress, _now()) if row.exercise.id == chosen.id), None)
    if row is not None and row.due is not None and not row.is_due:
        console.print(_say("review.practice", lang, date=_date(row.due)), style="dim")


def _previous(chosen: Exercise, path: Path, lang: str) -> None:
    from dlquiz.grading.workflow import previous_file, read_file

    console = make_console()
    kept = previous_file(chosen, path)
    if kept is None:
        raise DlquizError(
            _say("previous.none", lang, id=chosen.id, folder=path.parent),
            "A version is kept when a due exercise restarts from the template (`dlquiz exercise NAME` when it is due).",
        )
    if console.is_terminal:
        console.print(_say("previous.title", lang, path=kept), soft_wrap=True)
    _print_code(console, read_file(kept))


def _give_up(chosen: Exercise, lang: str) -> None:
    from dlquiz.grading.workflow import exercise_list, give_up

    review = give_up(chosen, _progress, _now())
    console = make_console()
    if review is None:
        row = next(row for row in exercise_list(_progress, _now()) if row.exercise.id == chosen.id)
        raise DlquizError(
            _say("giveup.none", lang, id=chosen.id, date=_date(row.due) if row.due else "?"),
            "Grading it now is practice; `--solution` shows the reference solution.",
            exit_code=2,
        )
    _say_schedule(chosen, review, console, lang)
    _print_code(console, chosen.solution())


def _after_pass(chosen: Exercise, console: Console, lang: str) -> None:
    """What to do next: compare with the solution, then the next exercise not passed yet."""
    from dlquiz.grading.workflow import next_unpassed
    from dlquiz.text import pick

    console.print(_say("passed.solution", lang))
    _command(console, f"dlquiz exercise {chosen.id} --solution")
    following = next_unpassed(chosen, _progress, _now())
    if following is None:
        console.print(_say("passed.all", lang))
    else:
        console.print(_say("passed.next", lang, title=pick(following.title, lang, separator=" / ")))
        _command(console, f"dlquiz exercise {following.id}")


def _command(console: Console, command: str) -> None:
    """A command on a line of its own, never wrapped, so it can be copied whole (a no-break space would paste as
    a character the shell does not split on)."""
    console.print("  " + command, style="bold", soft_wrap=True, highlight=False)


def _grade_and_exit(
    chosen: Exercise, path: Path, lang: str, json_output: bool, watch: bool, grade_now: bool = True
) -> None:
    result = _grade_once(chosen, path, lang, json_output) if grade_now else None
    if watch:
        _watch(chosen, path, lang)
        return
    raise typer.Exit(0 if result is not None and result.status == "passed" else 1)


def _watch(chosen: Exercise, path: Path, lang: str) -> None:

    from dlquiz.grading.watch import changes

    saves = changes(path)  # before saying so: a save right after "Watching" must not be missed
    console = make_console()
    console.print(_say("watch.start", lang, path=path), style="dim", soft_wrap=True)
    try:
        for _ in saves:
            console.print()
            console.rule(_say("watch.change", lang, time=datetime.now().strftime("%H:%M:%S")))
            try:
                _grade_once(chosen, path, lang, json_output=False)
            except DlquizError as error:  # e.g. the file was deleted: say so and keep watching
                print_error(error)
    except KeyboardInterrupt:
        console.print()
        console.print(_say("watch.stop", lang), style="dim")
