"""The terminal as every command uses it: the console factory, the yes/no prompt, warnings and error lines.

rich and typer are imported inside the functions: this module is imported by commands that must start fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from dlquiz.errors import DlquizError


def make_console(*, stderr: bool = False) -> Console:
    """A console on stdout, or on stderr for warnings and errors.

    rich itself honours NO_COLOR and drops colours and cursor moves when the stream is not a terminal (a pipe, a
    file, a test runner), so output stays plain text there. ``highlight=False``: rich would otherwise recolour the
    numbers and paths inside our sentences. Messages on stderr wrap softly so a long path stays one line to copy.
    """
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=stderr)


def confirm(question: str) -> bool:
    """Ask a yes/no question (default no). End of input, a closed stdin or Ctrl-C at the prompt count as "no", so
    a script or a pipe never answers yes by accident."""
    import typer

    try:
        return typer.confirm(question, default=False)
    except (typer.Abort, EOFError):
        typer.echo()
        return False


def warn(*messages: str) -> None:
    """One ``warning:`` line on stderr per message: something was skipped, the command still did its work."""
    from rich.markup import escape

    err = make_console(stderr=True)
    for message in messages:
        err.print(f"[yellow]warning:[/] {escape(message)}")


def print_error(error: DlquizError) -> None:
    """The one-line error on stderr (``dlquiz: what went wrong``), then what to do about it."""
    from rich.markup import escape

    err = make_console(stderr=True)
    err.print(f"[bold red]dlquiz:[/] {escape(error.message)}")
    if error.hint:
        err.print(f"  {escape(error.hint)}")
