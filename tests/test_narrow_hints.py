"""At 40 or 60 columns the study screen's key hints and rating buttons wrap between hints, never inside one:
`q quit` is never split into `q` and `quit`, nor `4 Easy 6d` into two lines. Driven through `dlquiz study`."""

import re

import pytest
from typer.testing import CliRunner

from dlquiz.cli.app import app
from dlquiz.cli.hintline import fit_hint, hint_pieces

runner = CliRunner()

DECK = """\
format: 1
id: narrow
title: {zh: 窄屏, en: Narrow}
cards:
  - id: flip
    type: basic
    front: {zh: ReLU 的输出范围？, en: What is the range of ReLU?}
    back: {zh: "`[0, ∞)`", en: "`[0, ∞)`"}
  - id: typed
    type: typed
    question: {zh: "sigmoid 导数的最大值？", en: "Largest value of the sigmoid's derivative?"}
    answer: "0.25"
"""
EN_KEYS = [
    "space/enter: show answer",
    "s suspend",
    "b bury",
    "u undo",
    "q quit",
    "? help",
    "Enter = Good",
    ":u undo",
    ":s suspend",
    ":b bury",
    ":q quit",
]
ZH_KEYS = [
    "空格/回车 显示答案",
    "s 暂停",
    "b 搁置到明天",
    "u 撤销",
    "q 退出",
    "? 帮助",
    "回车 = 良好",
    ":u 撤销",
    ":q 退出",
]


def study(tmp_path, monkeypatch, columns: int, lang: str) -> list[str]:
    deck = tmp_path / "narrow.yaml"
    deck.write_text(DECK, encoding="utf-8")
    monkeypatch.setenv("COLUMNS", str(columns))
    result = runner.invoke(app, ["study", str(deck), "--lang", lang], input="\n3\n0.25\n3\n")
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


@pytest.mark.parametrize("columns", [40, 60])
@pytest.mark.parametrize(
    ("lang", "keys", "buttons"),
    [
        ("en", EN_KEYS, [r"1 Again \S+", r"2 Hard \S+", r"3 Good \S+", r"4 Easy \S+"]),
        ("zh", ZH_KEYS, [r"1 重来 \S+", r"2 困难 \S+", r"3 良好 \S+", r"4 简单 \S+"]),
    ],
)
def test_hints_and_buttons_stay_whole_at_narrow_widths(tmp_path, monkeypatch, columns, lang, keys, buttons):
    lines = study(tmp_path, monkeypatch, columns, lang)
    for key in keys:
        assert any(key in line for line in lines), f"{key!r} was split across lines:\n" + "\n".join(lines)
    for button in buttons:
        assert any(re.search(button, line) for line in lines), f"{button!r} was split:\n" + "\n".join(lines)
    assert all(len(line.rstrip()) <= columns for line in lines if not re.search(r"[\u4e00-\u9fff]", line))


def test_a_hint_line_breaks_only_between_hints():
    line = "empty Enter = don't know; :u undo  :s suspend  :b bury  :q quit"
    assert hint_pieces(line) == ["empty Enter = don't know; ", ":u undo  ", ":s suspend  ", ":b bury  ", ":q quit"]
    assert fit_hint(line, 40).plain.splitlines() == [
        "empty Enter = don't know; :u undo",
        ":s suspend  :b bury  :q quit",
    ]
    assert fit_hint(line, 200).plain == line  # a wide terminal keeps the line as it was
