"""`dlquiz progress export / import`: JSON Lines backups, merging two machines' histories, bad files rejected whole."""

import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fsrs import Card, Rating, Scheduler
from fsrs import ReviewLog as FsrsReviewLog
from typer.testing import CliRunner

from dlquiz.cli.app import app
from dlquiz.errors import DlquizError
from dlquiz.interop import backup
from dlquiz.review import clock
from dlquiz.review.day import queue_of
from dlquiz.review.records import ExerciseAttempt, ReviewLog, SchedulingState
from dlquiz.review.repository import ProgressRepository
from dlquiz.review.scheduling import make_scheduler, new_card
from dlquiz.review.settings import StudySettings
from dlquiz.review.store import open_store

runner = CliRunner()
REPO = Path(__file__).resolve().parents[1]
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)


def use_home(monkeypatch, home: Path) -> None:
    monkeypatch.setenv("DLQUIZ_HOME", str(home))


def answer(store, deck, card, rating, at, duration_ms=1500):
    """Answer as a study session does: py-fsrs from the stored state, with the store's settings (fuzz included)."""
    repository = ProgressRepository(store)
    state = repository.card_state(deck, card)
    before = None if queue_of(state) == "new" else state.schedule
    scheduler = make_scheduler(StudySettings(store.settings()))
    fsrs_card = before.to_card() if before else new_card(at)
    after, _log = scheduler.review_card(fsrs_card, Rating(rating), review_datetime=at)
    repository.record_answer(
        ReviewLog(
            deck, card, Rating(rating), queue_of(state), at, duration_ms, before, SchedulingState.from_card(after)
        )
    )


def attempt(store, exercise, status, passed, total, hints, summary="", at=T0):
    ProgressRepository(store).add_exercise_attempt(ExerciseAttempt(exercise, at, status, passed, total, hints, summary))


def rows(store):
    """Every table's rows without the local row ids, in a fixed order."""
    repository = ProgressRepository(store)
    reviews = sorted(repository.iter_reviews(), key=lambda r: (r.reviewed_at, r.rating))
    return {
        "review_log": [replace(review, id=None) for review in reviews],
        "card_state": list(repository.card_states().values()),
        "settings": sorted(store.settings().items()),
        "attempts": sorted(repository.exercise_attempts(), key=lambda a: (a.attempted_at, a.exercise)),
        "hints": sorted(repository.hint_counts().items()),
    }


def natural(review):
    """What a review is, without its place in the merged history: deck, card, rating, queue, time and duration."""
    return (review.deck_id, review.card_id, review.rating, review.queue, review.reviewed_at, review.duration_ms)


def export(store, path: Path) -> Path:
    backup.export_to_file(store, path)
    return path


def merge(store, path: Path) -> backup.ImportSummary:
    return backup.import_contents(store, backup.read_file(path))


# -- a round trip into an empty home ------------------------------------------------------------------------------


def test_export_then_import_into_an_empty_home_gives_identical_rows(tmp_path, monkeypatch):
    use_home(monkeypatch, tmp_path / "a")
    store = open_store()  # fuzz on (the default): the imported intervals must be the fuzzed ones, not a replay
    store.set_setting("desired-retention", "0.85")
    for day, rating in enumerate((3, 3, 3, 2, 4, 1, 3)):
        answer(store, "d1", "relu", rating, T0 + day * 3 * DAY)
    for day, rating in enumerate((3, 4, 3)):
        answer(store, "d1", "relu::reverse", rating, T0 + day * 5 * DAY + timedelta(minutes=1))
    answer(store, "d2", "卷积", 1, T0 + timedelta(hours=2), duration_ms=None)
    repository = ProgressRepository(store)
    repository.set_suspended("d1", "never-seen", True, T0)
    repository.bury("d2", "卷积", T0 + 2 * DAY, T0)
    attempt(store, "relu", "failed", 2, 5, 0, "case 3: wrong sign", at=T0)
    attempt(store, "relu", "passed", 5, 5, 1, at=T0 + DAY)
    repository.set_hints_shown("relu", 1)
    original = rows(store)
    export(store, tmp_path / "backup.jsonl")
    store.close()

    use_home(monkeypatch, tmp_path / "b")
    target = open_store()
    summary = merge(target, tmp_path / "backup.jsonl")
    assert rows(target) == original
    assert (summary.reviews_added, summary.reviews_present) == (11, 0)
    assert (summary.cards_recomputed, summary.cards_replayed, summary.cards_updated) == (3, 0, 1)
    assert (summary.settings_added, summary.attempts_added, summary.hints_raised) == (1, 2, 1)
    target.close()


def test_the_file_is_a_header_then_one_typed_record_per_line(tmp_path):
    store = open_store()
    answer(store, "d1", "relu", 3, T0)
    store.set_setting("new-per-day", "7")
    attempt(store, "gap", "passed", 3, 3, 0, at=T0)
    ProgressRepository(store).set_hints_shown("gap", 2)
    export(store, tmp_path / "p.jsonl")
    version = store.schema_version()
    store.close()
    lines = [json.loads(line) for line in (tmp_path / "p.jsonl").read_text(encoding="utf-8").splitlines()]
    assert lines[0] == {"dlquiz_progress": 1, "exported_at": "2026-03-02T09:00:00.000+00:00", "schema_version": version}
    assert [line["type"] for line in lines[1:]] == ["setting", "card", "review", "exercise_attempt", "exercise_hint"]
    review = lines[3]
    assert review["state_before"] is None and review["state_after"]["last_review"] == clock.to_text(T0)
    assert set(review) == {"type", *backup.SPECS["review"]}
    assert set(lines[2]) == {"type", *backup.SPECS["card"]}


# -- merging two machines' histories --------------------------------------------------------------------------------


@pytest.fixture
def two_homes(tmp_path, monkeypatch):
    """Machine A studies; B starts from A's backup; then both go on studying on their own."""
    use_home(monkeypatch, tmp_path / "a")
    a = open_store()
    a.set_setting("fuzz", "off")
    a.set_setting("desired-retention", "0.85")
    for i, rating in enumerate((3, 3, 3)):
        answer(a, "d1", "x", rating, T0 + i * 2 * DAY)
        answer(a, "d1", "y", rating, T0 + i * 2 * DAY + timedelta(minutes=5))
    attempt(a, "relu", "failed", 1, 5, 0, at=T0)
    ProgressRepository(a).set_hints_shown("relu", 1)
    export(a, tmp_path / "a0.jsonl")
    a.close()

    use_home(monkeypatch, tmp_path / "b")
    b = open_store()
    merge(b, tmp_path / "a0.jsonl")
    b.set_setting("desired-retention", "0.9")  # B's own choice: A keeps 0.85
    b.set_setting("new-per-day", "7")
    later = T0 + 10 * DAY
    answer(b, "d1", "x", 3, later + timedelta(hours=1))
    answer(b, "d1", "x", 2, later + 4 * DAY)  # the same instant as one of A's answers, another rating: not the same
    answer(b, "d1", "z", 3, later)
    answer(b, "d1", "z", 4, later + timedelta(minutes=10))
    b_progress = ProgressRepository(b)
    b_progress.set_suspended("d1", "y", True, later)
    b_progress.bury("d1", "w", later + 3 * DAY, later)
    attempt(b, "relu", "passed", 5, 5, 2, at=later)
    b_progress.set_hints_shown("relu", 2)
    b_progress.set_hints_shown("gap", 1)
    b_rows = rows(b)
    export(b, tmp_path / "b.jsonl")
    b.close()

    use_home(monkeypatch, tmp_path / "a")
    a = open_store()
    answer(a, "d1", "x", 3, later)
    answer(a, "d1", "x", 1, later + 4 * DAY)
    answer(a, "d1", "y", 3, later)
    ProgressRepository(a).bury("d1", "w", later + DAY, later)
    yield a, tmp_path / "b.jsonl", b_rows
    a.close()


def reference_state(store, deck, card):
    """What py-fsrs itself gives for the card's merged log: reschedule_card with the settings, fuzzing off."""
    log = ProgressRepository(store).reviews(deck, card)
    settings = StudySettings(store.settings())
    scheduler = Scheduler(
        desired_retention=settings["desired-retention"],
        learning_steps=settings["learning-steps"],
        relearning_steps=settings["relearning-steps"],
        maximum_interval=settings["maximum-interval"],
        enable_fuzzing=False,
    )
    logs = [FsrsReviewLog(card_id=0, rating=r.rating, review_datetime=r.reviewed_at, review_duration=None) for r in log]
    return scheduler.reschedule_card(Card(card_id=0, due=T0), logs)


def test_merging_overlapping_histories(two_homes):
    a, b_file, b_rows = two_homes
    before = rows(a)
    summary = merge(a, b_file)
    # B's file: x 3 shared + 2 own, y 3 shared, z 2 own  ->  4 added, 6 present
    assert (summary.reviews_added, summary.reviews_present) == (4, 6)
    assert (summary.cards_recomputed, summary.cards_replayed) == (2, 1)  # x interleaves; z is B's alone
    assert summary.cards_updated == 2  # y suspended on B, w buried longer on B
    assert (summary.settings_added, summary.settings_kept) == (1, 1)
    assert (summary.attempts_added, summary.attempts_present, summary.hints_raised) == (1, 1, 2)

    after = rows(a)
    assert len(after["review_log"]) == len(before["review_log"]) + 4 == 13
    assert {natural(r) for r in before["review_log"]} < {natural(r) for r in after["review_log"]}  # nothing lost
    assert dict(after["settings"]) == {"fuzz": "off", "desired-retention": "0.85", "new-per-day": "7"}
    assert after["hints"] == [("gap", 1), ("relu", 2)]
    assert [r.status for r in after["attempts"]] == ["failed", "passed"]

    cards = ProgressRepository(a).card_states()
    expected = reference_state(a, "d1", "x")
    x = cards[("d1", "x")]
    assert (x.state, x.step, clock.to_text(x.due), clock.to_text(x.last_review)) == (
        int(expected.state),
        expected.step,
        clock.to_text(expected.due),
        clock.to_text(expected.last_review),
    )
    assert x.stability == pytest.approx(expected.stability, rel=1e-12)
    assert x.difficulty == pytest.approx(expected.difficulty, rel=1e-12)
    b_cards = {r.key: r for r in b_rows["card_state"]}
    assert cards[("d1", "z")] == b_cards[("d1", "z")]  # B's own card comes exactly as B had it
    assert cards[("d1", "y")].suspended
    assert cards[("d1", "y")].last_review == T0 + 10 * DAY  # A's later answer of y is kept
    assert cards[("d1", "w")].buried_until == T0 + 13 * DAY


def test_merged_review_log_is_one_consistent_chain(two_homes):
    a, b_file, _ = two_homes
    merge(a, b_file)
    scheduler = make_scheduler(StudySettings(a.settings()))
    repository = ProgressRepository(a)
    log = repository.reviews("d1", "x")
    assert [r.rating for r in log] == [3, 3, 3, 3, 3, 1, 2]
    previous = None
    for review in log:
        assert review.state_before == previous
        assert review.queue == queue_of(previous)
        at = review.reviewed_at
        card = previous.to_card() if previous else new_card(at)
        after, _ = scheduler.review_card(card, review.rating, review_datetime=at)
        stored = review.state_after
        assert (stored.state, stored.step, clock.to_text(stored.due)) == (
            int(after.state),
            after.step,
            clock.to_text(after.due),
        )
        assert stored.stability == pytest.approx(after.stability, rel=1e-12)
        previous = review.state_after
    stored = repository.card_state("d1", "x")
    assert (stored.state, stored.due) == (previous.state, previous.due)


def test_importing_the_same_file_twice_adds_nothing(two_homes):
    a, b_file, _ = two_homes
    merge(a, b_file)
    once = rows(a)
    summary = merge(a, b_file)
    assert rows(a) == once
    assert (summary.reviews_added, summary.reviews_present) == (0, 10)
    assert (summary.cards_recomputed, summary.cards_updated, summary.settings_added, summary.attempts_added) == (
        0,
        0,
        0,
        0,
    )
    assert summary.hints_raised == 0


# -- bad files ------------------------------------------------------------------------------------------------------

HEADER = '{"dlquiz_progress": 1, "exported_at": "2026-03-02T09:00:00.000+00:00", "schema_version": 1}'
GOOD_REVIEW = {
    "type": "review",
    "deck_id": "d",
    "card_id": "c",
    "rating": 3,
    "queue": "new",
    "reviewed_at": "2026-03-01T09:00:00Z",
    "duration_ms": 900,
    "state_before": None,
    "state_after": {
        "state": 1,
        "step": 1,
        "stability": 2.3,
        "difficulty": 2.1,
        "due": "2026-03-01T09:10:00Z",
        "last_review": "2026-03-01T09:00:00Z",
    },
}


def bad(review_changes):
    return json.dumps({**GOOD_REVIEW, **review_changes})


@pytest.mark.parametrize(
    "lines, line_number, message",
    [
        ([HEADER, json.dumps(GOOD_REVIEW), '{"type": "setting", "key": "fuzz"'], 3, "not JSON"),
        (['{"dlquiz_progress": 2}', json.dumps(GOOD_REVIEW)], 1, "progress format 2 is not one this dlquiz reads"),
        (["front,back", "a,b"], 1, "not JSON"),
        (['{"cards": []}'], 1, "not a dlquiz progress file"),
        (
            [HEADER, json.dumps({k: v for k, v in GOOD_REVIEW.items() if k not in ("rating", "queue")})],
            2,
            "missing field(s): rating, queue",
        ),
        ([HEADER, json.dumps(GOOD_REVIEW), bad({"rating": 5})], 3, "rating must be one of 1, 2, 3, 4"),
        ([HEADER, bad({"reviewed_at": "yesterday"})], 2, "reviewed_at 'yesterday' is not an ISO 8601 time"),
        ([HEADER, bad({"state_after": {"state": 1}})], 2, "state_after state: missing field(s): step"),
        ([HEADER, '{"type": "note", "id": 1}'], 2, "unknown record type 'note'"),
        ([HEADER, "[1, 2]"], 2, "a record must be a JSON object"),
        ([], 1, "empty file"),
    ],
)
def test_a_bad_file_is_reported_by_line_and_nothing_is_written(tmp_path, lines, line_number, message):
    path = tmp_path / "bad.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    store = open_store()
    store.set_setting("new-per-day", "3")
    before = rows(store)
    store.close()
    result = runner.invoke(app, ["progress", "import", str(path)])
    assert result.exit_code == 1
    assert f"{path}:{line_number}: {message}" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    store = open_store()
    assert rows(store) == before
    store.close()


def test_a_field_added_by_a_later_migration_is_optional_in_older_files(monkeypatch):
    """What a migration that adds a column does to the spec: files written before it still import."""
    later = {**backup.SPECS["review"], "device": backup._Default("unknown", backup._text)}
    monkeypatch.setitem(backup.SPECS, "review", later)
    contents = backup.read_lines([HEADER.encode(), json.dumps(GOOD_REVIEW).encode()], "old.jsonl")
    assert [review.card_id for review in contents.reviews] == ["c"]
    with pytest.raises(DlquizError, match="new.jsonl:2: device must be a non-empty string"):
        backup.read_lines([HEADER.encode(), json.dumps({**GOOD_REVIEW, "device": ""}).encode()], "new.jsonl")


def test_a_failure_while_merging_rolls_everything_back(two_homes, monkeypatch):
    a, b_file, _ = two_homes
    before = rows(a)

    def broken(*args):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(backup, "_merge_exercises", broken)  # after every review and card has been written
    with pytest.raises(RuntimeError):
        merge(a, b_file)
    assert rows(a) == before


def test_a_failed_export_leaves_the_old_backup_in_place(tmp_path, monkeypatch):
    store = open_store()
    answer(store, "d1", "relu", 3, T0)
    (tmp_path / "backups").mkdir()
    target = tmp_path / "backups" / "progress.jsonl"
    target.write_text("the old backup\n", encoding="utf-8")

    def half(store, summary):
        yield {"dlquiz_progress": 1}
        raise RuntimeError("interrupted")

    monkeypatch.setattr(backup, "_records", half)
    with pytest.raises(RuntimeError):
        backup.export_to_file(store, target)
    store.close()
    assert target.read_text(encoding="utf-8") == "the old backup\n"
    assert [p.name for p in target.parent.iterdir()] == ["progress.jsonl"]  # no temporary file left behind


# -- the commands -------------------------------------------------------------------------------------------------


def test_cli_export_to_stdout_and_import_from_a_file(tmp_path, monkeypatch):
    store = open_store()
    answer(store, "d1", "卷积-padding", 3, T0)
    answer(store, "d1", "卷积-padding", 3, T0 + timedelta(minutes=10))
    store.set_setting("fuzz", "off")
    store.close()
    result = runner.invoke(app, ["progress", "export", "-o", "-"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]  # stdout holds the data only
    assert [r.get("type") for r in records] == [None, "setting", "card", "review", "review"]
    assert records[2]["card_id"] == "卷积-padding"
    assert "Exported 2 review(s), 1 card state(s), 1 setting(s)" in result.stderr

    path = tmp_path / "moved.jsonl"
    path.write_text(result.stdout, encoding="utf-8")
    use_home(monkeypatch, tmp_path / "other")
    result = runner.invoke(app, ["progress", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "reviews: 2 added, 0 already present" in result.stdout
    assert "card states: 1 recomputed" in result.stdout
    assert "settings: 1 added" in result.stdout
    result = runner.invoke(app, ["progress", "import", str(path)])
    assert "reviews: 0 added, 2 already present" in result.stdout

    result = runner.invoke(app, ["progress", "export", "-o", str(tmp_path / "again.jsonl")])
    assert result.exit_code == 0 and "Exported 2 review(s)" in result.stdout
    again = (tmp_path / "again.jsonl").read_text(encoding="utf-8").splitlines()
    assert again[1:] == path.read_text(encoding="utf-8").splitlines()[1:]


def test_cli_usage_and_missing_files(tmp_path):
    assert runner.invoke(app, ["progress", "export"]).exit_code == 2  # -o is required
    result = runner.invoke(app, ["progress", "import", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 1 and "cannot read" in result.stderr
    result = runner.invoke(app, ["progress", "export", "-o", str(tmp_path / "no-such-dir" / "p.jsonl")])
    assert result.exit_code == 1 and "cannot write" in result.stderr


def test_import_reads_stdin(tmp_path):
    text = HEADER + "\n" + json.dumps(GOOD_REVIEW) + "\n"
    result = runner.invoke(app, ["progress", "import", "-"], input=text)
    assert result.exit_code == 0, result.output
    assert "reviews: 1 added" in result.stdout
    store = open_store()
    # times are kept in the one fixed UTC format whatever ISO spelling the file used
    [review] = ProgressRepository(store).iter_reviews()
    assert review.to_dict()["reviewed_at"] == "2026-03-01T09:00:00.000+00:00"
    store.close()


def test_imported_times_in_any_spelling_fall_on_the_right_study_day():
    """Times are stored in one UTC format, so the daily limits compare them correctly whatever the file wrote."""

    def review(card, at):
        return json.dumps({**GOOD_REVIEW, "card_id": card, "reviewed_at": at})

    # the study day of 2026-03-02 began at 04:00 UTC (the tests run in UTC, days start at 04:00)
    text = (
        "\n".join(
            [
                HEADER,
                review("before", "2026-03-02T11:59:00+08:00"),
                review("after", "2026-03-02T12:01+08:00"),
                review("also-after", "2026-03-01T23:30:00-05:00"),
            ]
        )
        + "\n"
    )
    assert runner.invoke(app, ["progress", "import", "-"], input=text).exit_code == 0
    store = open_store()
    answered = ProgressRepository(store).answered_since(datetime(2026, 3, 2, 4, 0, tzinfo=timezone.utc))
    store.close()
    assert answered.new_cards == 2


def test_progress_commands_do_not_import_torch_or_numpy(tmp_path):
    probe = (  # dlquiz ends the process itself (cli._exit_now): what is imported is reported at exit
        "import atexit, runpy, sys\n"
        "atexit.register(lambda: print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'numpy'))))\n"
        "sys.argv = ['dlquiz', 'progress', 'export', '-o', sys.argv[1]]\n"
        "runpy.run_module('dlquiz', run_name='__main__')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path / "p.jsonl")],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=60,
    )
    assert result.stdout.strip().endswith("[]"), result.stdout + result.stderr
    assert (tmp_path / "p.jsonl").exists()
