"""Every deck problem is said in Chinese too, and each command shows it in the reader's language.

The general test collects the problems of every hostile deck, of the seeded fuzz corpus of test_deck_fuzz and of the
decks below (one or more per check of each card type), and holds each of them to the same rules: a Chinese text that
is Chinese, is not the English one, keeps every value, identifier and number the English one quotes, and shows as
``file:line: message`` in zh, en and both.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dlquiz.cards import library, params
from dlquiz.cards.deck import DeckError, Problem, check_deck, load_deck
from dlquiz.cards.exercise_lookup import exercises, use_exercises
from dlquiz.cards.yamlload import HAS_LIBYAML, MAX_FILE_BYTES
from dlquiz.cli.app import app
from dlquiz.grading.catalog import CatalogExercises
from test_deck_fuzz import mutated_decks

HOSTILE = Path(__file__).parent / "data" / "hostile_decks"
runner = CliRunner()

CJK = re.compile(r"[\u4e00-\u9fff]")
# What a message quotes must reach the Chinese reader unchanged: values ('x', [1]), code spans, numbers, {{c1::…}}.
QUOTED = re.compile(r"(?<![A-Za-z])'[^'\n]*'|`[^`\n]+`|\{\{[^}]*\}\}|\d+(?:[.,]\d+)*")
# English words of our own sentences, never of a value, a field name or Python's and PyYAML's words: one of them in
# the Chinese text means English was formatted into it (an untranslated label or fragment).
OUR_ENGLISH = re.compile(r"\b(the|must|card|deck|this|should|has|have|allowed|known)\b", re.IGNORECASE)

HEADER = "id: d\ntitle: T\ncards:\n"

# One deck per check of the deck and of each card type (the card types' own checks: required fields, text fields,
# flags, options, cloze syntax, params, expressions, answer forms, code and its exercise).
DECKS: dict[str, str] = {
    "not-a-mapping": "- just\n- a list\n",
    "deck-fields": "format: 2\ndescripton: x\ncards: []\n",
    "deck-id-and-title": "id: Bad Id\ntitle: {fr: titre}\ndescription: ''\ncards: 5\n",
    "deck-id-too-long": f"id: {'a' * 101}\ntitle: T\ncards:\n  - {{id: a, type: basic, front: f, back: b}}\n",
    "card-not-mapping": HEADER + "  - just text\n",
    "card-ids": HEADER
    + "  - {type: basic, front: f, back: b}\n"
    + "  - {id: a, type: basic, front: f, back: b}\n"
    + "  - {id: a, type: basic, front: f, back: b}\n"
    + f"  - {{id: {'b' * 101}, type: basic, front: f, back: b}}\n",
    "common-fields": HEADER
    + "  - id: a\n    type: basic\n    front: f\n    back: b\n    frnot: x\n    tags: [ok, '']\n"
    + "    exercise: Not An Id\n    extra: {zh: '', en: 12345678901234567890123456789012345}\n    source: ''\n"
    + f"  - {{id: b, type: basic, front: f, back: b, tags: ['{'t' * 101}'], extra: [1], source: [x]}}\n",
    "card-type": HEADER + "  - {id: a, type: flashcard}\n  - {id: b, type: [basic]}\n  - {id: c}\n",
    "basic": HEADER
    + "  - {id: a, type: basic, front: '', reverse: maybe}\n"
    + f"  - {{id: b, type: basic, front: '{'x' * 100_001}', back: {{}}}}\n",
    "choice": HEADER
    + "  - {id: a, type: choice, question: q, options: [{text: x}], shuffle: 1}\n"
    + "  - id: b\n    type: choice\n    question: q\n    options:\n      - {text: one, correct: maybe, why: 1}\n"
    + "      - 5\n      - {text: ''}\n"
    + "  - id: c\n    type: choice\n    question: q\n    options: ["
    + ", ".join("{text: o}" for _ in range(10))
    + "]\n  - {id: d, type: choice, question: q}\n",
    "cloze": HEADER
    + "  - {id: a, type: cloze, text: no deletion}\n"
    + "  - {id: b, type: cloze, text: '{{c1::a}} and {{c2::b'}\n"
    + "  - {id: c, type: cloze, text: {zh: '{{c1::甲}}{{c2::乙}}', en: '{{c1::a}}'}}\n",
    "typed": HEADER
    + "  - {id: a, type: typed, question: q, answer: a, accept: yes}\n"
    + "  - {id: b, type: typed, question: q, answer: a, accept: ['', ok]}\n"
    + "  - {id: c, type: typed, question: q, answer: a, match: regex}\n"
    + "  - {id: d, type: typed, question: q, answer: a, tolerance: 0.1}\n"
    + "  - {id: e, type: typed, question: q, answer: many, match: number, tolerance: -1, accept: [x]}\n"
    + "  - {id: f, type: typed, question: q, answer: '2 by 3 by', match: shape}\n",
    "numeric-params": HEADER
    + "  - {id: a, type: numeric, question: q, params: [n], answer: '1'}\n"
    + "  - id: b\n    type: numeric\n    question: '{n} {m} {zz}'\n    answer: n + q\n    where: n > 0\n"
    + "    tolerance: .inf\n    params:\n      n: 5\n      _m: {min: 1, max: 2}\n      a: {choices: [1], min: 0}\n"
    + "      b: {choices: []}\n      c: {choices: [1e13]}\n      d: {min: 1}\n      e: {min: .nan, max: 2}\n"
    + "      f: {min: 5, max: 1}\n      g: {min: 1, max: 2, step: 0}\n      h: {min: 0, max: 1000000}\n",
    "numeric-expressions": HEADER
    + "  - {id: a, type: numeric, question: q, params: {n: {min: 1, max: 3}}, answer: 'n +', where: ['n >']}\n"
    + "  - {id: b, type: numeric, question: q, params: {n: {min: 1, max: 3}}, answer: [n]}\n"
    + "  - {id: c, type: numeric, question: q, params: {n: {min: 1, max: 3}}, answer: '_secret + n'}\n"
    + "  - {id: d, type: numeric, question: q, params: {n: {min: 1, max: 3}}, answer: 'f(n)'}\n"
    + "  - {id: e, type: numeric, question: q, params: {n: {min: 1, max: 3}}, answer: 'n if n else 1'}\n"
    + "  - {id: f, type: numeric, question: q, params: {n: {min: 1, max: 3}}, answer: 'max(n, key=1)'}\n"
    + "  - {id: g, type: numeric, question: q, params: {n: {min: 1, max: 3}}, answer: \"'n'\"}\n"
    + f"  - {{id: h, type: numeric, question: q, params: {{n: {{min: 1, max: 3}}}}, answer: '{'n+' * 300}n'}}\n"
    + "  - {id: i, type: numeric, question: q, params: {n: {min: 1, max: 3}}, answer: '   '}\n"
    + "  - {id: j, type: numeric, question: q, params: {n: {min: 1, max: 3}}, answer: 'n @ n'}\n",
    "numeric-domain": HEADER
    + "  - {id: a, type: numeric, question: q, params: {n: {min: -3, max: 3}}, answer: 'sqrt(n)'}\n"
    + "  - {id: b, type: numeric, question: q, params: {n: {min: 0, max: 3}}, answer: '6 % n'}\n"
    + "  - {id: c, type: numeric, question: q, params: {n: {min: 1, max: 3}}, answer: 'n', where: ['n > 5']}\n"
    + "  - {id: d, type: numeric, question: q, params: {n: {min: 0, max: 999}}, answer: 'n', where: ['n == 1']}\n"
    + "  - {id: e, type: numeric, question: q, params: {n: {min: 0, max: 3}}, answer: 'n', where: ['1 / n > 0']}\n"
    + "  - {id: f, type: numeric, question: q, params: {n: {choices: [-1]}}, answer: '(n) ** 0.5'}\n"
    + "  - {id: g, type: numeric, question: q, params: {n: {choices: [400]}}, answer: '10.0 ** n'}\n"
    + "  - {id: h, type: numeric, question: q, params: {n: {choices: [9]}}, answer: 'n ** n ** n'}\n"
    + "  - {id: i, type: numeric, question: q, params: {n: {choices: [1]}}, answer: '1e300 * 1e10 * n'}\n",
    "code": HEADER
    + "  - {id: a, type: code, exercise: relu, question: q, code: 5, answer: ''}\n"
    + "  - {id: b, type: code, exercise: relu, question: q, code: 'x = 1', answer: '___'}\n"
    + "  - {id: c, type: code, exercise: relu, question: q, code: 'def relu(x:\n    return ___', answer: x}\n"
    + "  - {id: d, type: code, exercise: relu, question: q, code: 'y = ___', answer: x}\n"
    + "  - {id: e, type: code, exercise: no-such, question: q, code: 'def f(x): return ___', answer: x}\n"
    + "  - {id: f, type: code, exercise: relu, question: q, code: 'def f(x): return ___', answer: x}\n"
    + "  - {id: g, type: code, exercise: transfer, question: q, code: 'def set_training(m): ___', answer: m}\n"
    + "  - {id: h, type: code, exercise: , question: q, code: 'def f(x): return ___', answer: x}\n"
    + "  - {id: i, type: code, question: q}\n",
    "yaml-syntax": "id: d\ncards: [\n",
    "yaml-duplicate-key": "id: d\nid: e\n",
    "yaml-key": "id: d\n[1, 2]: x\n",
    "yaml-recursive-alias": "a: &a [*a]\n",
    "yaml-deep": "x: " + "[" * 70 + "]" * 70 + "\n",
    "yaml-long-number": "id: " + "9" * 5000 + "\n",
    "yaml-tag": "id: !!python/name:os.system x\n",
    "libyaml-only": HEADER + "  - {id: a, type: basic, front: What is ReLU?, back: max}\n",
}


def shapes_hold(problem: Problem) -> None:
    """The rules every problem keeps, whatever produced it."""
    english, chinese = problem.message, problem.message_zh
    assert chinese and CJK.search(chinese), problem
    assert chinese != english
    for quoted in QUOTED.findall(english):
        assert quoted in chinese, (quoted, english, chinese)
    if not chinese.startswith("YAML"):  # PyYAML's own words stay as it writes them
        unquoted = QUOTED.sub("", re.sub(r'"[^"\n]*"', "", chinese))
        assert not OUR_ENGLISH.search(unquoted), chinese
    where = f"{problem.path}:{problem.line}: " if problem.line > 0 else f"{problem.path}: "
    assert problem.show("en") == str(problem) == where + english
    assert problem.show("zh") == where + chinese
    assert problem.show("both") == f"{where}{chinese}\n  {english}"


@pytest.fixture
def catalog():
    """Code cards are checked against the exercise catalog, as the command line does."""
    before = exercises()
    use_exercises(CatalogExercises())
    yield
    use_exercises(before)


def test_every_hostile_deck_problem_is_said_in_chinese():
    problems = [problem for path in sorted(HOSTILE.glob("*.yaml")) for problem in check_deck(path, portable=True)[1]]
    assert len(problems) >= len(list(HOSTILE.glob("*.yaml"))) - 2  # all but the two valid ones are refused
    for problem in problems:
        shapes_hold(problem)


def test_every_problem_of_the_fuzz_corpus_is_said_in_chinese(tmp_path, monkeypatch, catalog):
    monkeypatch.setattr(params, "ENUMERATION_LIMIT", 500)  # as test_deck_fuzz: the gate, not its thoroughness
    monkeypatch.setattr(params, "SAMPLED_DRAWS", 100)
    seen = set()
    for path, _rng in mutated_decks(tmp_path):
        for problem in check_deck(path, portable=True)[1]:
            shapes_hold(problem)
            seen.add(re.sub(r"'[^']*'|\d+", "…", problem.message))
    assert len(seen) > 40, sorted(seen)  # the corpus reaches many different checks, not one over and over


@pytest.mark.parametrize("name", sorted(DECKS))
def test_every_check_of_the_deck_and_of_each_card_type_speaks_chinese(name, tmp_path, catalog):
    path = tmp_path / f"{name}.yaml"
    path.write_text(DECKS[name], encoding="utf-8")
    deck, problems = check_deck(path, portable=True)
    assert deck is None and problems, name
    for problem in problems:
        shapes_hold(problem)


def test_the_handwritten_decks_reach_every_kind_of_check(tmp_path, catalog):
    """So the test above is not satisfied by a few easy messages: it covers the checks of every module."""
    messages = []
    for name, text in DECKS.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        messages += [problem.message for problem in check_deck(path, portable=True)[1]]
    expected = [
        "a deck must be a mapping",
        "unsupported deck format",
        "unknown field 'descripton' in the deck (did you mean 'description'?)",
        "the deck has no title",
        "title: unknown language 'fr'",
        "description is empty",
        "the deck needs a non-empty list 'cards'",
        "an id may have at most 100",
        "each card must be a mapping",
        "this card has no id",
        "duplicate card id 'a'",
        "card 'a': unknown card type 'flashcard'",
        "tags must be a list of words",
        "a tag may have at most 100 characters",
        "card 'a': exercise must be lower-case letters",
        "extra.zh is empty",
        "extra.en must be a number of at most 30 digits",
        "extra must be text or a mapping",
        "source is empty",
        "source must be text",
        "a basic card needs 'back'",
        "reverse must be true or false",
        "front is 100,001 characters long",
        "back has no text",
        "shuffle must be true or false",
        "options must be a list of at least two choices",
        "option 1 has unknown field 'why'",
        "option 1: correct must be true or false",
        "option 2 must be a mapping with 'text'",
        "option 3 is empty",
        "at most 9 options",
        "no option is marked 'correct: true'",
        "a choice card needs 'options'",
        "text has no cloze deletion",
        "text has a malformed cloze",
        "every language must use the same cloze numbers",
        "accept must be a list of accepted answers",
        "accepted answer 1 is empty",
        "match must be one of text, number, shape, not 'regex'",
        "tolerance only applies to `match: number`",
        "tolerance must be a finite number >= 0",
        "answer 'many' is not a number such as",
        "accept entry 1 'x' is not a number such as",
        "answer '2 by 3 by' is not a shape such as",
        "params must map names to ranges",
        "parameter 'n': give {min: .., max: ..} or {choices: [..]}",
        "parameter '_m': names must be simple identifiers",
        "use either choices or min/max, not both",
        "choices must be a non-empty list of numbers",
        "choices must be finite numbers between",
        "give {min: .., max: ..} (optionally step)",
        "min, max and step must be finite numbers",
        "min is larger than max",
        "step must be positive",
        "the range has more than 1,000,000 values",
        "where must be a list of conditions",
        "answer uses q, which is not in params",
        "the question shows {zz}, which is not in params",
        "answer 'n +': not a valid arithmetic expression",
        "where 'n >': not a valid arithmetic expression",
        "answer must be an arithmetic expression",
        "name '_secret' is not allowed",
        "function 'f' is not allowed",
        "IfExp is not allowed in an arithmetic expression",
        "keyword arguments are not allowed",
        "only numbers are allowed, not 'n'",
        "the expression is longer than 500 characters",
        "the expression is empty",
        "operator MatMult is not allowed",
        "cannot be computed for n = -3: sqrt(): math domain error",
        "cannot be computed for n = 0: division by zero",
        "no values of the params meet the where conditions",
        "draws meet the where conditions; at least 1 in 100 must",
        "a where condition cannot be computed for n = 0: division by zero",
        "the result is not a real number",
        "a power in the expression is too large to compute",
        "the result is too large",
        "code must be Python source",
        "answer must be the text that fills the blank",
        "code must contain exactly one blank `___`, found 0",
        "the answer must fill the blank, not contain `___`",
        "the code with the answer filled in is not valid Python",
        "the code must define the exercise's function",
        "no exercise named 'no-such'",
        "none of the functions of exercise relu",
        "the cases of exercise transfer call its functions together",
        "a code card needs 'exercise'",
        "YAML syntax:",
        "duplicate key 'id' (first on line 1)",
        "a mapping key must be plain text",
        "an alias refers to a value that contains itself",
        "nested more than 64 deep (the limit)",
        "this number has too many digits",
        "YAML syntax: could not determine a constructor",
    ]
    if HAS_LIBYAML:
        expected.append("libyaml accepts it, PyYAML without libyaml does not")
    missing = [words for words in expected if not any(words in message for message in messages)]
    assert not missing, missing


def test_problems_of_whole_files_and_of_the_library_are_said_in_chinese(tmp_path, isolated_home):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("id: caf\u00e9\n".encode("latin-1"))
    problems = [
        *check_deck(big)[1],
        *check_deck(latin1)[1],
        *check_deck(tmp_path / "missing.yaml")[1],
    ]
    decks = isolated_home / "decks"
    decks.mkdir(parents=True)
    twin = "id: dl-notes\ntitle: T\ncards:\n  - {id: a, type: basic, front: f, back: b}\n"
    (decks / "twin.yaml").write_text(twin, encoding="utf-8")  # the built-in deck's id again
    problems += library.load().problems
    assert [problem.message.split(";")[0].split(" (")[0] for problem in problems] == [
        "the file is 8.0 MiB",
        "the file is not UTF-8 text",
        "no such deck file",
        "deck id 'dl-notes' is already used by " + str(Path(library.paths.builtin_decks_dir()) / "dl-notes.yaml"),
    ]
    for problem in problems:
        shapes_hold(problem)


def test_a_deck_error_carries_its_problems_in_both_languages(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(HEADER + "  - {id: a, type: basic, front: ''}\n", encoding="utf-8")
    with pytest.raises(DeckError) as raised:
        load_deck(path)
    message, hint = raised.value.in_language("zh")
    assert f"{path}:4: 卡片 'a'：basic 卡片需要 'back'" in message and f"{path}:4: 卡片 'a'：front 为空" in message
    assert hint and "dlquiz deck check FILE" in hint
    assert f"{path}:4: card 'a': a basic card needs 'back'" in raised.value.in_language("en")[0]


# --- the commands -------------------------------------------------------------------------------------------------

BROKEN = HEADER + "  - {id: a, type: basic, front: ''}\n  - {id: b, type: cloze, text: plain}\n"


@pytest.fixture
def broken_deck(tmp_path) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    return path


def test_deck_check_in_chinese(broken_deck):
    result = runner.invoke(app, ["deck", "check", str(broken_deck), "--lang", "zh"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[:3] == [
        f"{broken_deck}:4: 卡片 'a'：basic 卡片需要 'back'",
        f"{broken_deck}:4: 卡片 'a'：front 为空",
        f"{broken_deck}:5: 卡片 'b'：text 中没有填空；写法如 {{{{c1::answer}}}}",
    ]
    assert "1 个文件中有 3 个问题" in result.output and "problem" not in result.output


def test_deck_check_in_english_is_unchanged(broken_deck):
    result = runner.invoke(app, ["deck", "check", str(broken_deck), "--lang", "en"], env={"LANG": "zh_CN.UTF-8"})
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{broken_deck}:4: card 'a': a basic card needs 'back'",
        f"{broken_deck}:4: card 'a': front is empty",
        f"{broken_deck}:5: card 'b': text has no cloze deletion; write e.g. {{{{c1::answer}}}}",
        "3 problem(s) in 1 file(s)",
    ]


@pytest.mark.parametrize("env", [{"LANG": "zh_CN.UTF-8"}, {"DLQUIZ_LANG": "zh"}, {"LC_ALL": "zh_TW.UTF-8"}])
def test_deck_check_follows_a_chinese_locale(broken_deck, env):
    result = runner.invoke(app, ["deck", "check", str(broken_deck)], env=env)
    assert result.exit_code == 1
    assert f"{broken_deck}:4: 卡片 'a'：front 为空" in result.output and "front is empty" not in result.output


def test_deck_check_in_both_languages_puts_english_under_chinese(broken_deck):
    result = runner.invoke(app, ["deck", "check", str(broken_deck), "-l", "both"])
    assert result.exit_code == 1
    assert f"{broken_deck}:4: 卡片 'a'：front 为空\n  card 'a': front is empty\n" in result.output
    assert "1 个文件中有 3 个问题\n  3 problem(s) in 1 file(s)" in result.output


def test_deck_check_says_ok_in_chinese_and_refuses_an_unknown_language(all_types_deck):
    valid = runner.invoke(app, ["deck", "check", str(all_types_deck), "--lang", "zh"])
    assert valid.exit_code == 0 and valid.output == "ok：1 个卡组都有效\n"
    unknown = runner.invoke(app, ["deck", "check", str(all_types_deck), "--lang", "fr"])
    assert unknown.exit_code == 2 and "unknown language 'fr'" in unknown.output


@pytest.fixture
def home_with_broken_deck(isolated_home, all_types_deck) -> Path:
    decks = isolated_home / "decks"
    decks.mkdir(parents=True)
    shutil.copy(all_types_deck, decks / "mine.yaml")
    (decks / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    return decks / "broken.yaml"


def test_study_warns_of_a_broken_deck_in_chinese(home_with_broken_deck):
    result = runner.invoke(app, ["study", "--lang", "zh"], input="q\n")
    assert result.exit_code == 0, result.output
    assert f"warning: {home_with_broken_deck}:4: 卡片 'a'：front 为空" in result.output
    assert "跳过了 1 个有问题的卡组；其他卡组照常可用。" in result.output and "skipped" not in result.output
    only_broken = runner.invoke(app, ["study", str(home_with_broken_deck), "--lang", "zh"], input="q\n")
    assert only_broken.exit_code == 1 and "dlquiz: 没有可以加载的卡组" in only_broken.output
    assert f"{home_with_broken_deck}:5: 卡片 'b'：text 中没有填空" in only_broken.output


def test_decks_stats_and_export_warn_in_chinese(home_with_broken_deck, tmp_path):
    line = f"{home_with_broken_deck}:4: 卡片 'a'：front 为空"
    listed = runner.invoke(app, ["decks", "--lang", "zh"])
    assert listed.exit_code == 0 and line in listed.output and "跳过了 1 个有问题的卡组" in listed.output
    stats = runner.invoke(app, ["stats", "--lang", "zh"])
    assert stats.exit_code == 0 and line in stats.output and "1 个卡组文件加载失败，没有计入统计" in stats.output
    one = runner.invoke(app, ["stats", str(home_with_broken_deck), "--lang", "zh"])
    assert one.exit_code == 1 and f"卡组 '{home_with_broken_deck}' 无法加载：" in one.output and line in one.output
    exported = runner.invoke(app, ["export", "anki", "-o", str(tmp_path / "a.apkg"), "--lang", "zh"])
    assert (
        exported.exit_code == 0
        and line in exported.output
        and "跳过了 1 个有问题的卡组；其他卡组已导出。" in exported.output
    )
    named = runner.invoke(
        app, ["export", "anki", str(home_with_broken_deck), "-o", str(tmp_path / "b.apkg"), "-l", "zh"]
    )
    assert named.exit_code == 1 and "无法导出：1 个卡组加载失败：" in named.output and line in named.output


def test_doctor_names_a_deck_problem_in_chinese(home_with_broken_deck):
    result = runner.invoke(app, ["doctor", "--lang", "zh"])
    assert result.exit_code == 1
    assert "1 个卡组文件加载失败" in result.output
    assert f"{home_with_broken_deck}:4: 卡片 'a'：front 为空" in result.output and "front is empty" not in result.output
    english = runner.invoke(app, ["doctor", "--lang", "en"])
    assert f"{home_with_broken_deck}:4: card 'a': front is empty" in english.output
