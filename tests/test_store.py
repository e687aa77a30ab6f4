"""The progress database: migrations, WAL, crash safety, two writers, and damaged or read-only files."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from dlquiz.cli.app import app
from dlquiz.review.repository import ProgressRepository
from dlquiz.review.store import MIGRATIONS, open_store

runner = CliRunner()
REPO = Path(__file__).resolve().parents[1]


def db_path(home: Path) -> Path:
    return home / "progress.sqlite3"


def test_migrates_from_empty_and_is_idempotent(isolated_home):
    store = open_store()
    assert store.schema_version() == MIGRATIONS[-1][0]
    tables = {row[0] for row in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"card_state", "review_log", "settings", "exercise_attempt", "exercise_hint"} <= tables
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.set_setting("new-per-day", "5")
    store.close()
    again = open_store()  # opening again applies nothing and keeps data
    assert again.settings() == {"new-per-day": "5"}
    again.close()
    assert not list(isolated_home.glob("*.bak")), "no backup is made when nothing migrates"


def test_a_new_migration_backs_the_database_up_first(isolated_home, monkeypatch):
    open_store().close()
    from dlquiz.review import store as store_module

    def m999(db):
        db.execute("CREATE TABLE extra (x INTEGER) STRICT")

    monkeypatch.setattr(store_module, "MIGRATIONS", [*MIGRATIONS, (MIGRATIONS[-1][0] + 1, "extra", m999)])
    upgraded = open_store()
    assert upgraded.schema_version() == MIGRATIONS[-1][0] + 1
    upgraded.close()
    backups = list(isolated_home.glob("progress.sqlite3.before-v*.bak"))
    assert len(backups) == 1
    old = sqlite3.connect(backups[0])
    assert old.execute("PRAGMA user_version").fetchone()[0] == MIGRATIONS[-1][0]
    old.close()


def study_process(*args, stdin=subprocess.PIPE):
    return subprocess.Popen(
        [sys.executable, "-m", "dlquiz", "study", *args],
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=REPO,
    )


def review_count(home: Path) -> int:
    if not db_path(home).exists():  # the study process has not created it yet
        return 0
    store = open_store(db_path(home))
    try:
        return ProgressRepository(store).review_count()
    finally:
        store.close()


def test_an_answer_survives_a_killed_process(isolated_home, all_types_deck):
    process = study_process(str(all_types_deck))
    process.stdin.write(b"\n3\n")  # reveal the first card, rate it Good; then wait for more input
    process.stdin.flush()
    deadline = time.monotonic() + 30
    while review_count(isolated_home) < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "study should still be waiting for the next answer"
    process.send_signal(signal.SIGKILL)
    process.wait()
    store = open_store(db_path(isolated_home))
    assert store.integrity_problems() == []
    repository = ProgressRepository(store)
    rows = [(review.card_id, int(review.rating), review.queue) for review in repository.iter_reviews()]
    assert rows == [("relu-basic", 3, "new")]
    state = repository.card_state("sample", "relu-basic")
    assert state is not None and state.last_review is not None
    store.close()


def test_two_sessions_at_once_both_save(isolated_home, all_types_deck):
    open_store().close()
    first = study_process(str(all_types_deck))
    second = study_process(str(all_types_deck))
    # Both answer their first card (the same one) and then keep the database open.
    for process in (first, second):
        process.stdin.write(b"\n4\n")
        process.stdin.flush()
    deadline = time.monotonic() + 30
    while review_count(isolated_home) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    for process in (first, second):
        process.stdin.write(b"\n4\nq\n")
        process.stdin.flush()
    outputs = [process.communicate(timeout=30) for process in (first, second)]
    assert [process.returncode for process in (first, second)] == [0, 0], outputs
    assert review_count(isolated_home) == 4


def test_a_damaged_database_is_reported_and_left_alone(isolated_home):
    isolated_home.mkdir(parents=True)
    garbage = b"this is not a database, but it may be someone's only copy" * 100
    db_path(isolated_home).write_bytes(garbage)
    for command in (["decks"], ["study"], ["config"]):
        result = runner.invoke(app, command, input="q\n")
        assert result.exit_code == 1, result.output
        assert "is damaged" in result.output and "left untouched" in result.output
        assert "Traceback" not in result.output
    assert db_path(isolated_home).read_bytes() == garbage


def test_a_read_only_database_gets_a_clear_message(isolated_home, all_types_deck, monkeypatch):
    store = open_store()
    store.close()
    before = db_path(isolated_home).read_bytes()
    if os.geteuid() != 0:
        os.chmod(db_path(isolated_home), 0o444)
    else:
        # root ignores file modes, so open the file the way SQLite opens a read-only one
        from dlquiz.review import store as store_module

        real_connect = sqlite3.connect

        def read_only(path, **kwargs):
            return real_connect(f"file:{path}?mode=ro", uri=True, **kwargs)

        monkeypatch.setattr(store_module.sqlite3, "connect", read_only)
    result = runner.invoke(app, ["study", str(all_types_deck)], input="\n3\n")
    os.chmod(db_path(isolated_home), 0o644)
    assert result.exit_code == 1, result.output
    assert "read-only" in result.output and "DLQUIZ_HOME" in result.output
    assert "Traceback" not in result.output
    assert db_path(isolated_home).read_bytes() == before
