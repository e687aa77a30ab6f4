"""The command line: parses arguments and renders; the work happens in the modules it calls.

Only light modules are imported at start-up: `dlquiz --help` must stay fast and never load torch or numpy.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Optional

import typer
from typer.core import TyperGroup

from dlquiz.console import echo, make_console, print_error, warn
from dlquiz.errors import DlquizError

LANG_HELP = "Language of the cards: zh, en or both (default: from your locale)."

UI = {  # the words of `decks` and `config`; --lang (or the locale) picks them
    "col.deck": {"en": "deck", "zh": "卡组"},
    "col.title": {"en": "title", "zh": "标题"},
    "col.items": {"en": "items", "zh": "条目"},
    "col.new": {"en": "new", "zh": "新"},
    "col.learning": {"en": "learn", "zh": "学习中"},
    "col.due": {"en": "due", "zh": "到期"},
    "col.suspended": {"en": "susp.", "zh": "暂停"},
    "items.note": {
        "en": "items = review items: each cloze deletion and each reverse side is one (as in `dlquiz stats`); "
        "learn = learning or relearning; susp. = suspended.",
        "zh": "条目 = 复习条目：每个填空、每个反向卡片各算一条（与 `dlquiz stats` 相同）。",
    },
    "tags.title": {
        "en": "Cards per tag (YAML entries, before cloze and reverse split them):",
        "zh": "每个标签的卡片数（YAML 中的卡片，未按填空和反向拆分）：",
    },
    "no.decks": {"en": "No decks found. Put .yaml decks in {folder}", "zh": "没有找到卡组。把 .yaml 卡组放进 {folder}"},
    "changed": {"en": "(changed)", "zh": "（已修改）"},
    "exercises.due": {
        "en": "{n} exercise(s) due: `dlquiz exercise {name}`",
        "zh": "{n} 个练习到期：`dlquiz exercise {name}`",
    },
    "exercises.none": {"en": "Exercises due: 0", "zh": "到期练习：0"},
    "config.footer": {
        "en": "Change one: dlquiz config NAME VALUE · back to the default: dlquiz config NAME --reset",
        "zh": "修改：dlquiz config 名称 值 · 恢复默认：dlquiz config 名称 --reset",
    },
}
COUNT_COLUMNS = ("items", "new", "learning", "due", "suspended")
NARROW = 56  # below this many columns `dlquiz decks` lists decks one under the other instead of a table
SETTING_HELP_ZH = {  # review/settings.py holds the English meaning; the Chinese one is the screen's
    "desired-retention": "希望答对的复习比例（FSRS）",
    "new-per-day": "每天引入的新卡片数",
    "reviews-per-day": "每天最多复习的卡片数",
    "learning-steps": "新卡片毕业前的学习步长",
    "relearning-steps": "遗忘的卡片重新学习的步长",
    "maximum-interval": "最长间隔（天）",
    "fuzz": "给到期日加一点随机，让一起学的卡片分开",
    "day-starts-at": "新的学习日从本地几点开始",
    "fsrs-parameters": "FSRS 模型参数：default（默认），或 dlquiz optimize 按你的复习记录拟合的 21 个数",
    "bury-siblings": "答完一张卡片后，把它的其他填空和反向卡片搁置到明天",
}


def say(key: str, lang: str, **values: object) -> str:
    chosen = say_text(UI[key], lang)
    return chosen.format(**values) if values else chosen


def say_text(versions: dict[str, str], lang: str) -> str:
    from dlquiz.text import pick

    return pick(versions, lang, separator=" / ")


class _Group(TyperGroup):
    """Turns our errors into one red line and an exit code, whichever command raised them."""

    def parse_args(self, ctx, args):
        ctx.meta.setdefault("dlquiz.args", list(args))  # the words as typed, for the language of an error
        return super().parse_args(ctx, args)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except DlquizError as error:
            print_error(error, _error_language(ctx.meta.get("dlquiz.args", [])))
            raise typer.Exit(error.exit_code) from None
        except KeyboardInterrupt:
            raise typer.Abort() from None
        except Exception as error:  # a bug of ours: still no traceback unless asked for
            # Typer's (and click's) own exceptions carry usage errors and exits: let them through.
            if os.environ.get("DLQUIZ_DEBUG") or type(error).__module__.startswith(("typer", "click")):
                raise
            if type(error).__module__ == "sqlite3":  # e.g. a damaged page met by a read: the store's own message
                import sqlite3

                from dlquiz import paths
                from dlquiz.review.store import explain

                assert isinstance(error, sqlite3.Error)
                explained = explain(paths.database_path(), error)
                print_error(explained)
                raise typer.Exit(explained.exit_code) from None
            print_error(
                DlquizError(
                    f"internal error: {type(error).__name__}: {error}",
                    "Nothing you saved was lost. Please report this; DLQUIZ_DEBUG=1 shows the traceback.",
                )
            )
            raise typer.Exit(70) from None


def _error_language(args: list[str]) -> str:
    """The language of an error message: the command's --lang when it is zh or en, else DLQUIZ_LANG or the locale
    (an error can come before --lang is read, or be about --lang itself)."""
    from dlquiz.text import locale_language

    chosen = os.environ.get("DLQUIZ_LANG", "")
    for index, arg in enumerate(args):
        if arg in ("--lang", "-l") and index + 1 < len(args):
            chosen = args[index + 1]
        elif arg.startswith("--lang="):
            chosen = arg.partition("=")[2]
    chosen = chosen.lower()
    return chosen if chosen in ("zh", "en") else locale_language()


def _typer(**kwargs) -> typer.Typer:
    return typer.Typer(
        cls=_Group,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
        **kwargs,
    )


app = _typer(
    name="dlquiz",
    help="Study deep learning in the terminal: flashcards scheduled by FSRS, and coding exercises graded against PyTorch.",
)
deck_app = _typer(help="Check deck files and show the deck format.")
app.add_typer(deck_app, name="deck")


def _version(value: bool) -> None:
    if value:
        from dlquiz import __version__

        echo(f"dlquiz {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Study deep learning in the terminal."""
    # Code cards name an exercise; deck validation (in cards/, which cannot import grading/) asks the catalog here.
    from dlquiz.cards.exercise_lookup import use_exercises
    from dlquiz.grading.catalog import CatalogExercises

    use_exercises(CatalogExercises())


@app.command()
def study(
    decks: List[str] = typer.Argument(None, help="Deck ids or .yaml paths (default: every deck)."),
    tag: List[str] = typer.Option([], "--tag", "-t", help="Only cards with this tag (repeatable)."),
    card_type: List[str] = typer.Option(
        [], "--type", help="Only cards of this type, e.g. code or cloze (repeatable; `dlquiz deck schema` lists them)."
    ),
    lang: Optional[str] = typer.Option(None, "--lang", "-l", help=LANG_HELP),
    limit: Optional[int] = typer.Option(None, "--limit", "-n", min=1, help="Stop after this many answers."),
) -> None:
    """Review the cards that are due, then new ones (keys: space reveal, 1-4 rate, u undo, q quit, ? help)."""
    from dlquiz import text
    from dlquiz.cli import keys as key_input
    from dlquiz.cards import library, types
    from dlquiz.grading.snippet import grade_code
    from dlquiz.review.session import StudySession
    from dlquiz.review.store import open_store
    from dlquiz.cli.study_screen import StudyScreen

    language = text.resolve_lang(lang)
    unknown = [name for name in card_type if not types.is_registered(name)]
    if unknown:
        known = ", ".join(types.names())
        raise DlquizError(
            f"no card type {unknown[0]!r}",
            f"Card types: {known}.",
            2,
            zh=(f"没有名为 {unknown[0]!r} 的卡片类型", f"卡片类型：{known}。"),
        )
    loaded = library.load(decks)
    console = make_console()
    _warn_broken(loaded, language)
    if not loaded.decks:
        raise DlquizError(
            "no deck could be loaded",
            "Run `dlquiz deck check FILE` to see what is wrong.",
            zh=("没有可以加载的卡组", "运行 `dlquiz deck check FILE` 查看问题在哪里。"),
        )
    items = [item for deck in loaded.decks for item in deck.items()]
    if tag:
        wanted = set(tag)
        items = [item for item in items if wanted & set(item.card.tags)]
        if not items:
            raise DlquizError(
                f"no card has the tag(s) {', '.join(tag)}",
                "`dlquiz decks --tags` lists the tags.",
                2,
                zh=(f"没有卡片带有标签 {'、'.join(tag)}", "`dlquiz decks --tags` 会列出所有标签。"),
            )
    if card_type:
        items = [item for item in items if item.card.type in card_type]
        if not items:
            raise DlquizError(
                f"no {' or '.join(card_type)} card in {'these decks' if decks else 'any deck'}"
                + (" with the tag(s) " + ", ".join(tag) if tag else ""),
                "Leave out --type, or pick another type.",
                2,
                zh=(
                    f"{'这些卡组' if decks else '所有卡组'}中"
                    + (f"带有标签 {'、'.join(tag)} 的卡片里" if tag else "")
                    + f"没有 {' 或 '.join(card_type)} 类型的卡片",
                    "去掉 --type，或换一种卡片类型。",
                ),
            )
    # Code cards are graded against PyTorch's references: compute the missing ones in the background now, so the
    # first code card does not wait for torch to load.
    from dlquiz.grading.refcache import warm_in_background

    warm_in_background(item.card.exercise for item in items if item.card.type == "code" and item.card.exercise)
    store = open_store()
    try:
        session = StudySession(store, items, language, limit=limit)
        StudyScreen(session, console, key_input.for_stdin(), language, grade_code=grade_code).run()
        _say_exercises_due(store, language, console)
    finally:
        store.close()


def _say_exercises_due(store, language: str, console, always: bool = False) -> None:
    """One line naming the most overdue exercise, when any is due (with ``always``, also "0")."""
    from dlquiz.review.overview import exercises_due
    from dlquiz.text import locale_language

    ui = language if language != "both" else locale_language()  # screen chrome in one language, as the study screen
    due = exercises_due(store)
    if due:
        console.print(say("exercises.due", ui, n=len(due), name=due[0].exercise), style="bold yellow", soft_wrap=True)
    elif always:
        console.print(say("exercises.none", ui), style="dim")


def _warn_broken(loaded, language: str) -> None:
    """One warning per deck problem, in ``language``, then how many deck files were skipped."""
    from dlquiz.text import INDENTED_LINE, Text

    if not loaded.problems:
        return
    count = len(loaded.broken)
    skipped = Text(
        zh=f"跳过了 {count} 个有问题的卡组；其他卡组照常可用。",
        en=f"skipped {count} broken deck(s); the others work as usual.",
    )
    warn(*(problem.show(language) for problem in loaded.problems), skipped.pick(language, INDENTED_LINE))


@app.command("decks")
def list_decks(
    lang: Optional[str] = typer.Option(None, "--lang", "-l", help=LANG_HELP),
    tags: bool = typer.Option(False, "--tags", help="Also list each deck's tags with card counts."),
) -> None:
    """List the decks with their new / learning / due counts, and how many exercises are due."""
    from dlquiz import text
    from dlquiz.cards import library
    from dlquiz.review.overview import deck_counts
    from dlquiz.review.store import open_store

    language = text.resolve_lang(lang)
    loaded = library.load()
    _warn_broken(loaded, language)
    store = open_store()
    try:
        rows = deck_counts(store, loaded.decks)
        console = make_console()
        _print_decks(rows, language, tags, console)
        _say_exercises_due(store, language, console, always=bool(rows))
    finally:
        store.close()
    if not rows:
        console.print(say("no.decks", language, folder=library.user_decks_dir()))


def _print_decks(rows, language: str, tags: bool, console) -> None:
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    from dlquiz import text

    table = Table(title=None, show_edge=False, pad_edge=False)
    for column in ("deck", "title", *COUNT_COLUMNS):
        # Headers and numbers never break mid-word: the title column gives up the room (and wraps) instead.
        table.add_column(
            say(f"col.{column}", language),
            justify="left" if column in ("deck", "title") else "right",
            overflow="fold",
            no_wrap=column not in ("deck", "title"),
            ratio=1 if column == "title" else None,
            min_width=12 if column == "title" else None,
        )
    for deck, counts in rows:
        table.add_row(
            deck.id,
            escape(text.pick(deck.title, language, separator=" / ")),  # deck text is never markup
            str(counts.items),
            str(counts.new),
            str(counts.learning),
            str(counts.due),
            str(counts.suspended),
        )
    if console.width >= NARROW:
        console.print(table)
    else:  # seven columns do not fit: one block per deck, the counts on one line
        for deck, counts in rows:
            console.print(Text.assemble((deck.id, "bold"), " · ", text.pick(deck.title, language, separator=" / ")))
            numbers = zip(
                COUNT_COLUMNS, (counts.items, counts.new, counts.learning, counts.due, counts.suspended), strict=False
            )
            console.print(
                "  " + " · ".join(f"{say('col.' + column, language)}\u00a0{value}" for column, value in numbers)
            )
    if rows:
        console.print(say("items.note", language), style="dim")
    if tags and rows:
        console.print(say("tags.title", language))
        for deck, counts in rows:
            listed = ", ".join(f"{name} ({count})" for name, count in sorted(counts.tags.items()))
            console.print(Text.assemble((deck.id, "bold"), f": {listed or '-'}"))


@deck_app.command("check")
def deck_check(
    paths: List[Path] = typer.Argument(..., help="Deck files to validate."),
    lang: Optional[str] = typer.Option(
        None, "--lang", "-l", help="Language of the problems: zh, en or both (default: from your locale)."
    ),
) -> None:
    """Validate deck files and report every problem as file:line: message."""
    from dlquiz.cards.deck import check_deck
    from dlquiz.text import INDENTED_LINE, Text, resolve_lang

    language = resolve_lang(lang)
    problems = []
    for path in paths:
        _deck, found = check_deck(path, portable=True)
        problems += found
    for problem in problems:
        echo(problem.show(language))
    if problems:
        count, files = len(problems), len({p.path for p in problems})
        summary = Text(zh=f"{files} 个文件中有 {count} 个问题", en=f"{count} problem(s) in {files} file(s)")
        echo(summary.pick(language, INDENTED_LINE), err=True)
        raise typer.Exit(1)
    valid = Text(zh=f"ok：{len(paths)} 个卡组都有效", en=f"ok: {len(paths)} deck(s) valid")
    echo(valid.pick(language, INDENTED_LINE))


@deck_app.command("schema")
def deck_schema() -> None:
    """Print the deck format as a JSON Schema."""
    from dlquiz.cards import schema
    from dlquiz.console import echo_json

    echo_json(schema.deck_schema())


@app.command()
def config(
    name: Optional[str] = typer.Argument(None, help="Setting to show or change."),
    value: Optional[List[str]] = typer.Argument(
        None, help="New value; several words are joined, so `learning-steps 1m 10m` needs no quotes."
    ),
    reset: bool = typer.Option(False, "--reset", help="Put the setting back to its default."),
    lang: Optional[str] = typer.Option(None, "--lang", "-l", help="Language: zh, en or both (default: your locale)."),
) -> None:
    """Show or change study settings (desired retention, daily limits, learning steps …)."""
    from rich.padding import Padding

    from dlquiz.review.settings import SETTINGS, StudySettings, parse_value
    from dlquiz.review.store import open_store
    from dlquiz.text import resolve_lang

    language = resolve_lang(lang)

    if name is not None and name not in SETTINGS:
        parse_value(name, "")  # raises the "unknown setting" error with the list
    store = open_store()
    try:
        if name is not None and reset:
            store.delete_setting(name)
        elif name is not None and value:
            joined = " ".join(" ".join(value).split())
            parse_value(name, joined)
            store.set_setting(name, joined)
        current = StudySettings(store.settings())
    finally:
        store.close()
    shown = [name] if name else list(SETTINGS)
    console = make_console()
    for key in shown:
        marker = "" if current.raw[key] == SETTINGS[key].default else "  " + say("changed", language)
        meaning = {"en": SETTINGS[key].help, "zh": SETTING_HELP_ZH.get(key, SETTINGS[key].help)}
        console.print(f"{key} = {current.raw[key]}{marker}", soft_wrap=True)
        # The meaning on its own indented line, wrapped to the terminal: it reads at 40 columns too.
        console.print(Padding("# " + say_text(meaning, language), (0, 0, 0, 4)), style="dim")
    if not name:
        console.print(say("config.footer", language), style="dim")


@app.command()
def unsuspend(
    decks: List[str] = typer.Argument(None, help="Deck ids (default: every deck)."),
) -> None:
    """Bring back every suspended card of the given decks."""
    from dlquiz.cards import library
    from dlquiz.review.repository import ProgressRepository
    from dlquiz.review.store import open_store

    loaded = library.load(decks)
    store = open_store()
    try:
        count = ProgressRepository(store).unsuspend_all([deck.id for deck in loaded.decks])
    finally:
        store.close()
    echo(f"{count} card(s) unsuspended")


# Each *_cli module adds its commands to the app defined above, so they are imported after it (hence E402); they
# import only typer at start-up (heavy work is imported lazily).
from dlquiz.cli import exercise as exercise_cli  # noqa: E402
from dlquiz.cli import optimize as optimize_cli  # noqa: E402
from dlquiz.cli import progress as progress_cli  # noqa: E402
from dlquiz.cli import stats as stats_cli  # noqa: E402
from dlquiz.cli import transfer as transfer_cli  # noqa: E402

for _module in (exercise_cli, stats_cli, transfer_cli, progress_cli, optimize_cli):
    _module.register(app)


def main() -> None:
    app(prog_name="dlquiz")


if __name__ == "__main__":  # pragma: no cover
    main()
