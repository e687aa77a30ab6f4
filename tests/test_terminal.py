"""`dlquiz study` in a real pseudo-terminal: keys act without Enter, and the screen fits 60 columns."""

import os
import sys
from pathlib import Path

import pytest

from dlquiz.review.repository import ProgressRepository
from dlquiz.review.store import open_store

pexpect = pytest.importorskip("pexpect", reason="pexpect drives a pseudo-terminal on POSIX only")

REPO = Path(__file__).resolve().parents[1]


def spawn(args, home, columns=60, lang="en_US.UTF-8"):
    env = {
        **os.environ,
        "DLQUIZ_HOME": str(home),
        "PYTHONPATH": str(REPO),
        "LANG": lang,
        "COLUMNS": str(columns),
        "TERM": "xterm",
    }
    child = pexpect.spawn(
        sys.executable, ["-m", "dlquiz", *args], env=env, dimensions=(40, columns), encoding="utf-8", timeout=30
    )
    return child


def saved_answers() -> list[tuple[str, int]]:
    """(card, rating) of every answer the child process saved."""
    store = open_store()
    try:
        return [(review.card_id, int(review.rating)) for review in ProgressRepository(store).iter_reviews()]
    finally:
        store.close()


def test_keys_act_without_enter_in_a_real_terminal(isolated_home, all_types_deck):
    child = spawn(["study", str(all_types_deck), "--lang", "en"], isolated_home)
    child.expect("What is ReLU\\?")
    child.expect("show answer")
    child.send(" ")  # a single key, no Enter
    child.expect("max\\(0, x\\)")
    child.expect("Easy")
    child.send("3")
    child.expect("Learning 1")  # the answered card is now in learning
    child.send("u")  # undo brings it back
    child.expect("Undone")
    child.expect("What is ReLU\\?")
    child.send(" ")
    child.expect("Easy")
    child.send("4")
    child.expect("show answer")  # next card: cloze c1 (the reverse is buried as its sibling)
    child.send("q")
    child.expect("This session")
    child.expect("reviewed: 1")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert saved_answers() == [("relu-basic", 4)]


def test_typed_chinese_answer_and_choice_keys_in_a_terminal(isolated_home, all_types_deck):
    child = spawn(["study", str(all_types_deck), "--lang", "zh"], isolated_home, lang="zh_CN.UTF-8")
    for _ in range(2):  # basic, then cloze c1 (their siblings, the reverse and c2, are buried until tomorrow)
        child.expect("显示答案")
        child.send(" ")
        child.expect("简单")
        child.send("4")
    child.expect("训练时 BN 用哪种方差归一化")
    child.expect("按选项的数字")
    child.send("9")  # not an option: asked again, nothing saved
    child.expect("没有第 9 个选项：选项是 1–3")
    child.send("1")
    child.expect("(正确|不对)")
    child.send("\r")  # accept the suggested rating
    child.expect("GAP 有多少可训练参数")
    child.expect("你的答案")
    child.sendline("零")
    child.expect("✓ 正确")
    child.send("\r")
    child.expect("输出边长")
    child.sendline(":q")
    child.expect("本次学习")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert len(saved_answers()) == 4


def test_narrow_terminal_keeps_the_panel_inside_60_columns(isolated_home, all_types_deck):
    child = spawn(["study", str(all_types_deck), "--lang", "both"], isolated_home, columns=60)
    child.expect("show answer")
    screen = child.before
    child.send("q")
    child.expect(pexpect.EOF)
    import re

    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen)
    from rich.cells import cell_len

    widths = [cell_len(line) for line in plain.replace("\r", "").split("\n")]
    assert max(widths) <= 60, max(widths)
    assert "ReLU 的定义？" in plain


ONE_TYPED_CARD = """\
format: 1
id: one-typed
title: {zh: 一张输入题, en: One typed card}
cards:
  - id: gap-params
    type: typed
    question: {zh: "GAP 有多少可训练参数？", en: "How many trainable parameters does GAP have?"}
    answer: "0"
    accept: [零]
"""


class TerminalScreen:
    """What the learner actually sees: the pty's bytes fed through a VT100 emulator (pyte)."""

    def __init__(self, child, columns: int, rows: int = 40) -> None:
        pyte = pytest.importorskip("pyte")
        self.child = child
        self.screen = pyte.Screen(columns, rows)
        self.stream = pyte.Stream(self.screen)

    def pump(self, seconds: float = 0.5) -> None:
        import time

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                self.stream.feed(self.child.read_nonblocking(4096, timeout=0.05))
            except pexpect.TIMEOUT:
                continue
            except pexpect.EOF:
                return

    def wait_for(self, text: str, seconds: float = 30) -> None:
        import time

        deadline = time.monotonic() + seconds
        while text not in self.text():
            assert time.monotonic() < deadline, f"{text!r} never appeared on:\n{self.text()}"
            self.pump(0.1)

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def line_with(self, text: str) -> str:
        return next(line for line in self.screen.display if text in line).rstrip()


def test_backspace_over_chinese_erases_whole_characters(isolated_home, tmp_path):
    deck = tmp_path / "one-typed.yaml"
    deck.write_text(ONE_TYPED_CARD, encoding="utf-8")
    child = spawn(["study", str(deck), "--lang", "zh"], isolated_home, columns=60, lang="zh_CN.UTF-8")
    screen = TerminalScreen(child, columns=60)
    screen.wait_for("你的答案")
    child.send("不知道")
    screen.wait_for("不知道")
    child.send("\x7f\x7f")  # two backspaces, as the terminal sends them
    screen.pump(1.0)
    prompt_line = screen.line_with("你的答案")
    assert prompt_line.endswith("不"), repr(prompt_line)
    assert "知" not in prompt_line and "道" not in prompt_line
    child.send("\x15")  # Ctrl-U clears the line, wide characters included
    screen.pump(1.0)
    assert screen.line_with("你的答案").rstrip().endswith(":"), repr(screen.line_with("你的答案"))
    child.send("零\r")
    screen.wait_for("正确")
    child.sendcontrol("c")
    child.expect(pexpect.EOF)


ONE_CHOICE_CARD = """\
format: 1
id: one-choice
title: {zh: 一张选择题, en: One choice card}
cards:
  - id: bn-var
    type: choice
    shuffle: false
    question: {zh: "训练时 BN 用哪种方差？", en: "Which variance does BN use in training?"}
    options:
      - {text: {zh: 有偏方差, en: the biased variance}, correct: true}
      - {text: {zh: 无偏方差, en: the unbiased variance}}
"""


def test_choice_keys_in_a_terminal_enter_means_dont_know_and_messages_do_not_stack(isolated_home, tmp_path):
    deck = tmp_path / "one-choice.yaml"
    deck.write_text(ONE_CHOICE_CARD, encoding="utf-8")
    child = spawn(["study", str(deck), "--lang", "en"], isolated_home, columns=60)
    screen = TerminalScreen(child, columns=60)
    screen.wait_for("Enter = don't know")
    for key in "xx7":  # two keys that are no number, then a number that is no option
        child.send(key)
        screen.pump(0.3)
    screen.wait_for("there is no option 7: the options are 1–2")
    assert screen.text().count("please give option numbers") == 1
    child.send("\r")  # Enter: don't know
    screen.wait_for("Not quite")
    screen.wait_for("Enter = Again")
    child.send("\r")
    screen.wait_for("Learning 1")  # Again: the card comes back in a minute, shown early as nothing else is left
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert saved_answers() == [("bn-var", 1)]
