"""The errors learners meet most follow --lang, else DLQUIZ_LANG or the locale; English stays the fallback."""

import sqlite3

import pytest
from typer.testing import CliRunner

from dlquiz.cli.app import app
from dlquiz.review.store import _explain

runner = CliRunner()


def run(args: list[str], env: dict[str, str] | None = None):
    return runner.invoke(app, args, env=env)


@pytest.mark.parametrize(
    "args, env, zh, en",
    [
        (["study", "no-such-deck", "--lang", "zh"], None, "没有名为 'no-such-deck' 的卡组", None),
        (["study", "no-such-deck"], {"LANG": "zh_CN.UTF-8"}, "没有名为 'no-such-deck' 的卡组", None),
        (["study", "no-such-deck", "--lang", "en"], {"LANG": "zh_CN.UTF-8"}, None, "no deck named 'no-such-deck'"),
        (["study", "no-such-deck"], None, None, "no deck named 'no-such-deck'"),
        (["study", "--lang", "fr"], {"LANG": "zh_CN.UTF-8"}, "未知的语言 'fr'", None),
        (["study", "-l", "fr"], None, None, "unknown language 'fr'"),
        (["config", "new-per-day", "many", "--lang=zh"], None, "new-per-day = 'many'：不是数字", None),
        (["config", "fuzz", "maybe"], {"DLQUIZ_LANG": "zh"}, "fuzz = 'maybe'：必须是 on 或 off", None),
        (["config", "no-such-setting", "-l", "zh"], None, "没有名为 'no-such-setting' 的设置", None),
        (["study", "--tag", "no-such-tag", "--lang", "zh"], None, "没有卡片带有标签 no-such-tag", None),
    ],
)
def test_common_errors_speak_the_learners_language(args, env, zh, en):
    result = run(args, env)
    assert result.exit_code == 2, result.output
    assert result.output.startswith("dlquiz: ")
    assert "Traceback" not in result.output
    if zh:
        assert zh in result.output and "no deck named" not in result.output
    else:
        assert en in result.output and "没有" not in result.output


def test_a_damaged_database_is_explained_in_chinese(isolated_home):
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "progress.sqlite3").write_bytes(b"this is not an sqlite file at all" * 100)
    result = run(["study", "--lang", "zh"], env=None)
    assert result.exit_code == 1
    assert "已损坏" in result.output and "文件没有被改动" in result.output
    english = run(["study", "--lang", "en"])
    assert "is damaged" in english.output and "left untouched" in english.output


@pytest.mark.parametrize(
    "error, zh, en",
    [
        ("database is locked", "正忙：另一个 dlquiz 锁住了它；这次更改没有保存", "is busy"),
        ("attempt to write a readonly database", "是只读的", "is read-only"),
        ("unable to open database file", "无法打开进度数据库", "cannot open the progress database"),
    ],
)
def test_busy_read_only_and_unopenable_databases_have_both_languages(tmp_path, error, zh, en):
    explained = _explain(tmp_path / "progress.sqlite3", sqlite3.OperationalError(error))
    message, hint = explained.in_language("zh")
    assert zh in message and hint
    assert en in explained.in_language("en")[0]
    assert explained.in_language("both") == (explained.message, explained.hint)


def test_an_unknown_exercise_and_a_missing_backup_are_explained_in_chinese(monkeypatch, tmp_path):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    unknown = runner.invoke(app, ["exercise", "rleu"])
    assert unknown.exit_code == 2
    assert "没有名为 'rleu' 的练习" in unknown.stderr and "你是不是想找 `relu`？" in unknown.stderr
    assert "Traceback" not in unknown.output

    missing = runner.invoke(app, ["progress", "import", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code == 1 and "无法读取" in missing.stderr
    assert "dlquiz progress export" in missing.stderr and "没有导入任何内容" in missing.stderr
    english = run(["progress", "import", str(tmp_path / "nope.jsonl")], env={"DLQUIZ_LANG": "en"})
    assert "Give the path of a file written by `dlquiz progress export`" in english.stderr
