"""Deck text must not drive the terminal: no escape sequence, C1 control or rich markup from a deck (or an imported
CSV) reaches the learner's terminal, in any command, piped or in a real pseudo-terminal.

The regression decks in tests/data/terminal_decks/ put clear-screen, window-title, hyperlink, cursor-move, reset and
C1 sequences in every field, and markup such as ``[/bold]`` (which used to crash study, decks and stats).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dlquiz.cli.app import app
from dlquiz.console import make_console
from dlquiz.text import strip_controls
from recorded import recorded_answers

runner = CliRunner()
DECKS = Path(__file__).parent / "data" / "terminal_decks"
REPO = Path(__file__).resolve().parents[1]
# What a terminal would obey: ESC, every other C0 control but newline and tab, DEL and C1.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
PAYLOADS = ("PWNED-TITLE", "PWNED-EXTRA", "PWNED-CHOICE", "PWNED-C1")


def assert_no_controls(output: str) -> None:
    found = CONTROL.search(output)
    assert found is None, (
        f"control character {found.group()!r} in output: …{output[max(0, found.start() - 60) : found.end() + 60]!r}…"
    )


@pytest.fixture
def hostile_home(isolated_home: Path) -> Path:
    decks = isolated_home / "decks"
    decks.mkdir(parents=True)
    for name in ("escapes.yaml", "markup.yaml", "broken.yaml"):
        shutil.copy(DECKS / name, decks / name)
    return isolated_home


def invoke(*args: str, input: str = ""):
    result = runner.invoke(app, list(args), input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert_no_controls(result.output)
    assert "internal error" not in result.output
    return result


def test_strip_controls_keeps_text_newlines_and_tabs():
    assert strip_controls("a\x1b[2Jb\x9b6n\tc\nd\x07\x08\r\x7f") == "a[2Jb6n\tc\nd"
    assert strip_controls("学习率 η = 0.1") == "学习率 η = 0.1"


def test_the_console_removes_controls_and_links_but_keeps_its_own_styles(monkeypatch):
    import io

    from rich.markdown import Markdown
    from rich.panel import Panel
    from rich.text import Text

    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("NO_COLOR", raising=False)
    stream = io.StringIO()
    monkeypatch.setattr("sys.stdout", stream)
    console = make_console(width=40)
    console.print(Panel(Markdown("see [here](http://evil.example/) \x1b]0;PWNED-TITLE\x07 now"), title=Text("t\x9b2J")))
    console.print("[/bold] stays [reverse]text")
    console.print(Text("ours", style="bold red"))
    out = stream.getvalue()
    assert "\x1b[1;31mours" in out  # rich's own colours still work on a terminal
    assert "\x1b]" not in out and "\x9b" not in out and "\x07" not in out  # no OSC (title, hyperlink), no C1
    assert "]0;PWNED-TITLE" in out  # the deck's text is shown, defused
    assert "[/bold] stays [reverse]text" in out  # markup in a plain string is text
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in out.splitlines()[:3]]
    assert len({len(line) for line in lines}) == 1, lines  # the panel's borders stay aligned


def test_study_piped_shows_every_card_without_escapes(hostile_home):
    # basic: reveal, Good; cloze: reveal, Good; choice: 1, accept; typed: 0, accept; numeric: wrong, accept
    result = invoke("study", "escapes", "--lang", "zh", input="\n3\n\n3\n1\n\n0\n\n-1\n\nq\n")
    assert result.exit_code == 0
    out = result.output
    assert "[2J清屏" in out and "]0;PWNED-EXTRA" in out and "wrong0;PWNED-C1" in out
    assert "#tag[5;5Hmoved" in out
    assert len(recorded_answers(hostile_home)) == 5


def test_markup_in_titles_tags_and_options_is_text(hostile_home):
    result = invoke("study", "markup", "--lang", "en", input="\n3\n1\n\nq\n")
    assert result.exit_code == 0
    assert "#[/bold] #[reverse]inverse #[link=http://evil.example/]l" in result.output
    assert "Front with [bold]tags[/bold] and [/] stray" in result.output
    assert "1. [bold]right[/]" in result.output or "2. [bold]right[/]" in result.output
    decks = invoke("decks", "--tags")
    assert decks.exit_code == 0
    assert "[/bold] x" in decks.output and "[reverse]inverse (1)" in decks.output
    assert "broken.yaml" in decks.output  # the broken deck is named, the others listed


@pytest.mark.parametrize(
    "args", [["decks", "--tags"], ["stats"], ["stats", "--json"], ["doctor"], ["stats", "escapes"], ["exercise"]]
)
def test_listing_commands_never_send_escapes(hostile_home, args):
    result = invoke(*args, "--lang", "en") if args[0] != "doctor" else invoke(*args)
    assert result.exit_code in (0, 1)


def test_stats_json_escapes_c1_and_stays_valid(hostile_home):
    import json

    invoke("study", "escapes", "--lang", "en", input="\n3\nq\n")
    result = invoke("stats", "--json", "--lang", "en")
    figures = json.loads(result.stdout)
    assert any("tag\x1b[5;5Hmoved" == tag for tag in figures["by_tag"])  # the data is exact, only escaped


def test_deck_check_reports_hostile_values_without_escapes():
    result = invoke("deck", "check", str(DECKS / "broken.yaml"), str(DECKS / "escapes.yaml"))
    assert result.exit_code == 1
    assert "broken.yaml:8:" in result.output and "broken.yaml:11:" in result.output


def test_a_deck_file_name_with_escapes_is_named_safely(isolated_home):
    decks = isolated_home / "decks"
    decks.mkdir(parents=True)
    (decks / "evil\x1b]0;PWNED-TITLE\x07.yaml").write_text("format: 1\nid: [\n", encoding="utf-8")
    shutil.copy(DECKS / "markup.yaml", decks / "markup.yaml")
    for args in (["decks"], ["stats"], ["doctor"], ["study", "--lang", "en"]):
        result = invoke(*args, input="q\n")
        assert "]0;PWNED-TITLE" in result.output, args  # named, defused


def test_export_escapes_the_deck_name_as_html(hostile_home, tmp_path):
    target = tmp_path / "new" / "folder" / "out.apkg"  # missing folders are created
    result = invoke("export", "anki", "escapes", "markup", "-o", str(target), "--lang", "en")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(target) as package:
        package.extract("collection.anki2", tmp_path)
    decks = sqlite3.connect(tmp_path / "collection.anki2").execute("SELECT decks FROM col").fetchone()[0]
    import json

    names = {deck["name"] for deck in json.loads(decks).values()}
    assert "Escapes]0;PWNED-TITLE deck" in names  # controls removed from the name Anki shows


def test_export_html_escapes_a_title_with_tags(isolated_home, tmp_path):
    deck = tmp_path / "html.yaml"
    deck.write_text(
        'format: 1\nid: html\ntitle: "<img src=x onerror=alert(1)> & co"\n'
        "cards:\n  - {id: a, type: basic, front: x, back: y}\n",
        encoding="utf-8",
    )
    target = tmp_path / "html.apkg"
    assert invoke("export", "anki", str(deck), "-o", str(target)).exit_code == 0
    with zipfile.ZipFile(target) as package:
        package.extract("collection.anki2", tmp_path)
    decks = sqlite3.connect(tmp_path / "collection.anki2").execute("SELECT decks FROM col").fetchone()[0]
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; co" in decks and "<img" not in decks


def test_import_csv_with_escapes_then_study_it(isolated_home, tmp_path):
    target = tmp_path / "imported.yaml"
    result = invoke("import", str(DECKS / "escapes.csv"), "-o", str(target))
    assert result.exit_code == 0
    study = invoke("study", str(target), "--lang", "en", input="\n3\n\n3\nq\n")
    assert study.exit_code == 0
    assert "Q ]0;PWNED-CSV one" in study.output
    assert "Q two [/bold]" in study.output


# --- a real terminal ------------------------------------------------------------------------------------------------


def test_study_in_a_pseudo_terminal_obeys_no_deck_sequence(hostile_home):
    pexpect = pytest.importorskip("pexpect")
    pyte = pytest.importorskip("pyte")
    env = {
        **os.environ,
        "DLQUIZ_HOME": str(hostile_home),
        "PYTHONPATH": str(REPO),
        "LANG": "en_US.UTF-8",
        "TERM": "xterm-256color",
        "COLUMNS": "80",
    }
    child = pexpect.spawn(
        sys.executable, ["-m", "dlquiz", "study", "escapes", "--lang", "en"], env=env, dimensions=(40, 80), timeout=30
    )
    raw = b""
    screen = pyte.Screen(80, 40)
    stream = pyte.ByteStream(screen)

    def until(text: bytes) -> None:
        nonlocal raw
        child.expect(re.escape(text))
        raw += child.before + child.after
        stream.feed(child.before + child.after)

    until(b"show answer")
    child.send(" ")
    until(b"Easy")
    child.send("3")
    until(b"show answer")  # the cloze card
    child.send(" ")
    until(b"Easy")
    child.send("3")
    until(b"press the number")  # the choice card
    child.send("q")
    child.expect(pexpect.EOF)
    raw += child.before
    stream.feed(child.before)
    child.close()
    assert child.exitstatus == 0
    for sequence in (
        b"\x1b]",
        b"\x9b",
        b"\xc2\x9b",
        b"\xc2\x9d",
        b"\xc2\x85",
        b"\x1bc",
        b"\x1b[5;5H",
        b"\x1b[1A",
        b"\x07",
        b"\x08",
        b"\x1b[31m**",
    ):
        assert sequence not in raw, sequence
    assert screen.title == "" and screen.icon_name == ""  # no window title was set
    shown = "\n".join(screen.display)
    assert "]0;PWNED-TITLE" not in shown  # the deck title is not on the study screen; the question is:
    assert "Pick ]2;PWNED-CHOICE one" in shown
