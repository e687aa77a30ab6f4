"""Decks: YAML files of cards. Loading validates everything and reports every problem as ``file:line: message``.

The deck checks what every card shares (id, type, tags, exercise, extra, source); each card's type, found in the
registry (``dlquiz.cards.types``), checks the rest and says which review items the card gives.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlquiz.cards import types
from dlquiz.cards.card import Card, ReviewItem
from dlquiz.cards.fields import check_text, text_problem
from dlquiz.cards.yamlload import LineDict, LineList, YamlProblem, load_with_lines
from dlquiz.errors import DlquizError

FORMAT_VERSION = 1
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
MAX_ID_LENGTH = 100  # deck, card and exercise ids: they name progress rows and are shown in every table
DECK_FIELDS = {"format", "id", "title", "description", "cards"}
COMMON_CARD_FIELDS = {"id", "type", "tags", "exercise", "extra", "source"}


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line > 0 else f"{self.path}: {self.message}"


@dataclass
class Deck:
    id: str
    title: Any  # as written: a string or {zh: …, en: …}; Text.of(title) shows it
    path: Path
    description: Any = None
    cards: list[Card] = field(default_factory=list)

    def items(self) -> list[ReviewItem]:
        return [item for card in self.cards for item in types.review_items(card)]


class DeckError(DlquizError):
    """A deck failed validation; ``problems`` holds every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        lines = "\n".join(str(problem) for problem in problems)
        super().__init__(
            f"{len(problems)} problem(s) in deck(s):\n{lines}",
            "Fix the lines above; `dlquiz deck check FILE` re-checks, `dlquiz deck schema` shows the format.",
        )
        self.problems = problems


class _Collector:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def add(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))


def _unknown_fields(mapping: LineDict, allowed: set[str], where: str, report: _Collector) -> None:
    for key in mapping:
        if key not in allowed:
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            suggestion = f" (did you mean {close[0]!r}?)" if close else f" (allowed: {', '.join(sorted(allowed))})"
            report.add(mapping.line_of(key), f"unknown field {key!r} in {where}{suggestion}")


def _check_id(value: Any, line: int, what: str, report: _Collector) -> str | None:
    if isinstance(value, str) and len(value) > MAX_ID_LENGTH:
        too_long = f"{what} is {len(value):,} characters long; an id may have at most {MAX_ID_LENGTH} (the limit)"
        report.add(line, too_long)
        return None
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        report.add(
            line,
            f"{what} must be lower-case letters, digits, '-' or '_' (starting with a letter or digit), got {value!r}",
        )
        return None
    return value


def parse_deck(data: Any, path: Path) -> tuple[Deck | None, list[Problem]]:
    """Validate parsed YAML; return the deck (None when unusable) and every problem found."""
    report = _Collector(path)
    if not isinstance(data, LineDict):
        report.add(1, "a deck must be a mapping with id, title and cards")
        return None, report.problems
    _unknown_fields(data, DECK_FIELDS, "the deck", report)
    version = data.get("format", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        report.add(
            data.line_of("format"), f"unsupported deck format {version!r}; this dlquiz reads format {FORMAT_VERSION}"
        )
    deck_id = _check_id(data.get("id"), data.line_of("id"), "the deck id", report) if "id" in data else None
    if "id" not in data:
        report.add(data.line, "the deck has no id")
    if "title" not in data:
        report.add(data.line, "the deck has no title")
    else:
        check_text(data["title"], data.line_of("title"), "title", report.add)
    if "description" in data:
        check_text(data["description"], data.line_of("description"), "description", report.add)
    cards_data = data.get("cards")
    if not isinstance(cards_data, LineList) or not cards_data:
        report.add(data.line_of("cards"), "the deck needs a non-empty list 'cards'")
        cards_data = LineList()
    deck = Deck(id=deck_id or "?", title=data.get("title"), path=path, description=data.get("description"))
    seen: dict[str, int] = {}
    for index, raw in enumerate(cards_data):
        line = cards_data.item_lines[index]
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        if isinstance(raw_id, str) and raw_id in seen:
            report.add(
                line, f"duplicate card id {raw_id!r} (first on line {seen[raw_id]}); ids must be unique in a deck"
            )
        elif isinstance(raw_id, str):
            seen[raw_id] = line
        card = _parse_card(raw, line, deck.id, report)
        if card is not None:
            deck.cards.append(card)
    if report.problems:
        return None, report.problems
    return deck, []


def _parse_card(raw: Any, line: int, deck_id: str, report: _Collector) -> Card | None:
    if not isinstance(raw, LineDict):
        report.add(line, "each card must be a mapping with at least id and type")
        return None
    before = len(report.problems)
    card_id = _check_id(raw.get("id"), raw.line_of("id"), "a card id", report) if "id" in raw else None
    if "id" not in raw:
        report.add(raw.line, "this card has no id (every card needs an explicit, stable id)")
    kind = raw.get("type")
    label = f"card {card_id!r}" if card_id else "this card"
    if not types.is_registered(kind):
        known = ", ".join(types.names())
        report.add(raw.line_of("type"), f"{label}: unknown card type {kind!r} (known: {known})")
        return None
    card_type = types.card_type(kind)
    _unknown_fields(raw, COMMON_CARD_FIELDS | card_type.fields, f"a {kind} card", report)
    tags = raw.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(tag, str) and tag.strip() for tag in tags):
        report.add(raw.line_of("tags"), f"{label}: tags must be a list of words")
        tags = []
    elif any(len(tag) > MAX_ID_LENGTH for tag in tags):
        report.add(raw.line_of("tags"), f"{label}: a tag may have at most {MAX_ID_LENGTH} characters (the limit)")
        tags = []
    exercise = raw.get("exercise")
    if exercise is not None:
        _check_id(exercise, raw.line_of("exercise"), f"{label}: exercise", report)
    if "extra" in raw:
        check_text(raw["extra"], raw.line_of("extra"), f"{label}: extra", report.add)
    if "source" in raw and (not isinstance(raw["source"], str) or text_problem(raw["source"])):
        report.add(raw.line_of("source"), f"{label}: source {text_problem(raw['source']) or 'must be text'}")
    card_type.validate(raw, label, report.add)
    if len(report.problems) > before or card_id is None:
        return None
    return Card(
        deck_id=deck_id,
        id=card_id,
        type=card_type.name,
        line=raw.line,
        fields=dict(raw),
        tags=tuple(tag.strip() for tag in tags),
        exercise=exercise,
    )


def load_deck(path: Path) -> Deck:
    """Load and validate one deck file; raise DeckError listing every problem."""
    deck, problems = check_deck(path)
    if deck is None:
        raise DeckError(problems)
    return deck


def check_deck(path: Path, portable: bool = False, content: bytes | None = None) -> tuple[Deck | None, list[Problem]]:
    """Validate one deck file (or its ``content``, already read); ``portable`` also rejects YAML that only libyaml
    can read (for authors)."""
    if content is None and not path.is_file():
        return None, [Problem(path, 0, "no such deck file")]
    try:
        data = load_with_lines(path, portable=portable, content=content)
    except YamlProblem as problem:
        return None, [Problem(path, problem.line, problem.message)]
    except OSError as error:
        return None, [Problem(path, 0, f"cannot read the file: {error.strerror}")]
    return parse_deck(data, path)
