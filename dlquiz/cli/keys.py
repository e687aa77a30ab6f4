"""Reading the learner's keys: single key presses on a real terminal, one line per key when piped.

On a terminal, keys act without Enter (cbreak mode on POSIX, msvcrt on Windows). When stdin is not
a terminal, every line is one key or one answer, so a session can be scripted and tested.
"""

from __future__ import annotations

import os
import sys

from dlquiz.console import echo

ENTER, SPACE, ESCAPE = "enter", "space", "escape"


class Quit(Exception):
    """The learner closed the input (Ctrl-C, Ctrl-D / end of input)."""


class LineKeys:
    """Piped input: a line is one key (empty line = Enter) or one typed answer."""

    interactive = False

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stdin

    def _read(self) -> str:
        line = self.stream.readline()
        if line == "":
            raise Quit()
        return line.rstrip("\r\n")

    def key(self) -> str:
        line = self._read().strip()
        if line == "":
            return ENTER
        if line == " ":
            return SPACE
        return line

    def line(self, prompt: str = "") -> str:
        answer = self._read()
        # Echo what was read, so a piped session's transcript shows the answer after its prompt.
        echo(f"{prompt}{answer}")
        return answer


class TerminalKeys:
    """A real terminal: one key press at a time, typed answers with the terminal's own line editing."""

    interactive = True

    def key(self) -> str:
        try:
            char = _read_key()
        except KeyboardInterrupt:
            raise Quit() from None
        if char in ("\r", "\n"):
            return ENTER
        if char == " ":
            return SPACE
        if char in ("\x03", "\x04"):  # Ctrl-C, Ctrl-D
            raise Quit()
        if char == "\x1b":
            return ESCAPE
        return char

    def line(self, prompt: str = "") -> str:
        _enable_line_editing()
        try:
            # With readline loaded, input() edits by display width: backspace over 不知道 removes one wide
            # character (two columns) at a time. Cooked mode alone erases one column per character.
            return input(prompt)
        except (EOFError, KeyboardInterrupt):
            raise Quit() from None


def _enable_line_editing() -> None:
    """Load GNU readline (or libedit) once, so typed answers get real, width-aware line editing.

    Windows' console already edits lines by character; where no readline exists, cooked mode remains.
    """
    try:
        import readline  # noqa: F401  -- importing it is what hooks input()
    except ImportError:  # pragma: no cover - Windows, or a Python built without readline
        return


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only

    def _read_key() -> str:
        import msvcrt

        char = msvcrt.getwch()
        if char in ("\x00", "\xe0"):  # arrow and function keys come as two codes; ignore them
            msvcrt.getwch()
            return ""
        return char

else:

    def _read_key() -> str:
        import termios
        import tty

        fd = sys.stdin.fileno()
        saved = termios.tcgetattr(fd)
        try:
            tty.setcbreak(fd)  # keys without Enter; Ctrl-C still interrupts
            data = os.read(fd, 1)
            if data == b"\x1b":  # swallow the rest of an escape sequence (arrow keys …)
                import select

                while select.select([fd], [], [], 0.02)[0]:
                    os.read(fd, 16)
                return "\x1b"
            # A multi-byte UTF-8 character (e.g. from a Chinese input method) arrives in pieces.
            needed = {0xC0: 1, 0xE0: 2, 0xF0: 3}
            lead = data[0] if data else 0
            for mask, extra in sorted(needed.items(), reverse=True):
                if lead & mask == mask:
                    data += os.read(fd, extra)
                    break
            return data.decode("utf-8", errors="replace")
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def for_stdin():
    return TerminalKeys() if sys.stdin.isatty() else LineKeys()
