"""One error type for everything the user can cause; the CLI prints it as one line."""

from __future__ import annotations


class DlquizError(Exception):
    """A problem the user can fix. ``hint`` says what to do next. ``zh`` is the (message, hint) in Chinese for the
    errors learners meet most; the CLI shows it when --lang or the locale asks for Chinese, English otherwise."""

    def __init__(
        self, message: str, hint: str | None = None, exit_code: int = 1, zh: tuple[str, str | None] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.exit_code = exit_code
        self.zh = zh

    def in_language(self, lang: str) -> tuple[str, str | None]:
        """(message, hint) in ``lang``; English where no translation was given."""
        return self.zh if lang == "zh" and self.zh is not None else (self.message, self.hint)

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  {self.hint}"
