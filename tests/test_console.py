"""The shared terminal helpers: plain text when not a terminal or with NO_COLOR, warnings and errors on stderr with
markup escaped, and a yes/no prompt where anything but yes (end of input included) is no."""

from __future__ import annotations

import io

import pytest
import typer
from typer.testing import CliRunner

from dlquiz.console import confirm, make_console, print_error, warn
from dlquiz.errors import DlquizError

runner = CliRunner()


def rendered(monkeypatch, **env: str) -> str:
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    stream = io.StringIO()
    monkeypatch.setattr("sys.stdout", stream)
    make_console().print("[red]error[/] at line 12 of /tmp/x.py", markup=True)  # our own markup asks for it
    return stream.getvalue()


def test_not_a_terminal_gives_plain_text(monkeypatch):
    assert rendered(monkeypatch) == "error at line 12 of /tmp/x.py\n"


def test_a_terminal_gets_colour_unless_no_color(monkeypatch):
    coloured = rendered(monkeypatch, FORCE_COLOR="1", TERM="xterm-256color")
    assert "\x1b[31m" in coloured
    assert "\x1b[1;36m12" not in coloured  # no highlighting of numbers inside our sentences
    assert "\x1b[31m" not in rendered(monkeypatch, FORCE_COLOR="1", TERM="xterm-256color", NO_COLOR="1")


def test_warn_and_print_error_go_to_stderr_with_markup_escaped(capsys):
    warn("deck [bold]x[/].yaml:3: bad", "skipped 1 broken deck(s)")
    print_error(DlquizError("cannot write /tmp/a [b]", "Check the folder is writable."))
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "warning: deck [bold]x[/].yaml:3: bad",
        "warning: skipped 1 broken deck(s)",
        "dlquiz: cannot write /tmp/a [b]",
        "  Check the folder is writable.",
    ]


def test_stderr_lines_are_not_wrapped(capsys):
    long_path = "/very/long/" + "folder/" * 40 + "deck.yaml"
    warn(f"{long_path}:1: bad")
    assert capsys.readouterr().err == f"warning: {long_path}:1: bad\n"


ask = typer.Typer()


@ask.command()
def _ask() -> None:
    typer.echo("answer: " + ("yes" if confirm("Delete it?") else "no"))


@pytest.mark.parametrize(
    "typed, answer",
    [("y\n", "yes"), ("yes\n", "yes"), ("n\n", "no"), ("\n", "no"), ("", "no"), ("maybe\ny\n", "yes")],
)
def test_confirm_defaults_to_no_and_end_of_input_is_no(typed, answer):
    result = runner.invoke(ask, [], input=typed)
    assert result.exit_code == 0, result.output
    assert "Delete it? [y/N]" in result.output
    assert result.output.rstrip().endswith(f"answer: {answer}")
