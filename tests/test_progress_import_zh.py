"""The `progress import` summary and the `exercise --file` path errors speak the learner's language."""

from __future__ import annotations

from typer.testing import CliRunner

from dlquiz.cli.app import app

runner = CliRunner()


def test_the_import_summary_follows_lang(tmp_path, monkeypatch, all_types_deck):
    studied = runner.invoke(app, ["study", str(all_types_deck), "--lang", "en"], input="\n4\n\n3\nq\n")
    assert studied.exit_code == 0, studied.output
    backup = tmp_path / "backup.jsonl"
    assert runner.invoke(app, ["progress", "export", "-o", str(backup)]).exit_code == 0
    monkeypatch.setenv("DLQUIZ_HOME", str(tmp_path / "other-machine"))
    chinese = runner.invoke(app, ["progress", "import", str(backup), "--lang", "zh"])
    assert chinese.exit_code == 0, chinese.output
    assert "已导入" in chinese.output and "复习记录：新增 2 条，已有 0 条" in chinese.output
    assert "added" not in chinese.output
    english = runner.invoke(app, ["progress", "import", str(backup), "--lang", "en"])
    assert "reviews: 0 added, 2 already present" in english.output


def test_a_missing_learner_file_is_explained_in_chinese_with_where_paths_start(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["exercise", "relu", "--file", "relu_mine.py", "--lang", "zh"])
    assert result.exit_code == 2
    assert "没有这个文件：relu_mine.py" in result.output
    assert str(tmp_path) in result.output  # the hint names the folder paths are read from
    english = runner.invoke(app, ["exercise", "relu", "--file", "relu_mine.py", "--lang", "en"])
    assert "no such file: relu_mine.py" in english.output and "current folder" in english.output
