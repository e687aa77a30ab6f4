"""All progress as JSON Lines: exporting it, reading a file back, and merging it into this machine's progress.

A file is a header line ``{"dlquiz_progress": 1, ...}`` followed by one record per line, each with a ``type``:
review, card, setting, exercise_attempt, exercise_hint, exercise_review. Row ids are local to one database and never
exported.

Merging keeps everything present and adds what is missing. A review is the same review when deck, card, time and
rating agree. A card's history is kept exactly as recorded as long as it is one side's history (so fuzzed intervals
and answers given under older settings stay as they were); from the first review one side did not know about,
the merged history is replayed through py-fsrs (fuzzing off, so the result is deterministic) and every later
review's queue and states are rewritten to match.

Why one module of this size: the record spec, the reader that checks it and the merge that applies it change
together whenever the schema changes (CONTRIBUTING's migration recipe touches only this file outside ``review``).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from fsrs import Rating, Scheduler

from dlquiz import fsutil
from dlquiz.errors import DlquizError
from dlquiz.review import clock
from dlquiz.review.day import queue_of
from dlquiz.review.exercise_schedule import exercise_scheduler, next_schedule
from dlquiz.review.records import (
    EXERCISE_STATUSES,
    QUEUES,
    SQLITE_MAX_INT,
    CardState,
    ExerciseAttempt,
    ExerciseHelp,
    ExerciseReview,
    Key,
    ReviewLog,
    SchedulingState,
)
from dlquiz.review.repository import ProgressRepository
from dlquiz.review.scheduling import make_scheduler, new_card
from dlquiz.review.settings import StudySettings
from dlquiz.review.store import Store

FORMAT_VERSION = 1


# -- export -----------------------------------------------------------------------------------------------------


@dataclass
class ExportSummary:
    reviews: int = 0
    cards: int = 0
    settings: int = 0
    attempts: int = 0
    hints: int = 0
    exercise_reviews: int = 0
    damaged: bool = False  # the file failed SQLite's check: what could be read was salvaged row by row
    unreadable: list[str] = field(default_factory=list)  # rows skipped (out of range, or on a damaged page)


def _records(store: Store, summary: ExportSummary) -> Iterator[dict[str, Any]]:
    repository = ProgressRepository(store)
    yield {
        "dlquiz_progress": FORMAT_VERSION,
        "exported_at": clock.to_text(clock.now()),
        "schema_version": store.schema_version(),
    }
    if summary.damaged:
        salvage = repository.salvage()
        summary.unreadable += salvage.unreadable_rows
        if salvage.damaged_rowids:
            summary.unreadable.append(f"{salvage.damaged_rowids} row position(s) on damaged pages")
        settings = dict(salvage.rows["settings"])
        cards: Iterable[CardState] = salvage.rows["card_state"]
        reviews: Iterable[ReviewLog] = salvage.rows["review_log"]
        attempts: Iterable[ExerciseAttempt] = salvage.rows["exercise_attempt"]
        helps: Iterable[ExerciseHelp] = [
            ExerciseHelp(exercise, shown) for exercise, shown in dict(salvage.rows["exercise_hint"]).items()
        ]
        exercise_reviews = _salvaged_exercise_reviews(repository, summary)
    else:  # read as it goes; a row out of range is skipped and reported, never the end of the backup
        settings = store.settings()
        cards = repository.card_states(problems=summary.unreadable).values()
        reviews = repository.iter_reviews(problems=summary.unreadable)
        attempts = repository.exercise_attempts(problems=summary.unreadable)
        helps = repository.exercise_helps()
        exercise_reviews = repository.exercise_reviews()
    for key, value in sorted(settings.items()):
        summary.settings += 1
        yield {"type": "setting", "key": key, "value": value}
    for state in cards:
        summary.cards += 1
        yield {"type": "card", **state.to_dict()}
    for review in reviews:
        summary.reviews += 1
        yield {"type": "review", **review.to_dict()}
    for attempt in attempts:
        summary.attempts += 1
        yield {"type": "exercise_attempt", **attempt.to_dict()}
    for help_taken in helps:
        summary.hints += 1
        yield {"type": "exercise_hint", **help_taken.to_dict()}
    for exercise_review in exercise_reviews:
        summary.exercise_reviews += 1
        yield {"type": "exercise_review", **exercise_review.to_dict()}


def _salvaged_exercise_reviews(repository: ProgressRepository, summary: ExportSummary) -> list[ExerciseReview]:
    """Exercise schedules from a damaged file: all of them when their table can be read, else none (named)."""
    import sqlite3

    try:
        return list(repository.exercise_reviews())
    except (DlquizError, sqlite3.DatabaseError):
        summary.unreadable.append("the exercise schedules (exercise_review) could not be read")
        return []


def write_export(store: Store, stream: IO[str]) -> ExportSummary:
    """Write every record to ``stream``, read in one transaction so a study session running meanwhile cannot
    leave a review without its card state. A damaged file is salvaged: every row that can still be read."""
    summary = ExportSummary()
    with store.reading():
        try:
            summary.damaged = bool(store.quick_check())
        except sqlite3.DatabaseError:
            summary.damaged = True
        for record in _records(store, summary):
            stream.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    return summary


def export_to_file(store: Store, path: Path) -> ExportSummary:
    """Write the export next to ``path`` and rename it into place: an interrupted export never leaves half a file
    where a good backup was. (The temporary file is private, mode 0600, which the backup keeps: it is personal.)"""
    path = Path(path)
    try:
        with fsutil.atomic_write(path, private=True) as handle:
            summary = write_export(store, handle)
    except OSError as error:
        raise DlquizError(
            f"cannot write {path}: {error.strerror or error}",
            "Nothing was written; check that the folder exists and is writable.",
        ) from None
    return summary


# -- reading a file -----------------------------------------------------------------------------------------------


class _Bad(ValueError):
    """A problem with one line; read_lines adds the file name and line number."""


def _kind(types: tuple[Any, ...], description: str, non_empty: bool = False) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        # bool is an int to Python, never to us; an empty id would name no card.
        if isinstance(value, bool) or not isinstance(value, types) or (non_empty and not value):
            raise _Bad(f"must be {description}")
        return float(value) if float in types else value

    return check


_text, _string = _kind((str,), "a non-empty string", non_empty=True), _kind((str,), "a string")
_number = _kind((int, float), "a number")


def _integer(value: Any) -> int:
    """A count, a duration or a step: whole, never negative, and small enough for SQLite's 64-bit integers."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= SQLITE_MAX_INT:
        raise _Bad(f"must be a whole number from 0 to {SQLITE_MAX_INT}")
    return value


def _time(value: Any) -> str:
    """Any ISO 8601 time with a zone, stored in our one fixed UTC format (so times compare as text)."""
    try:
        moment = datetime.fromisoformat(_text(value).replace("Z", "+00:00"))
    except ValueError:
        raise _Bad(f"{value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise _Bad(f"{value!r} has no time zone")
    if len(value) == 29 and value[10] == "T" and value[19] == "." and value.endswith("+00:00"):
        return value  # already ours (an export): keep it
    try:
        return clock.to_text(moment)
    except ValueError:  # 0001-01-01T00:00+01:00 is before year 1 once in UTC
        raise _Bad(f"{value!r} is outside years 1-9999 in UTC") from None


def _one_of(*allowed: Any) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if isinstance(value, (bool, float)) or value not in allowed:
            raise _Bad(f"must be one of {', '.join(map(str, allowed))}")
        return value

    return check


def _optional(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else check(value)


@dataclass(frozen=True)
class _Default:
    """A field that files written before it existed lack: ``value`` stands in for it there (a backup stays
    readable by every later dlquiz). When present, ``check`` checks it."""

    value: Any
    check: Callable[[Any], Any]

    def __call__(self, value: Any) -> Any:
        return self.check(value)


_STATE = {
    "state": _one_of(1, 2, 3),
    "step": _optional(_integer),
    "stability": _optional(_number),
    "difficulty": _optional(_number),
    "due": _time,
    "last_review": _optional(_time),
}


def _fields(record: dict[str, Any], spec: dict[str, Callable[[Any], Any]], where: str = "") -> dict[str, Any]:
    missing = [name for name, check in spec.items() if name not in record and not isinstance(check, _Default)]
    if missing:
        raise _Bad(f"{where}missing field(s): {', '.join(missing)}")
    checked = {}
    for name, check in spec.items():
        if name not in record and isinstance(check, _Default):
            checked[name] = check.value
            continue
        try:
            checked[name] = check(record[name])
        except _Bad as problem:
            raise _Bad(f"{where}{name} {problem}") from None
    return checked


def _state(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Bad("must be an object with the card's state")
    return _fields(value, _STATE, "state: ")


# Each record type and its fields, checked and normalised (times in our one UTC format). Every field of a stored row
# is a field here (``repository``'s ``to_dict``/``from_dict`` are the other side); a field added by a migration gets
# a ``_Default`` so that files written before it still import.
SPECS: dict[str, dict[str, Callable[[Any], Any]]] = {
    "review": {
        "deck_id": _text,
        "card_id": _text,
        "rating": _one_of(1, 2, 3, 4),
        "queue": _one_of(*QUEUES),
        "reviewed_at": _time,
        "duration_ms": _optional(_integer),
        "state_before": _optional(_state),
        "state_after": _state,
    },
    "card": {
        "deck_id": _text,
        "card_id": _text,
        **_STATE,
        "suspended": _one_of(0, 1),
        "buried_until": _optional(_time),
    },
    "setting": {"key": _text, "value": _string},
    "exercise_attempt": {
        "exercise": _text,
        "attempted_at": _time,
        "status": _one_of(*EXERCISE_STATUSES),
        "cases_passed": _integer,
        "cases_total": _integer,
        "hints_used": _integer,
        "summary": _string,
    },
    "exercise_hint": {
        "exercise": _text,
        "hints_shown": _integer,
        "last_shown_at": _Default(None, _optional(_time)),
        "solution_shown_at": _Default(None, _optional(_time)),
        "restarted_at": _Default(None, _optional(_time)),
    },
    "exercise_review": {
        "exercise": _text,
        "rating": _one_of(1, 2, 3, 4),
        "rule": _one_of("first-try", "clean", "hints", "solution", "gave-up"),
        "reviewed_at": _time,
        "attempts": _integer,
        "hints_used": _integer,
        "state_before": _optional(_state),
        "state_after": _state,
    },
}


@dataclass
class Contents:
    """A checked progress file, as the repository's typed rows."""

    reviews: list[ReviewLog] = field(default_factory=list)
    cards: dict[Key, CardState] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)
    attempts: list[ExerciseAttempt] = field(default_factory=list)
    helps: dict[str, ExerciseHelp] = field(default_factory=dict)
    exercise_reviews: list[ExerciseReview] = field(default_factory=list)

    @property
    def hints(self) -> dict[str, int]:
        return {exercise: help_taken.hints_shown for exercise, help_taken in self.helps.items()}


def _header(line: str) -> None:
    header = json.loads(line)
    if not isinstance(header, dict) or "dlquiz_progress" not in header:
        raise _Bad('not a dlquiz progress file (the first line has no "dlquiz_progress")')
    if header["dlquiz_progress"] != FORMAT_VERSION:
        raise _Bad(
            f"progress format {header['dlquiz_progress']!r} is not one this dlquiz reads (it reads {FORMAT_VERSION})"
        )


# A record is an object whose states are objects: two levels. Anything deeper is not a progress record, and a line
# of thousands of brackets would exhaust Python's recursion while parsing.
MAX_DEPTH = 2
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _check_depth(line: str) -> None:
    depth = deepest = 0
    for char in _STRING.sub('""', line):  # brackets inside strings are text
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                raise _Bad(f"nested deeper than a progress record ({MAX_DEPTH} levels)")
        elif char in "]}":
            depth -= 1


def _record(kind: str, checked: dict[str, Any]) -> Any:
    """The typed row of a checked record; its range checks (finite positive stability …) become line problems."""
    try:
        if kind == "review":
            return ReviewLog.from_dict(checked)
        if kind == "card":
            return CardState.from_dict(checked)
        if kind == "exercise_attempt":
            return ExerciseAttempt.from_dict(checked)
        if kind == "exercise_review":
            return ExerciseReview.from_dict(checked)
        if kind == "exercise_hint":
            return ExerciseHelp.from_dict(checked)
    except ValueError as problem:
        raise _Bad(str(problem)) from None
    return checked


def read_lines(lines: Iterable[bytes], name: str) -> Contents:
    """Check every line; the first problem is raised as ``NAME:LINE: message`` before anything is written."""
    contents = Contents()
    first_card_line: dict[Key, int] = {}
    number = 0
    for number, raw in enumerate(lines, start=1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            if number == 1:
                _check_depth(line)
                _header(line)
                continue
            if not line.strip():
                continue
            _check_depth(line)
            record = json.loads(line)
            if not isinstance(record, dict):
                raise _Bad("a record must be a JSON object")
            kind = record.get("type")
            if kind not in SPECS:
                raise _Bad(f"unknown record type {kind!r} (known: {', '.join(SPECS)})")
            row = _record(kind, _fields(record, SPECS[kind]))
        except UnicodeDecodeError:
            raise DlquizError(f"{name}:{number}: not UTF-8 text", "Nothing was imported.") from None
        except json.JSONDecodeError as error:
            raise DlquizError(
                f"{name}:{number}: not JSON ({error.msg}, column {error.colno})", "Nothing was imported."
            ) from None
        except _Bad as problem:
            raise DlquizError(f"{name}:{number}: {problem}", "Nothing was imported.") from None
        if isinstance(row, ReviewLog):
            contents.reviews.append(row)
        elif isinstance(row, CardState):
            key = row.key
            if key in first_card_line:
                raise DlquizError(
                    f"{name}:{number}: card {key[1]} of deck {key[0]} again (first on line {first_card_line[key]})",
                    "Nothing was imported.",
                )
            first_card_line[key] = number
            contents.cards[key] = row
        elif isinstance(row, ExerciseAttempt):
            contents.attempts.append(row)
        elif kind == "setting":
            contents.settings[row["key"]] = row["value"]
        elif isinstance(row, ExerciseReview):
            contents.exercise_reviews.append(row)
        elif isinstance(row, ExerciseHelp):
            known = contents.helps.get(row.exercise)
            contents.helps[row.exercise] = row if known is None else _newer_help(known, row)
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
        reason = error.strerror or str(error)
        raise DlquizError(
            f"cannot read {path}: {reason}",
            "Give the path of a file written by `dlquiz progress export` (.jsonl or .jsonl.gz). Nothing was imported.",
            zh=(
                f"无法读取 {path}：{reason}",
                "请给出 `dlquiz progress export` 写出的文件路径（.jsonl 或 .jsonl.gz）。没有导入任何内容。",
            ),
        ) from None


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
    hints_raised: int = 0  # exercises whose help record the file's replaced (newer hints, solution or restart)
    exercise_reviews_added: int = 0
    exercise_reviews_present: int = 0
    exercises_replayed: int = 0  # exercises whose two review histories interleave: replayed through py-fsrs


def import_contents(store: Store, contents: Contents) -> ImportSummary:
    """Merge ``contents`` into the store in one transaction: on any error nothing is written."""
    summary = ImportSummary()
    repository = ProgressRepository(store)
    with store.transaction():  # every write below joins this one transaction
        local_settings = store.settings()
        for name, value in contents.settings.items():
            if name not in local_settings:
                store.set_setting(name, value)
                summary.settings_added += 1
            elif local_settings[name] != value:
                summary.settings_kept += 1
        # The replay uses the merged settings (fitted FSRS parameters included: `dlquiz optimize`); fuzzing off, so
        # merging the same files always gives the same states.
        scheduler = make_scheduler(StudySettings(store.settings()))
        scheduler.enable_fuzzing = False
        reviews: dict[Key, list[ReviewLog]] = {}
        for review in contents.reviews:
            reviews.setdefault(review.key, []).append(review)
        for key in sorted(set(reviews) | set(contents.cards)):
            _merge_card(repository, key, reviews.get(key, []), contents.cards.get(key), scheduler, summary)
        _merge_exercises(repository, contents, summary)
        _merge_exercise_reviews(repository, contents.exercise_reviews, summary)
    return summary


Natural = tuple[datetime, int]  # what makes two reviews of one card the same review: the time and the rating


def _natural(review: ReviewLog) -> Natural:
    return (review.reviewed_at, int(review.rating))


def _merge_card(
    repository: ProgressRepository,
    key: Key,
    file_reviews: list[ReviewLog],
    file_card: CardState | None,
    scheduler: Scheduler,
    summary: ImportSummary,
) -> None:
    local_card = repository.card_state(*key)
    present = set(repository.answers(*key))
    incoming: dict[Natural, ReviewLog] = {}
    for review in sorted(file_reviews, key=_natural):
        if _natural(review) in present or _natural(review) in incoming:
            summary.reviews_present += 1
        else:
            summary.reviews_added += 1
        incoming.setdefault(_natural(review), review)
    if all(natural in present for natural in incoming):  # nothing new: the local history stays as it is
        _save_card(repository, key, None if local_card is None else local_card.schedule, local_card, file_card, summary)
        return
    local = {_natural(review): review for review in repository.reviews(*key)}
    summary.cards_recomputed += 1
    sides = {"local": list(local), "file": list(incoming)}  # each side's history, in time order
    merged = sorted(set(local) | set(incoming))
    trusted = set(sides)  # the sides whose history the merged one still is (so far)
    after: SchedulingState | None = None
    added: list[ReviewLog] = []
    for position, natural in enumerate(merged):
        trusted = {side for side in trusted if position < len(sides[side]) and sides[side][position] == natural}
        if trusted:  # still one side's own history: keep what it recorded (the local row if both have it)
            source = local[natural] if "local" in trusted else incoming[natural]
            queue, before, after = source.queue, source.state_before, source.state_after
        else:
            card_before = None if after is None else after.to_card()
            moment, rating = natural
            card_after, _log = scheduler.review_card(
                card_before or new_card(moment), Rating(rating), review_datetime=moment
            )
            queue = queue_of(after)
            before = None if card_before is None else SchedulingState.from_card(card_before)
            after = SchedulingState.from_card(card_after)
        review = local[natural] if natural in local else incoming[natural]
        if (review.queue, review.state_before, review.state_after) != (queue, before, after):
            review = replace(review, queue=queue, state_before=before, state_after=after)
            if natural in local:
                repository.rewrite_review(review)
        if natural not in local:
            added.append(review)
    repository.add_reviews(added)
    if not trusted:
        summary.cards_replayed += 1
    # The merged history is the file's own: its card row is that history's end (it may differ from the last
    # state_after only if something wrote the card outside an answer); otherwise the last state is the card's.
    schedule: SchedulingState | None = after
    if "file" in trusted and file_card is not None and file_card.last_review is not None:
        schedule = file_card.schedule
    _save_card(repository, key, schedule, local_card, file_card, summary, recomputed=True)


def _save_card(
    repository: ProgressRepository,
    key: Key,
    schedule: SchedulingState | None,
    local: CardState | None,
    file: CardState | None,
    summary: ImportSummary,
    recomputed: bool = False,
) -> None:
    """Write the card's state with both sides' flags: suspended if either says so, buried until the later time."""
    if schedule is None:  # no local row: the file's row (a never-answered card, suspended or buried) comes as it is
        if file is None:
            return
        schedule = file.schedule
    sides = [side for side in (local, file) if side is not None]
    buried = [side.buried_until for side in sides if side.buried_until is not None]
    # Starting from a stored row keeps any column merging does not decide (the local one when there is one).
    state = sides[0].with_schedule(schedule) if sides else CardState.scheduled(*key, schedule)
    state = replace(state, suspended=any(side.suspended for side in sides), buried_until=max(buried, default=None))
    if state == local:
        return
    if not recomputed:
        summary.cards_updated += 1
    repository.save_card_state(state)


def _merge_exercises(repository: ProgressRepository, contents: Contents, summary: ImportSummary) -> None:
    present = {(a.exercise, a.attempted_at, a.status) for a in repository.exercise_attempts()}
    for attempt in sorted(contents.attempts, key=lambda a: a.attempted_at):
        natural = (attempt.exercise, attempt.attempted_at, attempt.status)
        if natural in present:
            summary.attempts_present += 1
            continue
        present.add(natural)
        summary.attempts_added += 1
        repository.add_exercise_attempt(attempt)
    for exercise, incoming in contents.helps.items():
        local = repository.exercise_help(exercise)
        merged = _newer_help(local, incoming)
        if merged != local:
            summary.hints_raised += 1
            repository.save_exercise_help(merged)


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    return max((moment for moment in (a, b) if moment is not None), default=None)


def _newer_help(local: ExerciseHelp, incoming: ExerciseHelp) -> ExerciseHelp:
    """The hint count of the side that showed a hint last (it is the count of that side's current review; without
    times, as in files written before reviews, the higher count), and the later of each other time."""
    never = datetime.min.replace(tzinfo=timezone.utc)
    local_key = (local.last_shown_at or never, local.hints_shown)
    incoming_key = (incoming.last_shown_at or never, incoming.hints_shown)
    hints = local if local_key >= incoming_key else incoming
    return replace(
        local,
        hints_shown=hints.hints_shown,
        last_shown_at=hints.last_shown_at,
        solution_shown_at=_later(local.solution_shown_at, incoming.solution_shown_at),
        restarted_at=_later(local.restarted_at, incoming.restarted_at),
    )


def _merge_exercise_reviews(
    repository: ProgressRepository, incoming: list[ExerciseReview], summary: ImportSummary
) -> None:
    """Reviews are the same review when exercise, time and rating agree. When one side had none of an exercise's
    reviews, the other side's come as they are; when both add to it, the merged history is replayed through py-fsrs
    (fuzzing off) so the last state, which is the schedule, follows every review in time order."""
    scheduler = exercise_scheduler(StudySettings(repository.store.settings()))
    scheduler.enable_fuzzing = False
    by_exercise: dict[str, list[ExerciseReview]] = {}
    for review in incoming:
        by_exercise.setdefault(review.exercise, []).append(review)
    for exercise, file_reviews in sorted(by_exercise.items()):
        local = repository.exercise_reviews(exercise)
        present = {(review.reviewed_at, int(review.rating)) for review in local}
        added: list[ExerciseReview] = []
        for review in sorted(file_reviews, key=lambda r: (r.reviewed_at, int(r.rating))):
            natural = (review.reviewed_at, int(review.rating))
            if natural in present:
                summary.exercise_reviews_present += 1
                continue
            present.add(natural)
            added.append(review)
        summary.exercise_reviews_added += len(added)
        if not added:
            continue
        if not local:
            for review in added:
                repository.add_exercise_review(review)
            continue
        summary.exercises_replayed += 1
        merged = sorted(
            [*local, *(replace(review, id=None) for review in added)], key=lambda r: (r.reviewed_at, int(r.rating))
        )
        before: SchedulingState | None = None
        for review in merged:
            after = next_schedule(scheduler, before, review.rating, review.reviewed_at)
            replayed = replace(review, state_before=before, state_after=after)
            if review.id is None:
                repository.add_exercise_review(replayed)
            elif replayed != review:
                repository.rewrite_exercise_review(replayed)
            before = after
