"""`dlquiz export anki` and `dlquiz import`: decks to an Anki package, and a CSV/TSV/Anki text file to a deck.

It parses and renders; the work is in ``dlquiz.interop.anki_export`` and ``dlquiz.interop.deck_import``. Imported when the CLI starts,
so only typer is imported at module level (genanki and the csv machinery load when a command runs).
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from dlquiz.console import echo, warn
from dlquiz.errors import DlquizError

EXPORT_HELP = "Write decks to other formats."
ANKI_HELP = (
    "Write decks as an Anki package (.apkg). Each card keeps the same Anki note across exports, so importing a new "
    "export into Anki updates the notes instead of adding copies."
)
IMPORT_HELP = (
    "Turn a CSV, a TSV or an Anki 'Notes in Plain Text' export into a YAML deck: one card per row "
    "(front, back, optional tags; a header row may name the columns). Empty and duplicate rows are skipped."
)


def export_anki(
    decks: List[str] = typer.Argument(None, help="Deck ids or .yaml paths (default: every deck)."),
    output: Path = typer.Option(..., "--output", "-o", help="The .apkg file to write (replaced if it exists)."),
    lang: Optional[str] = typer.Option(
        None, "--lang", "-l", help="Language of the fields: zh, en or both (default: from your locale)."
    ),
) -> None:
    from dlquiz import text
    from dlquiz.cards import library
    from dlquiz.interop.anki_export import export_anki as write_package

    language = text.resolve_lang(lang)
    if output.suffix.lower() != ".apkg":
        raise DlquizError(f"{output} does not end in .apkg", "Anki imports packages named FILE.apkg.", exit_code=2)
    loaded = library.load(decks or None)
    count = len(loaded.broken)
    if loaded.problems and decks:  # a deck asked for by name is not silently left out
        listed = "\n".join(problem.show("en") for problem in loaded.problems)
        listed_zh = "\n".join(problem.show("zh") for problem in loaded.problems)
        raise DlquizError(
            f"cannot export: {count} deck(s) failed to load:\n{listed}",
            "Fix them (`dlquiz deck check FILE`), or leave them out.",
            zh=(
                f"无法导出：{count} 个卡组加载失败：\n{listed_zh}",
                "请先修好它们（`dlquiz deck check FILE`），或者不导出它们。",
            ),
        )
    if loaded.problems:
        skipped = text.Text(
            zh=f"跳过了 {count} 个有问题的卡组；其他卡组已导出。",
            en=f"skipped {count} broken deck(s); the others were exported.",
        )
        shown_skipped = [skipped.pick(language, text.INDENTED_LINE)] if loaded.broken else []
        warn(*(problem.show(language) for problem in loaded.problems), *shown_skipped)
    result = write_package(loaded.decks, output, language)
    echo(
        f"Wrote {result.path}: {result.notes} notes ({result.cards} cards) from {result.decks} deck(s), "
        f"language: {language}."
    )
    echo("In Anki: File → Import. Importing a later export updates these notes instead of duplicating them.")


def import_file(
    source: Path = typer.Argument(..., help="A .csv, .tsv or .txt file (Anki: File → Export → Notes in Plain Text)."),
    output: Path = typer.Option(..., "--output", "-o", help="The deck file to write (.yaml)."),
    deck_id: Optional[str] = typer.Option(None, "--id", help="The deck's id (default: from the output file name)."),
    title: Optional[str] = typer.Option(None, "--title", help="The deck's title (default: the output file name)."),
    force: bool = typer.Option(False, "--force", help="Replace the output file if it exists."),
) -> None:
    from dlquiz.interop.deck_import import import_deck
    from dlquiz.cards.library import user_decks_dir

    if output.suffix.lower() not in (".yaml", ".yml"):
        raise DlquizError(f"{output} does not end in .yaml", "Decks are YAML files, e.g. -o my-deck.yaml.", exit_code=2)
    result = import_deck(source, output, deck_id=deck_id, title=title, force=force)
    for skipped in result.skipped:
        echo(str(skipped))
    for notice in result.notices:
        echo(notice)
    cloze = f", {result.cloze} of them cloze" if result.cloze else ""
    echo(
        f"Wrote {result.target}: deck {result.deck_id!r}, {result.cards} card(s){cloze}; "
        f"{len(result.skipped)} row(s) skipped."
    )
    echo(f"Study it with `dlquiz study {result.target}`, or move it into {user_decks_dir()} to use it by name.")


def register(app: typer.Typer) -> None:
    """Add `export anki` and `import` to ``app`` (once, however often it is called)."""
    if any(info.name == "export" for info in app.registered_groups):
        return
    export_app = typer.Typer(
        help=EXPORT_HELP, no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]}
    )
    export_app.command("anki", help=ANKI_HELP)(export_anki)
    app.add_typer(export_app, name="export")
    app.command("import", help=IMPORT_HELP)(import_file)
