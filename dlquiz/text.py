"""Bilingual text: choosing the language, ``Text`` (one text in zh and en) and picking from it, normalising answers."""

from __future__ import annotations

import locale
import os
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Mapping, Union

from dlquiz.errors import DlquizError

LANGUAGES = ("zh", "en")
LANG_CHOICES = ("zh", "en", "both")
# How a message is shown with --lang both: the Chinese line, then the English one indented under it (as print_error
# shows an error's hint under it).
INDENTED_LINE = "\n  "

# A text as a YAML file or a table holds it: a plain string (the same in every language), or {"zh": ..., "en": ...}.
RawText = Union[str, Mapping[str, str]]


@dataclass(frozen=True)
class Text:
    """One text in Chinese and English, and the one way to pick the language to show.

    A plain string is the same text in every language, so it is stored in both; ``pick`` never shows it twice.
    """

    zh: str = ""
    en: str = ""

    @classmethod
    def of(cls, value: Text | RawText | float | None) -> Text:
        """The Text of a field: a string or number (every language), a {zh, en} mapping, or None (empty)."""
        if isinstance(value, Text):
            return value
        if value is None:
            return cls()
        if isinstance(value, Mapping):  # keys other than zh/en are never shown
            return cls(**{code: str(value[code]) for code in LANGUAGES if value.get(code) not in (None, "")})
        return cls(str(value), str(value))

    def version(self, code: str) -> str:
        """The text in one language ('zh' or 'en'); '' when it has none."""
        return {"zh": self.zh, "en": self.en}.get(code, "")

    def versions(self) -> list[str]:
        """The distinct non-empty versions, Chinese first (e.g. every answer a learner may type)."""
        return list(dict.fromkeys(version for version in (self.zh, self.en) if version))

    def pick(self, lang: str, separator: str = "\n\n") -> str:
        """The text to show for ``lang`` ('zh', 'en' or 'both'); falls back to whichever language exists."""
        if lang == "both":
            return separator.join(self.versions())
        return self.version(lang) or next(iter(self.versions()), "")

    def map(self, change: Callable[[str], str]) -> Text:
        """Apply ``change`` to every version (hide a cloze, fill in numbers, Markdown → HTML)."""
        return Text(change(self.zh) if self.zh else "", change(self.en) if self.en else "")

    def __bool__(self) -> bool:
        return bool(self.zh or self.en)


def pick(text: Text | RawText | None, lang: str, separator: str = "\n\n") -> str:
    """``Text.of(text).pick(lang, separator)``, for code that holds a raw mapping (a screen's own labels)."""
    return Text.of(text).pick(lang, separator)


def locale_language() -> str:
    """'zh' when the user's locale is Chinese, else 'en'."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(variable)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    try:
        name = locale.getlocale()[0] or ""
    except ValueError:
        name = ""
    return "zh" if name.lower().startswith(("zh", "chinese")) else "en"


def resolve_lang(option: str | None) -> str:
    """The --lang option, else DLQUIZ_LANG, else the locale."""
    value = (option or os.environ.get("DLQUIZ_LANG") or locale_language()).lower()
    if value not in LANG_CHOICES:
        raise DlquizError(
            f"unknown language {value!r}",
            "Use --lang zh, --lang en or --lang both.",
            exit_code=2,
            zh=(f"未知的语言 {value!r}", "请用 --lang zh、--lang en 或 --lang both。"),
        )
    return value


_SPACE = re.compile(r"\s+")
_PUNCT_EDGES = "。．.，,；;：:！!？?、"


def normalize_answer(answer: str) -> str:
    """Fold what should not make a typed answer wrong: case, runs of white space, full-width characters."""
    folded = unicodedata.normalize("NFKC", answer)  # full-width Ａ１（ → A1(
    folded = _SPACE.sub(" ", folded).strip().strip(_PUNCT_EDGES).strip()
    return folded.casefold()


# Characters a terminal may act on instead of showing: C0 controls except tab and newline (ESC starts every escape
# sequence, BEL ends OSC titles, CR and BS overwrite text), DEL and the C1 controls (U+009B is a one-character CSI).
# Removing ESC and C1 is enough to defuse every sequence: what follows them ("[2J", "]0;title") is plain text then.
_TERMINAL_CONTROLS = {code: None for code in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))}


def strip_controls(text: str) -> str:
    """``text`` without the characters a terminal would obey (ESC, C1, BEL, CR …); newline and tab are kept."""
    return text.translate(_TERMINAL_CONTROLS)
