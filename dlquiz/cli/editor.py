"""Editing a piece of text in the learner's own editor ($VISUAL, else $EDITOR), e.g. a code card's multi-line fill."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from dlquiz.errors import DlquizError

NO_EDITOR_HINT = "Set one, e.g. `export EDITOR=nano` (or vim, code --wait), or type the fill on one line."


def editor_command() -> list[str]:
    """The editor to run, as a command line; DlquizError when neither $VISUAL nor $EDITOR is set."""
    command = (os.environ.get("VISUAL") or os.environ.get("EDITOR") or "").strip()
    if not command:
        raise DlquizError("no editor is set ($VISUAL and $EDITOR are empty)", NO_EDITOR_HINT)
    try:
        return shlex.split(command, posix=os.name == "posix")
    except ValueError as error:
        raise DlquizError(f"cannot read the editor command {command!r}: {error}", NO_EDITOR_HINT) from None


def edit_text(text: str, *, suffix: str = ".py", terminal: bool = True) -> str:
    """Open ``text`` in the editor and return it as saved. The file is temporary and removed afterwards.

    ``terminal``: the editor gets our terminal (a piped session keeps its input for its own lines instead).
    """
    command = editor_command()
    handle, name = tempfile.mkstemp(prefix="dlquiz-card-", suffix=suffix)
    path = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        try:
            completed = subprocess.run([*command, str(path)], stdin=None if terminal else subprocess.DEVNULL)
        except OSError as error:
            raise DlquizError(
                f"cannot start the editor {command[0]!r}: {error.strerror or error}", NO_EDITOR_HINT
            ) from None
        if completed.returncode != 0:
            raise DlquizError(
                f"the editor {command[0]!r} ended with status {completed.returncode}; nothing was submitted",
                "Save and quit the editor normally to submit the code.",
            )
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise DlquizError(f"cannot read the edited code back: {error}") from None
    finally:
        path.unlink(missing_ok=True)
