"""`progress import` reads the gzip backups that the README's own recipe writes (`export -o - | gzip > x.jsonl.gz`)."""

from __future__ import annotations

import gzip

from typer.testing import CliRunner

from dlquiz.cli.app import app

runner = CliRunner()


def backup_text(all_types_deck) -> str:
    """A real backup: two answers given through `study`, then `progress export -o -`."""
    studied = runner.invoke(app, ["study", str(all_types_deck), "--lang", "en"], input="\n4\n\n3\nq\n")
    assert studied.exit_code == 0, studied.output
    exported = runner.invoke(app, ["progress", "export", "-o", "-"])
    assert exported.stdout.count('"type":"review"') == 2
    return exported.stdout


def move_home(monkeypatch, folder) -> None:
    monkeypatch.setenv("DLQUIZ_HOME", str(folder))


def test_a_gzip_backup_imports_like_the_plain_file(tmp_path, monkeypatch, all_types_deck):
    packed = tmp_path / "backup.jsonl.gz"
    packed.write_bytes(gzip.compress(backup_text(all_types_deck).encode("utf-8")))
    move_home(monkeypatch, tmp_path / "other-machine")
    result = runner.invoke(app, ["progress", "import", str(packed)])
    assert result.exit_code == 0, result.output
    assert "reviews: 2 added" in result.stdout
    again = runner.invoke(app, ["progress", "import", str(packed)])
    assert "reviews: 0 added, 2 already present" in again.stdout


def test_a_truncated_gzip_backup_is_refused_and_nothing_is_written(tmp_path, monkeypatch, all_types_deck):
    packed = gzip.compress(backup_text(all_types_deck).encode("utf-8"))
    move_home(monkeypatch, tmp_path / "other-machine")
    broken = tmp_path / "broken.jsonl.gz"
    broken.write_bytes(packed[: len(packed) // 2])
    result = runner.invoke(app, ["progress", "import", str(broken)])
    assert result.exit_code == 1
    assert "broken.jsonl.gz" in result.stderr and "gzip" in result.stderr
    assert "Nothing was imported" in result.stderr
    export = runner.invoke(app, ["progress", "export", "-o", "-"])
    assert '"type":"review"' not in export.stdout
