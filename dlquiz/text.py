"""Bilingual text: choosing the language, picking it out of a deck field, normalising typed answers."""

from __future__ import annotations

import locale
import os
import re
import unicodedata
from typing import Mapping, Union

from dlquiz.errors import DlquizError

LANGUAGES = ("zh", "en")
LANG_CHOICES = ("zh", "en", "both")

# A deck text field: a plain string, or {"zh": ..., "en": ...}.
Text = Union[str, Mapping[str, str]]


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
        raise DlquizError(f"unknown language {value!r}", "Use --lang zh, --lang en or --lang both.", exit_code=2)
    return value


def pick(text: Text | None, lang: str, separator: str = "\n\n") -> str:
    """The text to show for ``lang`` ('zh', 'en' or 'both'); falls back to whichever language exists."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    if lang == "both":
        parts = [text[code] for code in LANGUAGES if text.get(code)]
        unique = list(dict.fromkeys(parts))
        return separator.join(unique)
    if text.get(lang):
        return text[lang]
    for code in LANGUAGES:
        if text.get(code):
            return text[code]
    return ""


def map_text(text: Text, change) -> Text:
    """Apply ``change`` to every language version, keeping the field's form (string or mapping)."""
    if isinstance(text, str):
        return change(text)
    return {code: change(version) for code, version in text.items()}


def variants(text: Text | None) -> list[str]:
    """Every language version of a text (used to accept an answer typed in either language)."""
    if text is None:
        return []
    if isinstance(text, str):
        return [text]
    return [value for value in text.values() if value]


_SPACE = re.compile(r"\s+")
_PUNCT_EDGES = "。．.，,；;：:！!？?、"


def normalize_answer(answer: str) -> str:
    """Fold what should not make a typed answer wrong: case, runs of white space, full-width characters."""
    folded = unicodedata.normalize("NFKC", answer)  # full-width Ａ１（ → A1(
    folded = _SPACE.sub(" ", folded).strip().strip(_PUNCT_EDGES).strip()
    return folded.casefold()
