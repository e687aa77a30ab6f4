"""Code cards: validation with file:line, the challenge, the schema, the Anki note, grading a fill against PyTorch,
and studying one through the CLI (a fill, a wrong fill with its diagnosis, "don't know", `:e` in $EDITOR, --type)."""

from __future__ import annotations

import json
import random
import sys
import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from dlquiz.cards import types
from dlquiz.cards.card import Card
from dlquiz.cards.challenge import CODE, fill_blank
from dlquiz.cards.deck import load_deck
from dlquiz.cards.schema import deck_schema
from dlquiz.cli.app import app
from dlquiz.grading.catalog import load_exercise
from dlquiz.grading.grader import grade_file
from dlquiz.grading.catalog import CatalogExercises
from dlquiz.grading.snippet import grade_code
from dlquiz.review.repository import ProgressRepository
from dlquiz.review.store import open_store

runner = CliRunner()
REPO = Path(__file__).resolve().parents[1]
BUILTIN = REPO / "decks" / "dl-notes.yaml"

GAP_CARD = """\
id: cc
title: {zh: 代码, en: Code}
cards:
  - id: gap-code
    type: code
    exercise: gap
    question: {zh: "补全全局平均池化：x 的形状是 (N, C, H, W)", en: "Complete global average pooling; x is (N, C, H, W)"}
    code: |
      def global_avg_pool(x):
          return ___
    answer: "x.mean(axis=(2, 3))"
"""


def write(tmp_path: Path, text: str, name: str = "deck.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def deck_check(path: Path) -> list[str]:
    result = runner.invoke(app, ["deck", "check", str(path)])
    return [line for line in result.output.splitlines() if line.startswith(str(path))]


# --- validation ---------------------------------------------------------------------------------------------------


def test_a_valid_code_card_passes_deck_check(tmp_path):
    result = runner.invoke(app, ["deck", "check", str(write(tmp_path, GAP_CARD))])
    assert result.exit_code == 0, result.output


def card(body: str) -> str:
    """A deck with one code card (``body`` is the card's fields after id and type)."""
    return "id: cc\ntitle: t\ncards:\n  - id: c\n    type: code\n" + textwrap.indent(textwrap.dedent(body), "    ")


@pytest.mark.parametrize(
    "body, expected",
    [
        (
            "exercise: gapp\nquestion: q\ncode: |\n  def global_avg_pool(x):\n    return ___\nanswer: x\n",
            "6: card 'c': no exercise named 'gapp' (exercises: attention,",
        ),
        (
            "exercise: relu\nquestion: q\ncode: |\n  def relux(x):\n    return ___\nanswer: x\n",
            "8: card 'c': the code defines relux, none of the functions of exercise relu (relu, relu_grad)",
        ),
        (
            "exercise: gap\nquestion: q\ncode: |\n  def global_avg_pool(x):\n    return ___ + ___\nanswer: x\n",
            "8: card 'c': code must contain exactly one blank `___`, found 2",
        ),
        (
            "exercise: gap\nquestion: q\ncode: |\n  def global_avg_pool(x):\n    return x\nanswer: x\n",
            "8: card 'c': code must contain exactly one blank `___`, found 0",
        ),
        (
            "exercise: gap\nquestion: q\ncode: |\n  def global_avg_pool(x):\n    return ___\nanswer: x.mean(axis=(2, 3)\n",
            "8: card 'c': the code with the answer filled in is not valid Python (line 2 of the code:",
        ),
        (
            'exercise: gap\nquestion: q\ncode: |\n  def global_avg_pool(x):\n    return ___\nanswer: "___"\n',
            "11: card 'c': the answer must fill the blank, not contain `___`",
        ),
        (
            'exercise: gap\nquestion: q\ncode: |\n  x = ___\nanswer: "1"\n',
            "8: card 'c': the code must define the exercise's function",
        ),
        (
            "question: q\ncode: |\n  def global_avg_pool(x):\n    return ___\nanswer: x\n",
            "4: card 'c': a code card needs 'exercise'",
        ),
        (
            "exercise:\nquestion: q\ncode: |\n  def global_avg_pool(x):\n    return ___\nanswer: x\n",
            "6: card 'c': a code card needs 'exercise': the id of the exercise that grades it",
        ),
        (
            "exercise: transfer\nquestion: q\ncode: |\n  def set_training(model, mode):\n    ___\nanswer: model.train()\n",
            "8: card 'c': the cases of exercise transfer call its functions together, so the code must define all of "
            "them (missing: prepare_transfer)",
        ),
    ],
    ids=[
        "unknown-exercise",
        "not-its-function",
        "two-blanks",
        "no-blank",
        "answer-breaks-syntax",
        "answer-has-blank",
        "no-function",
        "no-exercise",
        "empty-exercise",
        "harness-needs-all",
    ],
)
def test_deck_check_names_each_problem_with_its_line(tmp_path, body, expected):
    path = write(tmp_path, card(body))
    problems = deck_check(path)
    assert any(line.startswith(f"{path}:{expected}") for line in problems), problems


def test_the_exercise_lookup_reads_the_catalog():
    lookup = CatalogExercises()
    assert "gap" in lookup.names() and lookup.functions("gap") == ("global_avg_pool",)
    assert lookup.functions("no-such-exercise") is None
    assert lookup.called_together("transfer") and not lookup.called_together("relu")


# --- the challenge, the schema, Anki ------------------------------------------------------------------------------


def test_the_challenge_carries_the_code_and_its_exercise(tmp_path):
    (gap,) = load_deck(write(tmp_path, GAP_CARD)).items()
    challenge = types.make_challenge(gap, "zh", random.Random(0))
    assert challenge.mode == CODE and challenge.exercise == "gap"
    assert challenge.question == "补全全局平均池化：x 的形状是 (N, C, H, W)"
    assert challenge.filled("x.mean(axis=(2, 3))") == "def global_avg_pool(x):\n    return x.mean(axis=(2, 3))\n"


def test_a_fill_of_several_lines_keeps_the_blanks_indentation():
    code = "def f(x):\n    ___\n    return y\n"
    assert fill_blank(code, "y = x + 1\ny = y * 2") == "def f(x):\n    y = x + 1\n    y = y * 2\n    return y\n"


def test_the_schema_describes_code_cards_as_the_loader_does(tmp_path):
    result = runner.invoke(app, ["deck", "schema"])
    schema = json.loads(result.output)
    (code,) = [c for c in schema["properties"]["cards"]["items"]["oneOf"] if c["properties"]["type"]["const"] == "code"]
    assert set(code["required"]) == {"id", "type", "exercise", "question", "code", "answer"}
    jsonschema.validate(yaml.safe_load(GAP_CARD), deck_schema())
    two_blanks = yaml.safe_load(GAP_CARD.replace("return ___", "return ___ + ___"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(two_blanks, deck_schema())
    without_exercise = yaml.safe_load(GAP_CARD.replace("    exercise: gap\n", ""))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(without_exercise, deck_schema())


def test_the_anki_note_shows_the_code_with_its_blank_and_the_fill_on_the_back():
    fields = {
        "question": {"zh": "补全", "en": "Complete <GAP>"},
        "code": "def f(x):\n    return ___ < 1\n",
        "answer": "x & 1",
    }
    note = types.anki_note(Card("cc", "c", "code", 1, fields, exercise="gap"), "en")
    front, back, extra, reverse = note.fields
    assert note.note_type.name == "dlquiz Basic (optional reversed card)"
    assert front == "Complete &lt;GAP&gt;<pre><code>def f(x):\n    return ___ &lt; 1\n</code></pre>"
    assert back == "<pre><code>x &amp; 1</code></pre>" and extra == "" and reverse == ""


# --- grading ------------------------------------------------------------------------------------------------------


def test_grade_file_can_run_only_some_functions_cases(tmp_path):
    path = write(tmp_path, "import numpy as np\n\ndef relu(x):\n    return np.maximum(x, 0.0)\n", "relu.py")
    exercise = load_exercise("relu")
    only = grade_file(exercise, path, functions=["relu"])
    assert only.status == "passed" and {case.function for case in only.cases} == {"relu"}
    whole = grade_file(exercise, path)  # without the filter relu_grad is required
    assert whole.status == "error" and whole.error_kind == "missing_function"


def test_a_syntax_error_in_a_fill_is_reported_without_running_anything():
    result = grade_code("gap", "def global_avg_pool(x):\n    return x.mean(axis=(2, 3)\n")
    assert result.status == "error" and result.cases_total == 0
    assert result.failure is not None and result.failure["en"].startswith("Syntax error on line 2 of the code")


def test_an_exception_in_the_fill_says_what_happened_in_one_line():
    result = grade_code("gap", "def global_avg_pool(x):\n    return x.mean(axis=(7,))\n")
    assert result.status == "failed" and result.failure is not None
    assert "AxisError" in result.failure["en"] and "\n" not in result.failure["en"]


def test_a_code_card_is_spoken_of_as_code_not_as_a_file():
    """The grader's messages say "your file"; a code card has only the card's code with the fill."""
    numpy_warning = grade_code("sigmoid", "import numpy as np\n\ndef sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n")
    assert numpy_warning.failure is not None
    assert "line 4 of your code" in numpy_warning.failure["en"] and "你的代码第 4 行" in numpy_warning.failure["zh"]
    undefined = grade_code("gap", "def global_avg_pool(x):\n    return x.mean(axis=(2, 3))\nboom()\n")
    assert undefined.status == "error" and undefined.failure is not None
    assert "your code" in undefined.failure["en"] and "你的代码" in undefined.failure["zh"]
    for result in (numpy_warning, undefined):
        assert "your file" not in result.failure["en"] and "你的文件" not in result.failure["zh"]


BUILTIN_CARDS = [c for c in yaml.safe_load(BUILTIN.read_text(encoding="utf-8"))["cards"] if c["type"] == "code"]
# An obviously wrong fill for every built-in code card, and words of the diagnosis it gets (None: no known mistake
# matches, the first failing case is the message).
WRONG = {
    "sigmoid-stable-code": ("1 / (1 + np.exp(-x))", "textbook"),
    "sigmoid-grad-code": ("s", "sigmoid is not its own derivative"),
    "relu-code": ("np.abs(x)", "|x|"),
    "relu-grad-code": ("(x >= 0).astype(x.dtype)", "x == 0"),
    "maxout-max-code": ("pieces.mean(axis=0)", None),
    "maxout-pieces-code": ("x @ weight[0] + bias[0]", None),
    "dropout-scale-code": ("x * keep", "rescaled"),
    "dropout-eval-code": ("x * (1 - p)", "original dropout paper"),
    "conv-output-size-code": ("(size + padding - span) // stride + 1", "each side"),
    "same-padding-code": ("total", None),
    "gap-code": ("x.max(axis=(2, 3))", "global max pooling"),
    "gap-reshape-code": ("x.reshape(C, N, -1)", "reshape does not swap axes"),
    "conv2d-output-height-code": ("(H - kH) // sh + 1", None),
    "conv2d-channel-sum-code": ("patch.sum(axis=1, keepdims=True)", None),
    "max-pool-padding-code": ("0", "padded with zeros"),
    "avg-pool-code": ("windows.max(axis=(-2, -1))", None),
    "bn-normalise-code": ("(x - mean.reshape(shape)) / var.reshape(shape)", None),
    "bn-running-var-code": ("(1 - momentum) * running_var + momentum * var", "biased"),
    "bn-backward-gamma-code": ("grad_out.sum(axis=axes)", None),
    "bn-backward-grad-x-code": ("inv_std * g", "constants"),
    "cam-class-weights-code": ("fc_weight[: len(class_index)]", None),
    "cam-normalize-code": ("cam / cam.max(axis=(1, 2), keepdims=True)", "range"),
    "embedding-grad-add-at-code": ("grad[indices.reshape(-1)] += grad_output.reshape(-1, D)", "repeated index"),
    "embedding-lookup-code": ("weight[:, indices]", "column"),
    "rnn-step-code": ("np.tanh(x[:, t] @ w_ih.T + b_ih + h0 @ w_hh.T + b_hh)", "h0"),
    "rnn-outputs-code": ("np.stack(states, axis=0), h", "(L, N, H)"),
    "attention-scores-code": ("q @ np.swapaxes(k, -1, -2)", "not scaled"),
    "attention-softmax-code": ("scores", "overflow"),
    "transfer-freeze-code": ("model.classifier.requires_grad_(False)", "requires_grad=True"),
    "transfer-frozen-bn-code": ("module.train()", "training mode"),
    "ar-fit-target-code": ("series[: T - p]", None),
    "ar-forecast-code": ("history.append(series[-1])", None),
}


def test_every_builtin_code_card_has_a_wrong_fill_here_and_two_cards_per_exercise():
    assert {c["id"] for c in BUILTIN_CARDS} == set(WRONG)
    per_exercise = {name: sum(c["exercise"] == name for c in BUILTIN_CARDS) for name in CatalogExercises().names()}
    assert min(per_exercise.values()) >= 2, per_exercise


# One test per exercise grades all its cards, right and wrong: the references are computed once per process.
@pytest.mark.parametrize("exercise", sorted({c["exercise"] for c in BUILTIN_CARDS}))
def test_builtin_code_cards_pass_with_their_answer_and_fail_with_a_wrong_fill(exercise):
    for entry in [c for c in BUILTIN_CARDS if c["exercise"] == exercise]:
        right = grade_code(exercise, fill_blank(entry["code"], entry["answer"]))
        assert right.passed, (entry["id"], right.failure)
        wrong_fill, diagnosis = WRONG[entry["id"]]
        wrong = grade_code(exercise, fill_blank(entry["code"], wrong_fill))
        assert not wrong.passed and wrong.failure, entry["id"]
        if diagnosis is not None:
            assert wrong.diagnosis is not None and diagnosis in wrong.diagnosis["en"], (entry["id"], wrong.diagnosis)
            assert wrong.diagnosis["zh"] != wrong.diagnosis["en"]


# --- studying -----------------------------------------------------------------------------------------------------


def answers(home: Path) -> list[tuple[str, int]]:
    store = open_store(home / "progress.sqlite3")
    try:
        reviews = sorted(ProgressRepository(store).iter_reviews(), key=lambda review: review.id)
        return [(review.card_id, int(review.rating)) for review in reviews]
    finally:
        store.close()


def study(*args: str, input: str):
    return runner.invoke(app, ["study", *args], input=input)


def test_a_right_fill_is_graded_and_good_is_suggested(tmp_path, isolated_home):
    result = study(str(write(tmp_path, GAP_CARD)), "--lang", "en", input="x.mean(axis=(2, 3))\n\nq\n")
    assert result.exit_code == 0, result.output
    assert "Fill ___: x.mean(axis=(2, 3))" in result.output
    assert "✓ Correct" in result.output and "15/15 cases pass" in result.output
    assert "Enter = Good" in result.output
    assert answers(isolated_home) == [("gap-code", 3)]


def test_a_wrong_fill_shows_the_diagnosis_the_first_failing_case_and_the_answer(tmp_path, isolated_home):
    result = study(str(write(tmp_path, GAP_CARD)), "--lang", "zh", input="x.max(axis=(2, 3))\n\nq\n")
    assert result.exit_code == 0, result.output
    assert "✗ 不对" in result.output
    assert "你取了每张特征图的最大值：那是全局最大池化。" in result.output
    assert "global_avg_pool: " in result.output and "应为" in result.output  # the first failing case
    assert "x.mean(axis=(2, 3))" in result.output  # the card's answer
    assert "回车 = 重来" in result.output
    assert answers(isolated_home) == [("gap-code", 1)]


def test_an_empty_fill_is_dont_know_and_runs_nothing(tmp_path, isolated_home):
    result = study(str(write(tmp_path, GAP_CARD)), "--lang", "en", input="\n\nq\n")
    assert result.exit_code == 0, result.output
    assert "✗ Not quite" in result.output and "cases" not in result.output
    assert "x.mean(axis=(2, 3))" in result.output and "Enter = Again" in result.output
    assert answers(isolated_home) == [("gap-code", 1)]


def fake_editor(tmp_path: Path, replacement: str) -> str:
    """An $EDITOR that replaces `return ___` in the file it is given by ``replacement``."""
    script = write(
        tmp_path,
        textwrap.dedent(f"""\
        import sys
        path = sys.argv[1]
        text = open(path, encoding="utf-8").read()
        open(path, "w", encoding="utf-8").write(text.replace("return ___", {replacement!r}))
        """),
        "editor.py",
    )
    return f"{sys.executable} {script}"


def test_colon_e_edits_the_code_in_the_editor_and_grades_what_was_saved(tmp_path, isolated_home, monkeypatch):
    several_lines = "total = x.sum(axis=(2, 3))\n    return total / (x.shape[2] * x.shape[3])"
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", fake_editor(tmp_path, several_lines))
    result = study(str(write(tmp_path, GAP_CARD)), "--lang", "en", input=":e\n\nq\n")
    assert result.exit_code == 0, result.output
    assert "✓ Correct" in result.output and answers(isolated_home) == [("gap-code", 3)]


def test_colon_e_with_a_wrong_multi_line_fill_gets_its_diagnosis(tmp_path, isolated_home, monkeypatch):
    monkeypatch.setenv("VISUAL", fake_editor(tmp_path, "total = x.sum(axis=(2, 3))\n    return total"))
    result = study(str(write(tmp_path, GAP_CARD)), "--lang", "en", input=":e\n\nq\n")
    assert "You summed the pixels; GAP takes their mean" in result.output
    assert answers(isolated_home) == [("gap-code", 1)]


def test_colon_e_without_an_editor_says_how_to_set_one_and_the_card_waits(tmp_path, isolated_home, monkeypatch):
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    result = study(str(write(tmp_path, GAP_CARD)), "--lang", "en", input=":e\nx.mean(axis=(2, 3))\n\nq\n")
    assert "no editor is set" in result.output and "export EDITOR=" in result.output
    assert "✓ Correct" in result.output and answers(isolated_home) == [("gap-code", 3)]


def test_editor_problems_are_told_in_the_learners_language_and_the_card_waits(tmp_path, isolated_home, monkeypatch):
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    deck = str(write(tmp_path, GAP_CARD))
    unset = study(deck, "--lang", "zh", input=":e\n:q\n")
    assert "没有设置编辑器" in unset.output and "export EDITOR=nano" in unset.output
    assert "no editor is set" not in unset.output
    monkeypatch.setenv("EDITOR", str(tmp_path / "no-such-editor"))
    missing = study(deck, "--lang", "zh", input=":e\nx.mean(axis=(2, 3))\n\nq\n")
    assert "无法启动编辑器" in missing.output and "✓" in missing.output
    english = study(deck, "--lang", "en", input=":q\n")
    assert ":u undo" in english.output and ":q quit" in english.output  # the keys are named, as in Chinese


def test_an_editor_that_changes_nothing_submits_nothing(tmp_path, isolated_home, monkeypatch):
    monkeypatch.setenv("VISUAL", "true")  # exits 0 without touching the file
    result = study(str(write(tmp_path, GAP_CARD)), "--lang", "en", input=":e\n\n\nq\n")
    assert "The code is unchanged" in result.output
    assert answers(isolated_home) == [("gap-code", 1)]  # the empty line after it: don't know


MIXED = (
    GAP_CARD
    + """\
  - id: gap-params
    type: typed
    question: {zh: "GAP 层有多少可训练参数？", en: "How many trainable parameters does a GAP layer have?"}
    answer: "0"
"""
)


def test_type_studies_one_kind_of_card_only(tmp_path, isolated_home):
    deck = str(write(tmp_path, MIXED))
    result = study(deck, "--type", "typed", "--lang", "en", input="0\n\nq\n")
    assert result.exit_code == 0, result.output
    assert "gap-params" in result.output and "gap-code" not in result.output
    result = study(deck, "--type", "code", "--lang", "en", input="\n\nq\n")
    assert "gap-code" in result.output and "gap-params" not in result.output
    assert answers(isolated_home) == [("gap-params", 3), ("gap-code", 1)]


def test_an_unknown_type_or_a_type_with_no_card_is_a_clear_usage_error(tmp_path):
    deck = str(write(tmp_path, MIXED))
    unknown = study(deck, "--type", "flash", input="")
    assert unknown.exit_code == 2 and "no card type 'flash'" in unknown.output and "code" in unknown.output
    none = study(deck, "--type", "cloze", input="")
    assert none.exit_code == 2 and "no cloze card" in none.output


def test_the_type_usage_errors_in_chinese(tmp_path):
    deck = str(write(tmp_path, MIXED))
    unknown = study(deck, "--type", "flash", "--lang", "zh", input="")
    assert unknown.exit_code == 2 and "没有名为 'flash' 的卡片类型" in unknown.output and "code" in unknown.output
    none = study(deck, "--type", "cloze", "--lang", "zh", input="")
    assert none.exit_code == 2 and "这些卡组中没有 cloze 类型的卡片" in none.output
    assert "no cloze card" not in none.output
