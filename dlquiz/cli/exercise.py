"""`dlquiz exercise`: lists, shows, hints and grades the coding exercises. It parses and renders; the logic is in
``dlquiz.grading``. Imported when the CLI starts, so only typer is imported at module level (no numpy, no torch).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional

import typer

from dlquiz.console import confirm, echo, echo_json, make_console, print_error
from dlquiz.errors import DlquizError

if TYPE_CHECKING:
    from rich.console import Console

    from dlquiz.grading.attempts import ExerciseProgress
    from dlquiz.grading.catalog import Exercise
    from dlquiz.grading.grader import GradeResult
    from dlquiz.grading.attempts import Review
    from dlquiz.grading.workflow import ExerciseRow

T = {  # short bilingual strings of this screen; pick() chooses per --lang
    "status.new": {"en": "new", "zh": "未开始"},
    "status.attempted": {"en": "attempted", "zh": "尝试过"},
    "status.passed": {"en": "passed", "zh": "已通过"},
    "col.id": {"en": "exercise", "zh": "练习"},
    "col.title": {"en": "title", "zh": "标题"},
    "col.topic": {"en": "topic", "zh": "主题"},
    "col.status": {"en": "status", "zh": "状态"},
    "col.attempts": {"en": "attempts", "zh": "次数"},
    "col.last": {"en": "last result", "zh": "最近结果"},
    "col.due": {"en": "due", "zh": "到期"},
    "due.now": {"en": "due now", "zh": "已到期"},
    "next.none": {"en": "No exercise is due.", "zh": "没有到期的练习。"},
    "next.later": {"en": "The next one: {id} on {date}.", "zh": "下一个：{id}，{date} 到期。"},
    "next.start": {
        "en": "None has been passed yet: `dlquiz exercise` lists them, `dlquiz exercise NAME` starts one.",
        "zh": "还没有通过任何练习：`dlquiz exercise` 会列出所有练习，`dlquiz exercise 名称` 开始其中一个。",
    },
    "restarted": {
        "en": "Review time: your file starts again from the template — write it from memory. "
        "The version that passed before is kept in {previous} (`--previous` shows it).",
        "zh": "复习时间到了：你的文件已恢复为模板，请凭记忆重新实现。之前通过的版本保存在 {previous}（`--previous` 可查看）。",
    },
    "restarted.plain": {
        "en": "Review time: your file starts from the template — write it from memory.",
        "zh": "复习时间到了：你的文件从模板开始，请凭记忆重新实现。",
    },
    "previous.none": {
        "en": "No previous version of {id} is kept in {folder}.",
        "zh": "{folder} 中没有保存 {id} 之前的版本。",
    },
    "previous.title": {"en": "Your previous version: {path}", "zh": "你之前的版本：{path}"},
    "review.made": {
        "en": "Review recorded: {rating} ({why}). Next review: {date} (in {interval}).",
        "zh": "已记录复习：{rating}（{why}）。下次复习：{date}（{interval}后）。",
    },
    "review.practice": {
        "en": "Practice: not due until {date}, so the schedule stays as it is.",
        "zh": "练习：{date} 才到期，复习计划保持不变。",
    },
    "giveup.none": {
        "en": "{id} is not due until {date}: there is no review to give up.",
        "zh": "{id} 要到 {date} 才到期：没有可以放弃的复习。",
    },
    "rule.first-try": {"en": "passed on the first try", "zh": "第一次就通过"},
    "rule.clean": {"en": "passed without help", "zh": "没有借助提示通过"},
    "rule.hints": {"en": "passed after hints", "zh": "看了提示后通过"},
    "rule.solution": {"en": "passed after seeing the solution", "zh": "看了参考答案后通过"},
    "rule.gave-up": {"en": "gave up", "zh": "放弃"},
    "rating.1": {"en": "Again", "zh": "重来"},
    "rating.2": {"en": "Hard", "zh": "困难"},
    "rating.3": {"en": "Good", "zh": "良好"},
    "rating.4": {"en": "Easy", "zh": "简单"},
    "list.footer": {"en": "Start one with `dlquiz exercise NAME`.", "zh": "用 `dlquiz exercise 名称` 开始一个练习。"},
    "file": {"en": "Your file: {path}", "zh": "你的文件：{path}"},
    "created": {"en": "Created it from the template.", "zh": "已根据模板创建。"},
    "untouched": {
        "en": "Edit it, then run `dlquiz exercise {id}` again to grade it (or add --watch to grade on every save).",
        "zh": "编辑它，然后再次运行 `dlquiz exercise {id}` 评分（或加上 --watch，每次保存都会自动评分）。",
    },
    "hint.title": {"en": "Hint {n}/{total}", "zh": "提示 {n}/{total}"},
    "hint.none": {"en": "This exercise has no hints.", "zh": "这个练习没有提示。"},
    "hint.last": {
        "en": "That was the last hint. After you pass, `--solution` shows the reference solution.",
        "zh": "这是最后一条提示。通过之后，可以用 `--solution` 查看参考答案。",
    },
    "solution.ask": {
        "en": "You have not passed this review of the exercise yet. Show the solution anyway? "
        "Your pass will then count as Again.",
        "zh": "这次复习你还没有通过这个练习。仍然要查看参考答案吗？之后的通过将记为“重来”。",
    },
    "solution.kept": {
        "en": "Not shown. Keep going — `--hint` gives the next hint.",
        "zh": "未显示。继续加油——`--hint` 会给出下一条提示。",
    },
    "reset.ask": {
        "en": "Replace {path} with the template? Your changes there will be lost.",
        "zh": "用模板覆盖 {path} 吗？你在其中的修改将会丢失。",
    },
    "reset.done": {
        "en": "Restored the template (your previous version is in {backup}).",
        "zh": "已恢复为模板（之前的版本保存在 {backup}）。",
    },
    "reset.same": {"en": "{path} is already the untouched template.", "zh": "{path} 已经是未修改的模板。"},
    "reset.kept": {"en": "Left {path} as it was.", "zh": "{path} 保持不变。"},
    "watch.start": {
        "en": "Watching {path} — grading on every save. Ctrl-C stops.",
        "zh": "正在监视 {path}——每次保存都会评分。按 Ctrl-C 停止。",
    },
    "watch.stop": {"en": "Stopped watching.", "zh": "已停止监视。"},
    "passed.solution": {
        "en": "Compare your code with the reference solution:",
        "zh": "可以和参考答案对照一下：",
    },
    "passed.next": {"en": "Next exercise: {title}", "zh": "下一个练习：{title}"},
    "passed.all": {"en": "That was the last one: every exercise is passed.", "zh": "这是最后一个：所有练习都已通过。"},
    "watch.change": {"en": "— change saved at {time}, grading —", "zh": "— {time} 保存了修改，正在评分 —"},
    "prepare.task": {"en": "PyTorch references", "zh": "PyTorch 参考结果"},
    "prepare.cached": {"en": "{id}: already prepared", "zh": "{id}：已准备好"},
    "prepare.computed": {"en": "{id}: prepared ({seconds:.1f} s)", "zh": "{id}：已准备（{seconds:.1f} 秒）"},
    "prepare.uncacheable": {
        "en": "{id}: computed, but its references are not plain data; they are computed at every grading",
        "zh": "{id}：已计算，但其参考结果不是纯数据，每次评分都会重新计算",
    },
    "prepare.done": {
        "en": "{count} exercise(s) ready: grading them no longer waits for PyTorch.",
        "zh": "{count} 个练习已就绪：评分时不再等待 PyTorch 加载。",
    },
}

WIDE_LIST = 80  # below this many columns the exercise list is one block per exercise, not a table
WIDE_DUE_EXTRA = 20  # … and this many more once the due column is shown
EXERCISE_HELP = (
    "Coding exercises graded against PyTorch. Without NAME: list them. With NAME: show the task, create your file "
    "from the template and grade it once edited."
)


def _say(key: str, lang: str, **values: object) -> str:
    from dlquiz.text import pick

    text = pick(T[key], lang, separator=" / ")
    return text.format(**values) if values else text


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
            console.print(Text.assemble((row.exercise.id, "bold"), " · ", title))
            status = Text(_say("status." + row.status, lang), style=styles[row.status])
            attempts = f"{_say('col.attempts', lang)}\u00a0{row.attempts}"
            last = _last_result(row)
            details = [Text(pick(row.exercise.topic, lang, separator=" / ")), status, Text(attempts)]
            line = Text("  ") + Text(" · ").join(details)
            if last != "—":
                line.append(f" · {_say('col.last', lang)}: {last}")
            if row.due is not None:
                due = f" · {_say('col.due', lang)}: {_due_text(row, lang)}"
                line.append(due, style="bold yellow" if row.is_due else "")
            console.print(line)
    console.print(_say("list.footer", lang), style="dim")


def _last_result(row: ExerciseRow) -> str:
    if row.last is None:
        return "—"
    mark = "✓" if row.last.status == "passed" else "✗"
    return f"{mark} {row.last.cases_passed}/{row.last.cases_total} · {row.last.attempted_at.astimezone():%Y-%m-%d %H:%M}"


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

    from dlquiz.grading.report import render, to_json
    from dlquiz.grading.workflow import Graded, NotRecorded, grade_and_review

    not_recorded = None
    try:
        graded = grade_and_review(chosen, path, _progress, _now())
    except NotRecorded as error:  # show the grade first, then say it was not saved
        graded, not_recorded = Graded(error.result, None), error
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


def _review_json(review: Review) -> dict[str, object]:
    return {"rating": _say(f"rating.{int(review.rating)}", "en"), "rule": review.rule, "due": review.due.isoformat()}


def _say_schedule(chosen: Exercise, review: Review | None, console: Console, lang: str) -> None:
    """After a pass: the review it made and when the exercise comes back, or that it was practice."""
    from dlquiz.cli.study_screen import format_interval

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
    from datetime import datetime

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
