"""Turning a table of cards — CSV, TSV or Anki's "Notes in Plain Text" export — into a YAML deck.

Each row is one card: front, back, and optionally tags (and extra, when a header row names it). A front with Anki
cloze deletions ({{c1::…}}) becomes a cloze card whose extra is the back. Card ids are generated once, from the
front (a readable slug plus a short hash), so importing the same file again gives the same ids; after that they live
in the YAML and never change, whatever is edited.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dlquiz.cards.deck import FORMAT_VERSION, ID_PATTERN, check_deck
from dlquiz import fsutil
from dlquiz.cards.types.cloze import DELETION
from dlquiz.errors import DlquizError

SUFFIXES = (".csv", ".tsv", ".txt")
SLUG_LENGTH = 40
HASH_LENGTH = 8

# Header-row names (case-insensitive) of the columns dlquiz reads; a first row naming front and back is a header.
COLUMN_NAMES = {
    "front": {"front", "question", "q", "text", "正面", "问题", "题目"},
    "back": {"back", "answer", "a", "back extra", "背面", "答案"},
    "tags": {"tags", "tag", "标签"},
    "extra": {"extra", "notes", "note", "备注"},
}
# Anki's header lines (Anki ≥ 2.1.55) look like "#separator:tab"; these are the ones it writes.
ANKI_HEADERS = {
    "separator",
    "html",
    "tags column",
    "columns",
    "notetype",
    "deck",
    "notetype column",
    "deck column",
    "guid column",
}
ANKI_SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "space": " ", "pipe": "|", "colon": ":"}
_ANKI_HEADER = re.compile(r"^#([a-z ]+):(.*)$")


@dataclass(frozen=True)
class Skipped:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}, skipped"


@dataclass
class ImportResult:
    source: Path
    target: Path
    deck_id: str
    cards: int = 0
    cloze: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


@dataclass
class _Layout:
    """How to read the rows: the delimiter, which column holds what, and whether fields are Anki HTML."""

    delimiter: str
    columns: dict[str, int]
    is_html: bool = False
    skip_first_row: bool = False
    header_lines: int = 0  # Anki '#key:value' lines before the first row
    anki_columns: set[int] = field(default_factory=set)  # Anki's guid, note type and deck columns: dropped on purpose


def import_deck(
    source: Path, target: Path, deck_id: str | None = None, title: str | None = None, force: bool = False
) -> ImportResult:
    """Read ``source`` and write a valid deck to ``target`` (refusing to replace it unless ``force``)."""
    if source.suffix.lower() not in SUFFIXES:
        raise DlquizError(
            f"cannot import {source.name}: dlquiz reads .csv, .tsv and .txt (Anki's plain-text notes)",
            "In Anki: File → Export → Notes in Plain Text (.txt).",
            exit_code=2,
        )
    if not source.is_file():
        raise DlquizError(f"no such file: {source}", exit_code=2)
    if target.exists() and not force:
        raise DlquizError(f"{target} already exists", "Pass --force to replace it, or choose another -o.")
    deck_id = deck_id if deck_id is not None else default_deck_id(target)
    if not ID_PATTERN.match(deck_id):
        raise DlquizError(
            f"invalid deck id {deck_id!r}",
            "Use lower-case letters, digits, '-' or '_', e.g. --id my-deck.",
            exit_code=2,
        )
    result = ImportResult(source=source, target=target, deck_id=deck_id)
    text = read_text(source)
    if not text.strip():
        raise DlquizError(f"{source} is empty", "Each row needs a front and a back column.")
    try:
        cards = _cards(text, source.suffix.lower(), result)
    except csv.Error as error:  # e.g. a field beyond the csv module's size limit (128 KiB)
        raise DlquizError(f"cannot read {source} as a table: {error}", "Check the quotes in the file.") from None
    if not cards:
        first = f" (first: {result.skipped[0]})" if result.skipped else ""
        raise DlquizError(
            f"no cards found in {source}: {len(result.skipped)} row(s) skipped{first}",
            "Each row needs a front and a back column.",
        )
    deck = {"format": FORMAT_VERSION, "id": deck_id, "title": title or target.stem, "cards": cards}
    _write(deck, source, target)
    return result


def default_deck_id(target: Path) -> str:
    """The output file's name as a deck id ('My Deck.yaml' → 'my-deck'); 'imported' when nothing is left of it."""
    return _slug(target.stem) or "imported"


def read_text(source: Path) -> str:
    try:
        data = source.read_bytes()
        if b"\x00" in data:  # valid UTF-8 to the decoder, but no table has NULs: UTF-16 (or binary) without a BOM
            raise DlquizError(
                f"{source} is not UTF-8 text (NUL bytes at byte {data.index(0)}: UTF-16 or binary?)",
                "Save it as UTF-8 (in Excel: CSV UTF-8).",
            )
        return data.decode("utf-8-sig")  # -sig drops the BOM Excel puts at the start
    except UnicodeDecodeError as error:
        raise DlquizError(
            f"{source} is not UTF-8 text ({error.reason} at byte {error.start})",
            "Save it as UTF-8 (in Excel: CSV UTF-8).",
        ) from None
    except OSError as error:
        raise DlquizError(f"cannot read {source}: {error.strerror}") from None


# --- reading the table ----------------------------------------------------------------------------------------------


def _cards(text: str, suffix: str, result: ImportResult) -> list[dict[str, Any]]:
    layout, body = _layout(text, suffix)
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=layout.delimiter)
    read_columns = set(layout.columns.values()) | layout.anki_columns
    cards: list[dict[str, Any]] = []
    seen: dict[str, int] = {}  # normalised front → line of its first card
    used_ids: set[str] = set()
    ignored = False
    lines_read = 0
    for number, row in enumerate(reader):
        # A quoted field may span several lines: a row is reported by the line it starts on.
        line = layout.header_lines + lines_read + 1
        lines_read = reader.line_num
        if number == 0 and layout.skip_first_row:
            continue
        cells = {name: _cell(row, index, layout.is_html) for name, index in layout.columns.items()}
        ignored = ignored or any(value.strip() for index, value in enumerate(row) if index not in read_columns)
        card = _card(cells, line, seen, result)
        if card is not None:
            card["id"] = _unique(card_id(cells["front"]), used_ids)
            cards.append(_ordered(card))
    if ignored:
        names = ", ".join(name for name in ("front", "back", "tags", "extra") if name in layout.columns)
        result.notices.append(f"columns other than {names} were ignored")
    return cards


def _card(cells: dict[str, str], line: int, seen: dict[str, int], result: ImportResult) -> dict[str, Any] | None:
    front, back = cells.get("front", ""), cells.get("back", "")
    if not any(cells.values()):
        _skip(result, line, "empty row")
        return None
    if not front:
        _skip(result, line, "no front")
        return None
    key = normalize_front(front)
    if key in seen:
        _skip(result, line, f"same front as line {seen[key]}")
        return None
    is_cloze = "{{c" in front
    if is_cloze and (not DELETION.search(front) or "{{c" in DELETION.sub("", front)):
        _skip(result, line, "malformed cloze deletion (the form is {{c1::answer}})")
        return None
    if not back and not is_cloze:
        _skip(result, line, "no back")
        return None
    seen[key] = line
    tags = [tag for tag in re.split(r"[\s,;]+", cells.get("tags", "")) if tag]
    extra = cells.get("extra", "")
    if is_cloze:
        result.cloze += 1
        card: dict[str, Any] = {"type": "cloze", "text": front}
        extra = "\n\n".join(part for part in (back, extra) if part)  # Anki's "Back Extra" of a cloze note
    else:
        card = {"type": "basic", "front": front, "back": back}
    if tags:
        card["tags"] = tags
    if extra:
        card["extra"] = extra
    result.cards += 1
    return card


def _skip(result: ImportResult, line: int, reason: str) -> None:
    result.skipped.append(Skipped(line, reason))


def _ordered(card: dict[str, Any]) -> dict[str, Any]:
    order = ("id", "type", "tags", "front", "back", "text", "extra")
    return {key: card[key] for key in order if key in card}


def _cell(row: list[str], index: int, is_html: bool) -> str:
    value = row[index] if index < len(row) else ""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return (html_to_text(value) if is_html else value).strip()


def _layout(text: str, suffix: str) -> tuple[_Layout, str]:
    lines = text.splitlines(keepends=True)
    headers: dict[str, str] = {}
    count = 0  # the number of header lines
    while count < len(lines):
        match = _ANKI_HEADER.match(lines[count].rstrip("\r\n"))
        if not match or match.group(1) not in ANKI_HEADERS:
            break
        headers[match.group(1)] = match.group(2).strip()
        count += 1
    body = "".join(lines[count:])
    delimiter = _delimiter(headers, body, suffix)
    layout = _Layout(delimiter, {}, is_html=headers.get("html", "").lower() == "true", header_lines=count)
    if headers:
        _anki_columns(layout, headers)
    else:
        first = next(csv.reader(io.StringIO(body, newline=""), delimiter=delimiter), [])
        named = _named_columns(first)
        layout.columns = named or {"front": 0, "back": 1, "tags": 2}
        layout.skip_first_row = bool(named)
    return layout, body


def _anki_columns(layout: _Layout, headers: dict[str, str]) -> None:
    """Anki says which columns are tags, guid, note type and deck; the others are the note's fields in order."""
    special = {
        int(headers[name]) - 1
        for name in ("guid column", "notetype column", "deck column", "tags column")
        if headers.get(name, "").isdigit()
    }
    layout.anki_columns = special
    if "columns" in headers:  # names of every column, e.g. "Front\tBack\tTags"
        named = _named_columns(headers["columns"].split(layout.delimiter))
        if named:
            layout.columns = named
            return
    fields = (index for index in itertools.count() if index not in special)
    layout.columns = {"front": next(fields), "back": next(fields)}
    if headers.get("tags column", "").isdigit():
        layout.columns["tags"] = int(headers["tags column"]) - 1


def _named_columns(first_row: list[str]) -> dict[str, int]:
    """Column positions when ``first_row`` is a header (it names a front and a back column), else {}."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(first_row):
        name = cell.strip().casefold()
        for column, accepted in COLUMN_NAMES.items():
            if name in accepted and column not in columns:
                columns[column] = index
                break
    return columns if "front" in columns and "back" in columns else {}


def _delimiter(headers: dict[str, str], body: str, suffix: str) -> str:
    if "separator" in headers:
        value = headers["separator"]
        return ANKI_SEPARATORS.get(value.lower(), value[:1] or "\t")
    first = next((line for line in body.splitlines() if line.strip()), "")
    if suffix == ".tsv":
        return "\t"
    if suffix == ".csv" and "," in first:
        return ","
    if suffix == ".txt" and "\t" in first:
        return "\t"
    try:  # no sign from the extension: let the csv module guess from the first rows
        return csv.Sniffer().sniff("\n".join(body.splitlines()[:20]), delimiters=",\t;|").delimiter
    except csv.Error:
        raise DlquizError(
            "cannot tell how the columns are separated", "Use tabs (.tsv) or commas (.csv) between front and back."
        ) from None


# --- text and ids ---------------------------------------------------------------------------------------------------

_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_BLOCK = re.compile(r"</?(?:div|p|li|ul|ol|tr|h[1-6])(?:\s[^>]*)?>", re.IGNORECASE)
_BOLD = re.compile(r"</?(?:b|strong)\s*>", re.IGNORECASE)
_CODE = re.compile(r"</?code\s*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>", re.DOTALL)
_BOUNDARY = "\x00"


def html_to_text(value: str) -> str:
    """Anki's HTML fields as deck text: line breaks kept, bold and code as Markdown, other markup dropped.

    Anki's editor writes each line as <div>…</div>: the edges of a block count as one line break, however many meet.
    """
    value = _LINE_BREAK.sub("\n", _BLOCK.sub(_BOUNDARY, value.replace(_BOUNDARY, "")))
    value = re.sub(_BOUNDARY + "+", "\n", value)
    value = _CODE.sub("`", _BOLD.sub("**", value))
    value = html.unescape(_TAG.sub("", value)).replace("\xa0", " ")
    lines = [line.rstrip() for line in value.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def normalize_front(front: str) -> str:
    """What makes two fronts "the same": width forms, case and runs of white space do not count."""
    return " ".join(unicodedata.normalize("NFKC", front).split()).casefold()


def card_id(front: str) -> str:
    """A readable, stable id: the front's ASCII words, then a hash of the whole front ('what-is-relu-1a2b3c4d')."""
    digest = hashlib.sha256(normalize_front(front).encode("utf-8")).hexdigest()[:HASH_LENGTH]
    plain = DELETION.sub(lambda match: match.group(2).partition("::")[0], front)
    slug = _slug(plain)[:SLUG_LENGTH].rstrip("-_")
    return f"{slug}-{digest}" if slug else f"card-{digest}"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def _unique(candidate: str, used: set[str]) -> str:
    """Guard against two different fronts whose ids collide (a truncated slug and an 8-digit hash both equal)."""
    chosen, number = candidate, 2
    while chosen in used:
        chosen, number = f"{candidate}-{number}", number + 1
    used.add(chosen)
    return chosen


# --- writing --------------------------------------------------------------------------------------------------------


class _DeckDumper(yaml.SafeDumper):
    """SafeDumper that writes multi-line text as a readable `|` block instead of one quoted line of \\n."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> Any:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_DeckDumper.add_representer(str, _represent_text)


def render(deck: dict[str, Any], source: Path) -> str:
    header = (
        f"# Imported from {source.name} by `dlquiz import`.\n"
        "# Card ids are permanent: progress is keyed on them. Edit the text freely, never the ids.\n"
    )
    return header + yaml.dump(deck, Dumper=_DeckDumper, allow_unicode=True, sort_keys=False, width=100)


def _write(deck: dict[str, Any], source: Path, target: Path) -> None:
    """Write beside the target, check it loads as a deck, then rename: a bad or half-written deck never lands."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with fsutil.atomic_path(target) as temporary:  # renamed into place only if the block ends without an error
            temporary.write_text(render(deck, source), encoding="utf-8", newline="\n")
            _deck, problems = check_deck(temporary)
            if problems:  # a bug of ours, not of the input: say so plainly
                raise DlquizError(
                    "the imported deck did not pass validation: " + "; ".join(p.message for p in problems),
                    "Please report this with the input file.",
                )
    except OSError as error:
        raise DlquizError(f"cannot write {target}: {error.strerror}", "Check the folder is writable.") from None
