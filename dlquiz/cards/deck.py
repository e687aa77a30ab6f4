"""Decks: YAML files of cards. Loading validates everything and reports every problem as ``file:line: message``.

The deck checks what every card shares (id, type, tags, exercise, extra, source); each card's type, found in the
registry (``dlquiz.cards.types``), checks the rest and says which review items the card gives. Every problem is said
in English and in Chinese; the command line shows the reader's language (``Problem.show``).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlquiz.cards import types
from dlquiz.cards.card import Card, ReviewItem
from dlquiz.cards.fields import MUST_BE_TEXT, check_text, field_of, phrase, text_problem
from dlquiz.cards.yamlload import LineDict, LineList, YamlProblem, load_with_lines
from dlquiz.errors import DlquizError
from dlquiz.text import INDENTED_LINE, Text

FORMAT_VERSION = 1
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
MAX_ID_LENGTH = 100  # deck, card and exercise ids: they name progress rows and are shown in every table
DECK_FIELDS = {"format", "id", "title", "description", "cards"}
COMMON_CARD_FIELDS = {"id", "type", "tags", "exercise", "extra", "source"}


@dataclass(frozen=True)
class Problem:
    """One problem of a deck file at ``line`` (0: the whole file), in English (``message``) and Chinese."""

    path: Path
    line: int
    message: str
    message_zh: str

    def show(self, lang: str) -> str:
        """``path:line: message`` in ``lang`` ('zh', 'en' or 'both': the Chinese line, the English one under it)."""
        where = f"{self.path}:{self.line}: " if self.line > 0 else f"{self.path}: "
        return where + Text(zh=self.message_zh, en=self.message).pick(lang, separator=INDENTED_LINE)

    def __str__(self) -> str:
        return self.show("en")


def card_label(card_id: str | None) -> Text:
    """How problems name a card: by its id when it has a valid one."""
    return Text(zh=f"卡片 {card_id!r}", en=f"card {card_id!r}") if card_id else Text(zh="这张卡片", en="this card")


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
        lines = "\n".join(problem.show("en") for problem in problems)
        lines_zh = "\n".join(problem.show("zh") for problem in problems)
        super().__init__(
            f"{len(problems)} problem(s) in deck(s):\n{lines}",
            "Fix the lines above; `dlquiz deck check FILE` re-checks, `dlquiz deck schema` shows the format.",
            zh=(
                f"卡组中有 {len(problems)} 个问题：\n{lines_zh}",
                "请修改上面这些行；`dlquiz deck check FILE` 会重新检查，`dlquiz deck schema` 会显示卡组格式。",
            ),
        )
        self.problems = problems


class _Collector:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def add(self, line: int, message: str, message_zh: str) -> None:
        self.problems.append(Problem(self.path, line, message, message_zh))

    def say(self, line: int, said: Text) -> None:
        self.add(line, said.en, said.zh)


def _unknown_fields(mapping: LineDict, allowed: set[str], where: Text, report: _Collector) -> None:
    for key in mapping:
        if key not in allowed:
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            listed = ", ".join(sorted(allowed))
            suggestion = (
                Text(zh=f"（是不是想写 {close[0]!r}？）", en=f" (did you mean {close[0]!r}?)")
                if close
                else Text(zh=f"（可用的字段：{listed}）", en=f" (allowed: {listed})")
            )
            report.add(
                mapping.line_of(key),
                f"unknown field {key!r} in {where.en}{suggestion.en}",
                f"{where.zh}中有未知字段 {key!r}{suggestion.zh}",
            )


def _check_id(value: Any, line: int, what: Text, report: _Collector) -> str | None:
    if isinstance(value, str) and len(value) > MAX_ID_LENGTH:
        too_long = Text(
            zh=f"有 {len(value):,} 个字符；id 最多 {MAX_ID_LENGTH} 个字符（上限）",
            en=f"is {len(value):,} characters long; an id may have at most {MAX_ID_LENGTH} (the limit)",
        )
        report.say(line, phrase(what, too_long))
        return None
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        pattern = Text(
            zh=f"只能由小写字母、数字、'-' 或 '_' 组成（以字母或数字开头），现在是 {value!r}",
            en=f"must be lower-case letters, digits, '-' or '_' (starting with a letter or digit), got {value!r}",
        )
        report.say(line, phrase(what, pattern))
        return None
    return value


def parse_deck(data: Any, path: Path) -> tuple[Deck | None, list[Problem]]:
    """Validate parsed YAML; return the deck (None when unusable) and every problem found."""
    report = _Collector(path)
    if not isinstance(data, LineDict):
        report.add(1, "a deck must be a mapping with id, title and cards", "卡组必须是包含 id、title 和 cards 的映射")
        return None, report.problems
    _unknown_fields(data, DECK_FIELDS, Text(zh="卡组", en="the deck"), report)
    version = data.get("format", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        report.add(
            data.line_of("format"),
            f"unsupported deck format {version!r}; this dlquiz reads format {FORMAT_VERSION}",
            f"不支持的卡组格式 {version!r}；这个版本的 dlquiz 读取格式 {FORMAT_VERSION}",
        )
    deck_id = (
        _check_id(data.get("id"), data.line_of("id"), Text(zh="卡组 id", en="the deck id"), report)
        if "id" in data
        else None
    )
    if "id" not in data:
        report.add(data.line, "the deck has no id", "卡组没有 id")
    if "title" not in data:
        report.add(data.line, "the deck has no title", "卡组没有 title")
    else:
        check_text(data["title"], data.line_of("title"), Text(zh="卡组的 title", en="title"), report.add)
    if "description" in data:
        description = Text(zh="卡组的 description", en="description")
        check_text(data["description"], data.line_of("description"), description, report.add)
    cards_data = data.get("cards")
    if not isinstance(cards_data, LineList) or not cards_data:
        report.add(data.line_of("cards"), "the deck needs a non-empty list 'cards'", "卡组需要一个非空的列表 'cards'")
        cards_data = LineList()
    deck = Deck(id=deck_id or "?", title=data.get("title"), path=path, description=data.get("description"))
    seen: dict[str, int] = {}
    for index, raw in enumerate(cards_data):
        line = cards_data.item_lines[index]
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        if isinstance(raw_id, str) and raw_id in seen:
            report.add(
                line,
                f"duplicate card id {raw_id!r} (first on line {seen[raw_id]}); ids must be unique in a deck",
                f"卡片 id {raw_id!r} 重复（第一次出现在第 {seen[raw_id]} 行）；同一卡组中的 id 必须各不相同",
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
        report.add(
            line, "each card must be a mapping with at least id and type", "每张卡片必须是映射，至少包含 id 和 type"
        )
        return None
    before = len(report.problems)
    card_id = (
        _check_id(raw.get("id"), raw.line_of("id"), Text(zh="卡片 id", en="a card id"), report) if "id" in raw else None
    )
    if "id" not in raw:
        report.add(
            raw.line,
            "this card has no id (every card needs an explicit, stable id)",
            "这张卡片没有 id（每张卡片都需要一个明确、稳定的 id）",
        )
    kind = raw.get("type")
    label = card_label(card_id)
    if not types.is_registered(kind):
        known = ", ".join(types.names())
        report.add(
            raw.line_of("type"),
            f"{label.en}: unknown card type {kind!r} (known: {known})",
            f"{label.zh}：未知的卡片类型 {kind!r}（已有的类型：{known}）",
        )
        return None
    card_type = types.card_type(kind)
    _unknown_fields(raw, COMMON_CARD_FIELDS | card_type.fields, Text(zh=f"{kind} 卡片", en=f"a {kind} card"), report)
    tags = raw.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(tag, str) and tag.strip() for tag in tags):
        report.add(
            raw.line_of("tags"), f"{label.en}: tags must be a list of words", f"{label.zh}：tags 必须是由词组成的列表"
        )
        tags = []
    elif any(len(tag) > MAX_ID_LENGTH for tag in tags):
        report.add(
            raw.line_of("tags"),
            f"{label.en}: a tag may have at most {MAX_ID_LENGTH} characters (the limit)",
            f"{label.zh}：一个标签最多 {MAX_ID_LENGTH} 个字符（上限）",
        )
        tags = []
    exercise = raw.get("exercise")
    if exercise is not None:
        _check_id(exercise, raw.line_of("exercise"), field_of(label, "exercise"), report)
    if "extra" in raw:
        check_text(raw["extra"], raw.line_of("extra"), field_of(label, "extra"), report.add)
    if "source" in raw and (not isinstance(raw["source"], str) or text_problem(raw["source"])):
        report.say(
            raw.line_of("source"), phrase(field_of(label, "source"), text_problem(raw["source"]) or MUST_BE_TEXT)
        )
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
        return None, [Problem(path, 0, "no such deck file", "没有这个卡组文件")]
    try:
        data = load_with_lines(path, portable=portable, content=content)
    except YamlProblem as problem:
        return None, [Problem(path, problem.line, problem.message, problem.message_zh)]
    except OSError as error:  # the system's own words (strerror) in both languages
        return None, [Problem(path, 0, f"cannot read the file: {error.strerror}", f"无法读取文件：{error.strerror}")]
    return parse_deck(data, path)
