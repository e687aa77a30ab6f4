"""`dlquiz exercise`: lists, shows, hints and grades the coding exercises. It parses and renders; the logic is in
``dlquiz.grading``. Imported when the CLI starts, so only typer is imported at module level (no numpy, no torch).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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
        "en": "You have not passed this exercise yet. Show the solution anyway?",
        "zh": "你还没有通过这个练习。仍然要查看参考答案吗？",
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
        if file or watch or hint or solution or reset or json_output:
            raise _usage("--prepare takes only exercise names (and --quiet, --lang)")
        _prepare([name, *(more or [])] if name else [], language, quiet)
        return
    if more:
        raise _usage(f"one exercise at a time: got {name} {' '.join(more)}", "Only --prepare takes several names.")
    if quiet:
        raise _usage("--quiet goes with --prepare")
    if name is None:
        if file or watch or hint or solution or reset:
            raise _usage(
                "--file, --watch, --hint, --solution and --reset need an exercise NAME",
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
    from dlquiz.grading.workflow import open_workspace, workspace_file

    chosen = load_exercise(name)
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


def _list(lang: str, json_output: bool) -> None:
    from rich.table import Table
    from rich.text import Text

    from dlquiz.grading.workflow import exercise_list
    from dlquiz.text import pick

    rows = exercise_list(_progress)
    if json_output:
        echo_json(
            [
                {
                    "id": row.exercise.id,
                    "title": pick(row.exercise.title, lang, separator=" / "),
                    "topic": pick(row.exercise.topic, lang, separator=" / "),
                    "status": row.status,
                    "attempts": row.attempts,
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
    for key in ("col.id", "col.title", "col.topic", "col.status", "col.attempts", "col.last"):
        table.add_column(
            _say(key, lang),
            justify="right" if key == "col.attempts" else "left",
            no_wrap=key in ("col.id", "col.status", "col.attempts", "col.last"),
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
        )
    console = make_console()
    if console.width >= WIDE_LIST:
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
    hint = next_hint(chosen, _progress)
    if hint is None:
        console.print(_say("hint.none", lang))
        return
    console.print(_say("hint.title", lang, n=hint.number, total=hint.total), style="bold")
    console.print(Markdown(pick(hint.text, lang)))
    if hint.is_last:
        console.print(_say("hint.last", lang), style="dim")


def _solution(chosen: Exercise, lang: str) -> None:
    from rich.syntax import Syntax

    from dlquiz.grading.workflow import reveal_solution

    solution = reveal_solution(chosen, _progress, lambda: confirm(_say("solution.ask", lang)))
    console = make_console()
    if solution is None:
        console.print(_say("solution.kept", lang))
        return
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
    from dlquiz.grading.report import render, to_json
    from dlquiz.grading.workflow import grade

    result = grade(chosen, path, _progress)
    if json_output:
        echo(to_json(result, "en" if lang == "both" else lang))
    else:
        render(result, make_console(), lang)
    return result


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
