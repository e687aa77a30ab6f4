"""All progress as JSON Lines: exporting it, reading a file back, and merging it into this machine's progress.

A file is a header line ``{"dlquiz_progress": 1, ...}`` followed by one record per line, each with a ``type``:
review, card, setting, exercise_attempt, exercise_hint. Row ids are local to one database and never exported.

Merging keeps everything present and adds what is missing. A review is the same review when deck, card, time and
rating agree. A card's history is kept exactly as recorded as long as it is one side's history (so fuzzed intervals
and answers given under older settings stay as they were); from the first review one side did not know about,
the merged history is replayed through py-fsrs (fuzzing off, so the result is deterministic) and every later
review's queue and states are rewritten to match.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable, TextIO

from fsrs import Rating

from dlquiz.review import clock
from dlquiz import fsutil
from dlquiz.errors import DlquizError
from dlquiz.review.scheduling import card_from_row, card_to_json, make_scheduler, new_card
from dlquiz.review.session import queue_of
from dlquiz.review.settings import StudySettings
from dlquiz.review.store import Store

FORMAT_VERSION = 1
Key = tuple[str, str]  # (deck_id, card_id)
_STATE_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review")
_CARD_COLUMNS = (*_STATE_FIELDS, "suspended", "buried_until")
_REVIEW_FIELDS = ("deck_id", "card_id", "rating", "queue", "reviewed_at", "duration_ms", "state_before", "state_after")
_ATTEMPT_FIELDS = ("exercise", "attempted_at", "status", "cases_passed", "cases_total", "hints_used", "summary")


# -- export -----------------------------------------------------------------------------------------------------

@dataclass
class ExportSummary:
    reviews: int = 0
    cards: int = 0
    settings: int = 0
    attempts: int = 0
    hints: int = 0


def _records(store: Store, summary: ExportSummary) -> Iterable[dict[str, Any]]:
    db = store.db
    yield {"dlquiz_progress": FORMAT_VERSION, "exported_at": clock.to_text(clock.now()), "schema_version": store.schema_version()}
    for row in db.execute("SELECT key, value FROM settings ORDER BY key"):
        summary.settings += 1
        yield {"type": "setting", **dict(row)}
    for row in db.execute(f"SELECT deck_id, card_id, {', '.join(_CARD_COLUMNS)} FROM card_state ORDER BY deck_id, card_id"):
        summary.cards += 1
        yield {"type": "card", **dict(row)}
    for row in db.execute(f"SELECT {', '.join(_REVIEW_FIELDS)} FROM review_log ORDER BY reviewed_at, deck_id, card_id, id"):
        summary.reviews += 1
        record = {"type": "review", **dict(row)}
        # States travel as objects, so scripts can read them; json.dumps gives the stored text back unchanged.
        record["state_before"] = json.loads(row["state_before"]) if row["state_before"] else None
        record["state_after"] = json.loads(row["state_after"])
        yield record
    for row in db.execute(f"SELECT {', '.join(_ATTEMPT_FIELDS)} FROM exercise_attempt ORDER BY attempted_at, id"):
        summary.attempts += 1
        yield {"type": "exercise_attempt", **dict(row)}
    for row in db.execute("SELECT exercise, hints_shown FROM exercise_hint ORDER BY exercise"):
        summary.hints += 1
        yield {"type": "exercise_hint", **dict(row)}


def write_export(store: Store, stream: TextIO) -> ExportSummary:
    """Write every record to ``stream``, read in one transaction so a study session running meanwhile cannot
    leave a review without its card state."""
    summary = ExportSummary()
    store.db.execute("BEGIN")
    try:
        for record in _records(store, summary):
            stream.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    finally:
        store.db.execute("COMMIT")
    return summary


def export_to_file(store: Store, path: Path) -> ExportSummary:
    """Write the export next to ``path`` and rename it into place: an interrupted export never leaves half a file
    where a good backup was. (The temporary file is private, mode 0600, which the backup keeps: it is personal.)"""
    path = Path(path)
    try:
        with fsutil.atomic_write(path, private=True) as handle:
            summary = write_export(store, handle)
    except OSError as error:
        raise DlquizError(f"cannot write {path}: {error.strerror or error}",
                          "Nothing was written; check that the folder exists and is writable.") from None
    return summary


# -- reading a file -----------------------------------------------------------------------------------------------

class _Bad(ValueError):
    """A problem with one line; read_lines adds the file name and line number."""


def _kind(types: tuple, description: str, non_empty: bool = False) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        # bool is an int to Python, never to us; an empty id would name no card.
        if isinstance(value, bool) or not isinstance(value, types) or (non_empty and not value):
            raise _Bad(f"must be {description}")
        return float(value) if float in types else value

    return check


_text, _string = _kind((str,), "a non-empty string", non_empty=True), _kind((str,), "a string")
_integer, _number = _kind((int,), "an integer"), _kind((int, float), "a number")


def _time(value: Any) -> str:
    """Any ISO 8601 time with a zone, stored in our one fixed UTC format (so times compare as text)."""
    try:
        moment = datetime.fromisoformat(_text(value).replace("Z", "+00:00"))
    except ValueError:
        raise _Bad(f"{value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise _Bad(f"{value!r} has no time zone")
    if len(value) == 29 and value[10] == "T" and value[19] == "." and value.endswith("+00:00"):  # already ours (an export): keep it
        return value
    return clock.to_text(moment)


def _one_of(*allowed: Any) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if isinstance(value, (bool, float)) or value not in allowed:
            raise _Bad(f"must be one of {', '.join(map(str, allowed))}")
        return value

    return check


def _optional(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else check(value)


_STATE = {"state": _one_of(1, 2, 3), "step": _optional(_integer), "stability": _optional(_number),
          "difficulty": _optional(_number), "due": _time, "last_review": _optional(_time)}


def _fields(record: dict, spec: dict[str, Callable[[Any], Any]], where: str = "") -> dict[str, Any]:
    missing = [name for name in spec if name not in record]
    if missing:
        raise _Bad(f"{where}missing field(s): {', '.join(missing)}")
    checked = {}
    for name, check in spec.items():
        try:
            checked[name] = check(record[name])
        except _Bad as problem:
            raise _Bad(f"{where}{name} {problem}") from None
    return checked


def _state(value: Any) -> str:
    if not isinstance(value, dict):
        raise _Bad("must be an object with the card's state")
    return json.dumps(_fields(value, _STATE, "state: "))  # the same text card_to_json writes


SPECS: dict[str, dict[str, Callable[[Any], Any]]] = {
    "review": {
        "deck_id": _text, "card_id": _text, "rating": _one_of(1, 2, 3, 4),
        "queue": _one_of("new", "learning", "review", "relearning"), "reviewed_at": _time,
        "duration_ms": _optional(_integer), "state_before": _optional(_state), "state_after": _state,
    },
    "card": {"deck_id": _text, "card_id": _text, **_STATE, "suspended": _one_of(0, 1), "buried_until": _optional(_time)},
    "setting": {"key": _text, "value": _string},
    "exercise_attempt": {
        "exercise": _text, "attempted_at": _time, "status": _text, "cases_passed": _integer,
        "cases_total": _integer, "hints_used": _integer, "summary": _string,
    },
    "exercise_hint": {"exercise": _text, "hints_shown": _integer},
}


@dataclass
class Contents:
    """A checked progress file: values normalised (times in our UTC format, states as card_to_json's text)."""

    reviews: list[dict[str, Any]] = field(default_factory=list)
    cards: dict[Key, dict[str, Any]] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)
    attempts: list[dict[str, Any]] = field(default_factory=list)
    hints: dict[str, int] = field(default_factory=dict)


def _header(line: str) -> None:
    header = json.loads(line)
    if not isinstance(header, dict) or "dlquiz_progress" not in header:
        raise _Bad('not a dlquiz progress file (the first line has no "dlquiz_progress")')
    if header["dlquiz_progress"] != FORMAT_VERSION:
        raise _Bad(f"progress format {header['dlquiz_progress']!r} is not one this dlquiz reads (it reads {FORMAT_VERSION})")


def read_lines(lines: Iterable[bytes], name: str) -> Contents:
    """Check every line; the first problem is raised as ``NAME:LINE: message`` before anything is written."""
    contents = Contents()
    first_card_line: dict[Key, int] = {}
    number = 0
    for number, raw in enumerate(lines, start=1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            if number == 1:
                _header(line)
                continue
            if not line.strip():
                continue
            record = json.loads(line)
            if not isinstance(record, dict):
                raise _Bad("a record must be a JSON object")
            kind = record.get("type")
            if kind not in SPECS:
                raise _Bad(f"unknown record type {kind!r} (known: {', '.join(SPECS)})")
            checked = _fields(record, SPECS[kind])
        except UnicodeDecodeError:
            raise DlquizError(f"{name}:{number}: not UTF-8 text", "Nothing was imported.") from None
        except json.JSONDecodeError as error:
            raise DlquizError(f"{name}:{number}: not JSON ({error.msg}, column {error.colno})", "Nothing was imported.") from None
        except _Bad as problem:
            raise DlquizError(f"{name}:{number}: {problem}", "Nothing was imported.") from None
        if kind == "review":
            contents.reviews.append(checked)
        elif kind == "card":
            key = (checked["deck_id"], checked["card_id"])
            if key in first_card_line:
                raise DlquizError(f"{name}:{number}: card {key[1]} of deck {key[0]} again (first on line {first_card_line[key]})",
                                  "Nothing was imported.")
            first_card_line[key] = number
            contents.cards[key] = checked
        elif kind == "setting":
            contents.settings[checked["key"]] = checked["value"]
        elif kind == "exercise_attempt":
            contents.attempts.append(checked)
        else:
            contents.hints[checked["exercise"]] = max(checked["hints_shown"], contents.hints.get(checked["exercise"], 0))
    if number == 0:
        raise DlquizError(f"{name}:1: empty file, not a dlquiz progress file", "Nothing was imported.")
    return contents


GZIP_MAGIC = b"\x1f\x8b"


def read_file(path: Path) -> Contents:
    """Read a progress file, plain or gzip-compressed (``progress export -o - | gzip > backup.jsonl.gz``)."""
    import gzip
    import zlib

    try:
        with open(path, "rb") as handle:
            if handle.read(2) != GZIP_MAGIC:
                handle.seek(0)
                return read_lines(handle, str(path))
        with gzip.open(path, "rb") as unpacked:
            return read_lines(unpacked, str(path))
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise DlquizError(f"{path}: damaged gzip data ({error or 'truncated'})", "Nothing was imported.") from None
    except OSError as error:
        raise DlquizError(f"cannot read {path}: {error.strerror or error}") from None


# -- merging ------------------------------------------------------------------------------------------------------

@dataclass
class ImportSummary:
    reviews_added: int = 0
    reviews_present: int = 0
    cards_recomputed: int = 0  # cards that got reviews from the file: their state follows the merged history
    cards_replayed: int = 0  # of those, cards whose two histories interleave: replayed through py-fsrs
    cards_updated: int = 0  # other card rows added or changed (never-answered cards, suspended, buried)
    settings_added: int = 0
    settings_kept: int = 0  # present on both sides with different values: the local value stays
    attempts_added: int = 0
    attempts_present: int = 0
    hints_raised: int = 0


def import_contents(store: Store, contents: Contents) -> ImportSummary:
    """Merge ``contents`` into the store in one transaction: on any error nothing is written."""
    summary = ImportSummary()
    with store.transaction() as db:
        local_settings = store.settings()
        for key, value in contents.settings.items():
            if key not in local_settings:
                db.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (key, value))
                summary.settings_added += 1
            elif local_settings[key] != value:
                summary.settings_kept += 1
        # The replay uses the merged settings; fuzzing off, so merging the same files always gives the same states.
        scheduler = make_scheduler(StudySettings(store.settings()))
        scheduler.enable_fuzzing = False
        reviews: dict[Key, list[dict[str, Any]]] = {}
        for record in contents.reviews:
            reviews.setdefault((record["deck_id"], record["card_id"]), []).append(record)
        for key in sorted(set(reviews) | set(contents.cards)):
            _merge_card(db, key, reviews.get(key, []), contents.cards.get(key), scheduler, summary)
        _merge_exercises(db, contents, summary)
    return summary


def _natural(review: Any) -> tuple[str, int]:
    return (review["reviewed_at"], review["rating"])


def _merge_card(db, key: Key, file_reviews: list, file_card: dict | None, scheduler, summary: ImportSummary) -> None:
    local_log = db.execute(
        "SELECT id, rating, queue, reviewed_at, state_before, state_after FROM review_log"
        " WHERE deck_id = ? AND card_id = ? ORDER BY reviewed_at, rating, id",
        key,
    ).fetchall()
    row = db.execute("SELECT * FROM card_state WHERE deck_id = ? AND card_id = ?", key).fetchone()
    local_card = dict(row) if row else None
    local = {_natural(review): review for review in local_log}
    incoming: dict[tuple[str, int], dict] = {}
    for review in sorted(file_reviews, key=_natural):
        if _natural(review) in local or _natural(review) in incoming:
            summary.reviews_present += 1
        else:
            summary.reviews_added += 1
        incoming.setdefault(_natural(review), review)
    new = [natural for natural in incoming if natural not in local]
    if not new:
        _save_card(db, key, local_card, local_card, file_card, summary)
        return
    summary.cards_recomputed += 1
    sides = {"local": list(local), "file": list(incoming)}  # each side's history, in time order
    merged = sorted(set(local) | set(incoming))
    trusted = set(sides)  # the sides whose history the merged one still is (so far)
    after: str | None = None
    for position, natural in enumerate(merged):
        trusted = {side for side in trusted if position < len(sides[side]) and sides[side][position] == natural}
        if trusted:  # still one side's own history: keep what it recorded (the local row if both have it)
            source = local[natural] if "local" in trusted else incoming[natural]
            queue, before, after = source["queue"], source["state_before"], source["state_after"]
        else:
            card_before = card_from_row(json.loads(after)) if after else None
            moment = clock.from_text(natural[0])
            card_after, _log = scheduler.review_card(card_before or new_card(moment), Rating(natural[1]), review_datetime=moment)
            queue = queue_of(json.loads(after) if after else None)
            before, after = (card_to_json(card_before) if card_before else None), card_to_json(card_after)
        if natural in local:
            old = local[natural]
            if (old["queue"], old["state_before"], old["state_after"]) != (queue, before, after):
                db.execute(
                    "UPDATE review_log SET queue = ?, state_before = ?, state_after = ? WHERE id = ?",
                    (queue, before, after, old["id"]),
                )
        else:
            review = incoming[natural]
            db.execute(
                "INSERT INTO review_log (deck_id, card_id, rating, queue, reviewed_at, duration_ms, state_before, state_after)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (*key, natural[1], queue, natural[0], review["duration_ms"], before, after),
            )
    if not trusted:
        summary.cards_replayed += 1
    # The merged history is the file's own: its card row is that history's end (it may differ from the last
    # state_after only if something wrote the card outside an answer); otherwise the last state is the card's.
    if "file" in trusted and file_card is not None and file_card["last_review"] is not None:
        state = file_card
    else:
        state = json.loads(after)
    _save_card(db, key, state, local_card, file_card, summary, recomputed=True)


def _save_card(db, key: Key, state: dict | None, local: dict | None, file: dict | None, summary, recomputed=False) -> None:
    """Write the card's state with both sides' flags: suspended if either says so, buried until the later time."""
    if state is None:  # no local row: the file's row (a never-answered card, suspended or buried) comes as it is
        state = file
    if state is None:
        return
    sides = [side for side in (local, file) if side is not None]
    values = {name: state[name] for name in _STATE_FIELDS}
    values["suspended"] = max((side["suspended"] for side in sides), default=0)  # a file may carry reviews only
    buried = [side["buried_until"] for side in sides if side["buried_until"]]
    values["buried_until"] = max(buried) if buried else None
    if local is not None and all(local[name] == values[name] for name in _CARD_COLUMNS):
        return
    if not recomputed:
        summary.cards_updated += 1
    db.execute(
        f"""INSERT INTO card_state (deck_id, card_id, {", ".join(_CARD_COLUMNS)}) VALUES (?, ?, {",".join("?" * len(_CARD_COLUMNS))})
            ON CONFLICT(deck_id, card_id) DO UPDATE SET {", ".join(f"{c} = excluded.{c}" for c in _CARD_COLUMNS)}""",
        [*key, *(values[name] for name in _CARD_COLUMNS)],
    )


def _merge_exercises(db, contents: Contents, summary: ImportSummary) -> None:
    present = {tuple(row) for row in db.execute("SELECT exercise, attempted_at, status FROM exercise_attempt")}
    for attempt in sorted(contents.attempts, key=lambda a: a["attempted_at"]):
        natural = (attempt["exercise"], attempt["attempted_at"], attempt["status"])
        if natural in present:
            summary.attempts_present += 1
            continue
        present.add(natural)
        summary.attempts_added += 1
        db.execute(
            f"INSERT INTO exercise_attempt ({', '.join(_ATTEMPT_FIELDS)}) VALUES ({','.join('?' * len(_ATTEMPT_FIELDS))})",
            [attempt[name] for name in _ATTEMPT_FIELDS],
        )
    for exercise, shown in contents.hints.items():
        cursor = db.execute(
            "INSERT INTO exercise_hint (exercise, hints_shown) VALUES (?, ?)"
            " ON CONFLICT(exercise) DO UPDATE SET hints_shown = excluded.hints_shown WHERE excluded.hints_shown > hints_shown",
            (exercise, shown),
        )
        summary.hints_raised += cursor.rowcount
