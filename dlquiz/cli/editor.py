"""Editing a piece of text in the learner's own editor ($VISUAL, else $EDITOR), e.g. a code card's multi-line fill."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from dlquiz.errors import DlquizError

NO_EDITOR_HINT = "Set one, e.g. `export EDITOR=nano` (or vim, code --wait), or type the fill on one line."
NO_EDITOR_HINT_ZH = "请设置一个编辑器，例如 `export EDITOR=nano`（或 vim、code --wait），或者把填空写在一行里。"


def editor_command() -> list[str]:
    """The editor to run, as a command line; DlquizError when neither $VISUAL nor $EDITOR is set."""
    command = (os.environ.get("VISUAL") or os.environ.get("EDITOR") or "").strip()
    if not command:
        raise DlquizError(
            "no editor is set ($VISUAL and $EDITOR are empty)",
            NO_EDITOR_HINT,
            zh=("没有设置编辑器（$VISUAL 和 $EDITOR 都为空）", NO_EDITOR_HINT_ZH),
        )
    try:
        return shlex.split(command, posix=os.name == "posix")
    except ValueError as error:
        raise DlquizError(
            f"cannot read the editor command {command!r}: {error}",
            NO_EDITOR_HINT,
            zh=(f"无法解析编辑器命令 {command!r}：{error}", NO_EDITOR_HINT_ZH),
        ) from None


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
            reason = error.strerror or str(error)
            raise DlquizError(
                f"cannot start the editor {command[0]!r}: {reason}",
                NO_EDITOR_HINT,
                zh=(f"无法启动编辑器 {command[0]!r}：{reason}", NO_EDITOR_HINT_ZH),
            ) from None
        if completed.returncode != 0:
            raise DlquizError(
                f"the editor {command[0]!r} ended with status {completed.returncode}; nothing was submitted",
                "Save and quit the editor normally to submit the code.",
                zh=(
                    f"编辑器 {command[0]!r} 以状态 {completed.returncode} 退出；没有提交任何内容",
                    "正常保存并退出编辑器即可提交代码。",
                ),
            )
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise DlquizError(
                f"cannot read the edited code back: {error}", zh=(f"无法读回编辑后的代码：{error}", None)
            ) from None
    finally:
        path.unlink(missing_ok=True)
