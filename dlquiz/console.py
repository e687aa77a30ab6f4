"""The terminal as every command uses it: the console factory, the yes/no prompt, warnings, error lines, and
``echo``/``echo_json`` for plain lines.

Deck text is shared and untrusted, so this module is the one gate between it and the terminal:
- every console made here removes control characters (ESC, C1, BEL, CR …) from the text it writes and drops
  hyperlinks, just before the bytes leave, whatever renderable carried them (a Markdown body, a table cell, a panel
  title). rich's own colour and cursor codes are separate control segments and pass; deck text can never add one;
- consoles do not parse markup (``markup=False``): a string such as ``[/bold] x`` or ``[link=…]`` is shown as typed
  in prints, table cells and rules. Our own styles use ``rich.text.Text`` or an explicit ``markup=True``.
  (rich always parses a ``Panel`` title given as ``str``: give it a ``Text``.)
- nothing in dlquiz writes to stdout or stderr another way (``tests/test_output_gate.py`` checks it).

rich and typer are imported inside the functions: this module is imported by commands that must start fast.
"""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any

from dlquiz.text import strip_controls

if TYPE_CHECKING:
    from rich.console import Console

    from dlquiz.errors import DlquizError


@functools.lru_cache(maxsize=1)
def _safe_console_class() -> type[Console]:
    from rich.console import Console
    from rich.segment import Segment

    from dlquiz import linebreak

    linebreak.install()

    class SafeConsole(Console):
        """A rich Console that cannot be driven by the text it shows (see the module's docstring)."""

        def _render_buffer(self, buffer: Any) -> str:
            # rich measures control characters as zero cells wide, so removing them here keeps every border aligned.
            safe = (
                segment
                if segment.control
                else Segment(
                    strip_controls(segment.text),
                    segment.style.update_link(None) if segment.style and segment.style.link else segment.style,
                )
                for segment in buffer
            )
            return super()._render_buffer(safe)

    return SafeConsole


def make_console(*, stderr: bool = False, width: int | None = None) -> Console:
    """A console on stdout, or on stderr for warnings and errors.

    rich itself honours NO_COLOR and drops colours and cursor moves when the stream is not a terminal (a pipe, a
    file, a test runner), so output stays plain text there. ``highlight=False``: rich would otherwise recolour the
    numbers and paths inside our sentences. Messages on stderr wrap softly so a long path stays one line to copy.
    """
    return _safe_console_class()(stderr=stderr, highlight=False, soft_wrap=stderr, markup=False, width=width)


def echo(message: str = "", *, err: bool = False) -> None:
    """One plain line (or several) on stdout or stderr, never wrapped: ``file:line: message`` stays greppable."""
    make_console(stderr=err).print(message, soft_wrap=True)


def echo_json(data: Any) -> None:
    """``data`` as indented JSON on stdout. json escapes C0 controls itself; DEL and C1 are escaped here too, so a
    deck's text cannot reach the terminal raw through ``--json`` (the JSON stays valid and means the same)."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    escaped = "".join(f"\\u{ord(char):04x}" if 0x7F <= ord(char) < 0xA0 else char for char in text)
    make_console().out(escaped, highlight=False)


def confirm(question: str) -> bool:
    """Ask a yes/no question (default no). End of input, a closed stdin or Ctrl-C at the prompt count as "no", so
    a script or a pipe never answers yes by accident."""
    import typer

    try:
        return typer.confirm(strip_controls(question), default=False)
    except (typer.Abort, EOFError):
        echo()
        return False


def warn(*messages: str) -> None:
    """One ``warning:`` line on stderr per message: something was skipped, the command still did its work."""
    from rich.text import Text

    err = make_console(stderr=True)
    for message in messages:
        err.print(Text.assemble(("warning:", "yellow"), " ", message))


def print_error(error: DlquizError, lang: str = "en") -> None:
    """The one-line error on stderr (``dlquiz: what went wrong``), then what to do about it, in ``lang`` where the
    error has that language (English otherwise)."""
    from rich.text import Text

    message, hint = error.in_language(lang)
    err = make_console(stderr=True)
    err.print(Text.assemble(("dlquiz:", "bold red"), " ", message))
    if hint:
        err.print(Text("  " + hint))
