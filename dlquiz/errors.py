"""One error type for everything the user can cause; the CLI prints it as one line."""

from __future__ import annotations


class DlquizError(Exception):
    """A problem the user can fix. ``hint`` says what to do next."""

    def __init__(self, message: str, hint: str | None = None, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  {self.hint}"
