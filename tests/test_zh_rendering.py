"""What a Chinese reader sees: cloze blanks that render (no literal `*`), line breaks that respect Chinese
punctuation and keep formulas together, and an interface in the language of --lang (units, help, decks, config)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.markdown import Markdown
from rich.panel import Panel
from typer.testing import CliRunner

from dlquiz.cards import library
from dlquiz.cards.types import make_challenge
from dlquiz.cli.app import app
from dlquiz.console import make_console
from dlquiz.linebreak import CLOSING, OPENING, divide_line

runner = CliRunner()
CODE_SPAN = re.compile(r"`[^`]*`")


def render(markdown: str, width: int) -> str:
    console = make_console(width=width)
    with console.capture() as captured:
        console.print(Panel(Markdown(markdown)))
    return captured.get()


def builtin_items():
    (deck,) = library.load(["dl-notes"]).decks
    return deck.items()


def test_every_cloze_item_of_the_builtin_deck_renders_without_literal_stars():
    cloze = [item for item in builtin_items() if item.card.type == "cloze"]
    assert len(cloze) >= 30  # the built-in deck has 39 cloze items
    for item in cloze:
        for lang in ("zh", "en"):
            challenge = make_challenge(item, lang, random.Random(0))
            for markdown in (challenge.question, challenge.answer):
                stars_in_code = sum(span.count("*") for span in CODE_SPAN.findall(markdown))
                shown = render(markdown, 100)
                assert shown.count("*") == stars_in_code, f"{item.key} ({lang}):\n{shown}"


def test_a_piped_chinese_session_over_the_whole_deck_shows_no_markdown_stars(isolated_home):
    runner.invoke(app, ["config", "new-per-day", "1000"])
    # "4" is ignored on a reveal card and picks option 4 or is refused on a choice card; "" reveals, accepts, or
    # answers "don't know": every card type moves on, and each answer is Easy or the suggested rating.
    result = runner.invoke(app, ["study", "dl-notes", "--lang", "zh"], input="4\n\n" * 700)
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.count("╭─ dl-notes") >= 100  # most of the deck was shown
    assert "[…]" in out
    # A numeric card's worked formula is deck arithmetic, where `**` is the power operator: e.g. (0.25 ** L 其中 L = 5).
    prose = "\n".join(line for line in out.splitlines() if "其中" not in line)
    assert "**" not in prose and not re.search(r"\*\[|\]\*|\*\*", prose)
    assert "填空/数值题" not in out


@pytest.mark.parametrize("width", [40, 60])
def test_chinese_lines_break_between_characters_and_never_before_closing_punctuation(width):
    items = [item for item in builtin_items() if item.card.type in ("basic", "cloze", "typed")]
    for item in items:
        challenge = make_challenge(item, "zh", random.Random(0))
        shown = render(challenge.question + "\n\n" + challenge.answer, width)
        lines = [line.strip("│ ").rstrip() for line in shown.splitlines()[1:-1]]
        for line, following in zip(lines, lines[1:], strict=False):
            assert not following or following[0] not in CLOSING - {".", "-"}, f"{item.key}: {line!r} / {following!r}"
            assert not line or line[-1] not in OPENING, f"{item.key}: {line!r}"
        assert max(cell_len(line) for line in shown.splitlines()) <= width


def test_a_formula_is_kept_together_and_cjk_fills_the_line():
    text = "学习率 `η = 0.1` 时，learning rate 太大会发散（不收敛），这句话继续写下去直到需要换行为止。"
    for width in range(16, 61):
        console = make_console(width=width)
        with console.capture() as captured:
            console.print(Markdown(text))
        lines = [line.rstrip() for line in captured.get().splitlines()]
        assert any("η = 0.1" in line for line in lines), (width, lines)
        for line in lines[1:]:
            assert line[:1] not in ("，", "。", "）"), (width, lines)
    # between Chinese characters a line breaks where it is full, not only at spaces
    assert divide_line("深度学习笔记深度学习笔记", 10) == [5, 10]
    assert divide_line("ab（不收敛）", 5) == [2, 4, 5]  # never after "（" nor before "）"


def test_english_text_wraps_exactly_as_rich_does():
    from rich._wrap import divide_line as rich_divide_line

    text = "The learning rate eta = 0.1 is small enough, isn't it? (yes) " * 3
    import rich.text

    make_console()  # installs the rules
    for width in (10, 23, 40, 60):
        assert rich.text.divide_line(text, width, True) == rich_divide_line(text, width, True)


def test_the_chinese_interface_names_units_help_and_columns(isolated_home, all_types_deck):
    study = runner.invoke(app, ["study", str(all_types_deck), "--lang", "zh"], input="\n?\n3\nq\n")
    assert study.exit_code == 0, study.output
    assert re.search(r"1 重来 1分钟\s+2 困难 6分钟\s+3 良好 10分钟", study.output), study.output
    assert "输入题/数值题" in study.output and "填空/数值" not in study.output
    assert "本次学习" in study.output and "下一张到期" in study.output and "分钟)" in study.output
    decks = runner.invoke(app, ["decks", "--lang", "zh", "--tags"])
    assert "卡组" in decks.output and "条目" in decks.output and "每个标签的卡片数" in decks.output
    config = runner.invoke(app, ["config", "--lang", "zh"])
    assert "desired-retention = 0.9" in config.output and "希望答对的复习比例" in config.output


def test_the_numeric_worked_formula_reads_in_chinese(all_types_deck):
    (deck,) = library.load([str(all_types_deck)]).decks
    (item,) = [item for item in deck.items() if item.card.type == "numeric"]
    assert " 其中 " in make_challenge(item, "zh", random.Random(1)).answer
    assert " with " in make_challenge(item, "en", random.Random(1)).answer


def test_decks_and_exercises_fit_narrow_terminals_without_cutting_words(monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    decks = runner.invoke(app, ["decks", "--lang", "en"])
    assert "dl-notes · Deep-learning notes" in decks.output
    monkeypatch.setenv("COLUMNS", "60")
    listed = runner.invoke(app, ["exercise", "--lang", "en"])
    assert "…" not in listed.output
    assert "gap · Global average pooling (GAP)" in listed.output and "attempts\u00a00" in listed.output
    headers = runner.invoke(app, ["decks", "--lang", "en"]).output.splitlines()[0]
    assert [word.strip() for word in headers.split("┃")] == ["deck", "title", "items", "new", "learn", "due", "susp."]


def test_config_meanings_are_wrapped_to_the_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    shown = runner.invoke(app, ["config", "--lang", "en"]).output
    assert max(len(line.rstrip()) for line in shown.splitlines()) <= 40
    assert "fuzz = on" in shown


def test_the_solution_is_never_hard_wrapped(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    result = runner.invoke(app, ["exercise", "attention", "--solution", "--lang", "en"], input="y\n")
    assert result.exit_code == 0, result.output
    source = (Path(__file__).resolve().parents[1] / "exercises" / "attention" / "solution.py").read_text("utf-8")
    code = result.output[result.output.index(source[:20]) :]
    assert code.strip() == source.strip()  # redirected to a file, it is the file: it compiles
    compile(code, "solution.py", "exec")


EXERCISES = Path(__file__).resolve().parents[1] / "exercises"


@pytest.mark.parametrize(
    "name", sorted(path.name for path in EXERCISES.iterdir() if (path / "exercise.yaml").is_file())
)
def test_exercise_hints_and_diagnoses_show_no_markdown_stars(name):
    from dlquiz.grading.catalog import load_exercise
    from dlquiz.text import pick

    exercise = load_exercise(name)
    for hint in exercise.hints:
        for lang in ("zh", "en"):
            markdown = pick(hint, lang)
            stars_in_code = sum(span.count("*") for span in CODE_SPAN.findall(markdown))
            lone_stars = len(re.findall(r"(?<=\s)\*(?=\s)", CODE_SPAN.sub("", markdown)))  # `a * b` shows its star
            assert render(markdown, 100).count("*") == stars_in_code + lone_stars, (name, markdown)
    # diagnoses are shown as plain text, never Markdown: emphasis written as *word* would show its stars
    source = (EXERCISES / name / "grading.py").read_text(encoding="utf-8")
    # (`N*H*W` is a formula and reads right as plain text; `*max*` is emphasis that never renders)
    assert not re.search(r"(?<![\w*])\*[^\s*][^*\n\"]*[^\s*]\*(?![\w*])", source.split("MISTAKES")[-1]), name


def test_stats_labels_its_unit_and_speaks_chinese(isolated_home, all_types_deck):
    runner.invoke(app, ["study", str(all_types_deck), "--lang", "zh"], input="\n3\nq\n")
    shown = runner.invoke(app, ["stats", "--lang", "zh"]).output
    assert "卡片 = 复习条目" in shown and "学习时间" in shown
    assert "卡片 = 复习条目" not in runner.invoke(app, ["stats", "--lang", "en"]).output
    assert "cards = review items" in runner.invoke(app, ["stats", "--lang", "en"]).output


def test_a_formula_longer_than_the_line_is_folded_without_starting_a_line_with_punctuation():
    text = "矩阵 ∂h_s/∂h_(s−1) = diag(1 − h_s²)·W_hh；它们的范数（tanh 饱和）"
    for width in range(8, 40):
        offsets = divide_line(text, width)
        lines = [text[a:b] for a, b in zip([0, *offsets], [*offsets, len(text)], strict=False)]
        assert "".join(lines) == text
        for line in lines[1:]:
            assert line[:1] not in CLOSING, (width, lines)
        for line in lines[:-1]:
            assert line.rstrip()[-1:] not in OPENING, (width, lines)
        assert max(cell_len(line.rstrip()) for line in lines) <= width, (width, lines)
