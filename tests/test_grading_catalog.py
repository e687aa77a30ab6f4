"""Exercise folders: the metadata is validated with messages that point at the line, and every exercise is
solvable and starts unsolved (the maintainer check, like rustlings' `dev check`)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from dlquiz.errors import DlquizError
from dlquiz.grading.cases import prepare, references
from dlquiz.grading.catalog import exercise_names, list_exercises, load_exercise, split_languages
from dlquiz.grading.grader import grade_file
from dlquiz.grading.spec import Raises

RELU = Path(__file__).parents[1] / "exercises" / "relu"


def test_exercises_are_listed_in_their_order():
    ids = [exercise.id for exercise in list_exercises()]
    for mine in ("relu", "padding", "gap"):
        assert mine in ids
    assert ids.index("relu") < ids.index("padding") < ids.index("gap")


def test_unknown_name_is_a_usage_error_listing_the_valid_ones():
    with pytest.raises(DlquizError) as raised:
        load_exercise("rleu")
    assert raised.value.exit_code == 2
    assert "Did you mean `relu`" in raised.value.hint and "padding" in raised.value.hint


def test_names_are_case_insensitive():
    assert load_exercise(" ReLU ").id == "relu"


def test_task_is_split_by_language():
    relu = load_exercise("relu")
    assert relu.task("zh").startswith("# ReLU 与它的梯度") and "Vanishing" not in relu.task("zh")
    assert relu.task("en").startswith("# ReLU and its gradient")
    both = relu.task("both")
    assert both.index("ReLU 与它的梯度") < both.index("ReLU and its gradient")
    assert split_languages("no markers here") == "no markers here"


def copy_exercise(tmp_path: Path, yaml_text: str | None = None, name: str = "relu") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for item in RELU.iterdir():
        if item.is_file():
            (folder / item.name).write_bytes(item.read_bytes())
    if yaml_text is not None:
        (folder / "exercise.yaml").write_text(yaml_text, encoding="utf-8")
    return folder


GOOD = (RELU / "exercise.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "change, words",
    [
        (("format: 1", "format: 2"), ["line 2", "`format`", "format 1"]),
        (("id: relu  ", "id: other  "), ["`id`", "folder is named 'relu'"]),
        (("functions: [relu, relu_grad]", "functions: relu"), ["`functions`", "list of Python function names"]),
        (("time_limit_s: 10 ", "time_limit_s: -1 "), ["`time_limit_s`", "positive number"]),
        (("title:\n  zh: ReLU 与它的梯度\n  en: ReLU and its gradient", "title: ''"), ["`title`"]),
        (("hints:", "hints: [1, 2]\nunused:"), ["`hints`", "hint 1"]),
        (("format: 1", "format: 1\n  bad: [indent"), ["not valid YAML", "line"]),
        (("hints:", "allow_torch: yes please\nhints:"), ["line 20", "`allow_torch`", "true or false"]),
    ],
)
def test_bad_metadata_points_at_the_field(tmp_path, change, words):
    old, new = change
    assert old in GOOD
    copy_exercise(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(DlquizError) as raised:
        load_exercise("relu", root=tmp_path)
    for word in words:
        assert word in raised.value.message


FUNCTIONS_LINE = GOOD.splitlines().index(next(line for line in GOOD.splitlines() if line.startswith("functions:"))) + 1


@pytest.mark.parametrize(
    "returns, words",
    [
        ("returns: [out, grad]", [f"line {FUNCTIONS_LINE + 1}:", "`returns`", "must map a function"]),
        ("returns:\n  relu: [a, b]\n  softplus: [c, d]", [f"line {FUNCTIONS_LINE + 3}:", "'softplus'", "not one of"]),
        ("returns:\n  relu: [a, b]\n  relu_grad: out", [f"line {FUNCTIONS_LINE + 3}:", "relu_grad", "two or more"]),
        ("returns:\n  relu_grad: [out, 2x]", [f"line {FUNCTIONS_LINE + 2}:", "Python names"]),
        ("returns:\n  relu: [out, out]", [f"line {FUNCTIONS_LINE + 2}:", "named twice"]),
    ],
)
def test_bad_returns_names_point_at_the_line(tmp_path, returns, words):
    lines = GOOD.splitlines(keepends=True)
    lines.insert(FUNCTIONS_LINE, returns + "\n")
    copy_exercise(tmp_path, "".join(lines))
    with pytest.raises(DlquizError) as raised:
        load_exercise("relu", root=tmp_path)
    for word in words:
        assert word in raised.value.message


def test_returns_names_are_read_in_order(tmp_path):
    lines = GOOD.splitlines(keepends=True)
    lines.insert(FUNCTIONS_LINE, "returns:\n  relu_grad: [grad, mask]\n")
    copy_exercise(tmp_path, "".join(lines))
    assert load_exercise("relu", root=tmp_path).returns == {"relu_grad": ("grad", "mask")}
    assert load_exercise("relu").returns == {}


def test_torch_is_refused_unless_the_exercise_allows_it(tmp_path):
    learner = tmp_path / "with_torch.py"
    learner.write_text(
        "import torch\n\ndef relu(x):\n    return torch.relu(torch.from_numpy(x)).numpy()\n\n"
        "def relu_grad(x):\n    return (torch.from_numpy(x) > 0).double().numpy()\n",
        encoding="utf-8",
    )
    refused = grade_file(load_exercise("relu"), learner)
    assert (refused.status, refused.error_kind) == ("error", "torch_import")
    copy_exercise(tmp_path, GOOD.replace("hints:", "allow_torch: true\nhints:", 1), name="relu")
    allowed = load_exercise("relu", root=tmp_path)
    assert allowed.allow_torch and not load_exercise("relu").allow_torch
    assert grade_file(allowed, learner).status == "passed"


def test_missing_field_and_missing_file(tmp_path):
    copy_exercise(tmp_path, "\n".join(line for line in GOOD.splitlines() if not line.startswith("functions")))
    with pytest.raises(DlquizError, match="missing required field `functions`"):
        load_exercise("relu", root=tmp_path)
    (tmp_path / "relu" / "exercise.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "relu" / "solution.py").unlink()
    with pytest.raises(DlquizError, match="has no solution.py"):
        load_exercise("relu", root=tmp_path)


def test_a_broken_grading_file_is_reported_not_crashed(tmp_path):
    folder = copy_exercise(tmp_path)
    (folder / "grading.py").write_text("def cases():\n    return [1]\ndef reference(c):\n    pass\nMISTAKES = []\n")
    with pytest.raises(DlquizError, match="exercise relu is broken"):
        grade_file(load_exercise("relu", root=tmp_path), RELU / "solution.py")
    (folder / "grading.py").write_text("raise RuntimeError('oops')\n")
    with pytest.raises(DlquizError, match="oops"):
        grade_file(load_exercise("relu", root=tmp_path), RELU / "solution.py")


def test_a_failing_reference_stops_the_learners_process_at_once(tmp_path):
    import time

    folder = copy_exercise(tmp_path)
    source = (folder / "grading.py").read_text(encoding="utf-8")
    (folder / "grading.py").write_text(source.replace("    import torch\n", "    raise RuntimeError('no')\n", 1))
    started = time.perf_counter()
    with pytest.raises(DlquizError, match="reference"):
        grade_file(
            load_exercise("relu", root=tmp_path),
            Path(__file__).parent / "learner_files" / "failures" / "sleeps_forever.py",
        )
    assert time.perf_counter() - started < 5


# --- the maintainer check: every exercise, including those written by others --------------------------------------

ALL = exercise_names()


@pytest.mark.parametrize("name", ALL)
def test_reference_solution_passes(name):
    exercise = load_exercise(name)
    result = grade_file(exercise, exercise.solution_path)
    failures = [(case.name, case.message["en"]) for case in result.cases if not case.passed]
    assert result.status == "passed", failures


@pytest.mark.parametrize("name", ALL)
def test_untouched_template_fails_cleanly(name):
    exercise = load_exercise(name)
    result = grade_file(exercise, exercise.template_path)
    assert result.status == "failed" and result.error_kind is None
    assert result.cases_passed == 0
    assert {case.kind for case in result.cases} == {"not_implemented"}


@pytest.mark.parametrize("name", ALL)
def test_folder_is_self_consistent(name):
    exercise = load_exercise(name)
    for source in (exercise.template(), exercise.solution()):
        defined = {node.name for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)}
        assert set(exercise.functions) <= defined
    assert "TODO" in exercise.template() and "NotImplementedError" in exercise.template()
    assert exercise.hints and all(set(hint) == {"zh", "en"} for hint in exercise.hints)
    assert set(split_languages(exercise.task_path.read_text(encoding="utf-8"))) == {"zh", "en"}
    assert exercise.note
    tree = ast.parse(exercise.grading_path.read_text(encoding="utf-8"))
    top_imports = [
        alias.name for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names
    ] + [node.module for node in tree.body if isinstance(node, ast.ImportFrom)]
    assert not any(str(module).startswith("torch") for module in top_imports), "import torch inside reference() only"


@pytest.mark.parametrize("name", ALL)
def test_every_function_returning_a_tuple_names_its_parts(name):
    """exercise.yaml's `returns` names the parts of every tuple PyTorch's reference returns, one name per part, so
    the failure report can say `new_running_var` rather than a position."""
    exercise = load_exercise(name)
    grading = prepare(exercise)
    for case, reference in zip(grading.cases, grading.references(), strict=False):
        if isinstance(reference, tuple):
            assert len(exercise.returns.get(case.function, ())) == len(reference), case.name
    assert set(exercise.returns) <= set(exercise.functions)


@pytest.mark.parametrize("name", ALL)
def test_every_known_mistake_is_wrong_somewhere(name):
    """A mistake that agrees with PyTorch on every case could never be diagnosed (or would be a correct solution)."""
    from dlquiz.grading.compare import compare

    exercise = load_exercise(name)
    grading = prepare(exercise)  # a harness exercise runs its mistakes through the harness, on every case
    cases = grading.cases
    expected = references(exercise, cases)
    assert len({c.name for c in cases}) == len(cases), "case names must be unique"
    names = [m.name for m in grading.mistakes]
    assert len(set(names)) == len(names), "mistake names must be unique"
    for mistake in grading.mistakes:
        assert mistake.function in exercise.functions and mistake.message_en and mistake.message_zh
        wrong_somewhere = False
        for case, reference in zip(cases, expected, strict=False):
            if case.function != mistake.function and exercise.harness_path is None:
                continue
            outcome, warned = grading.mistake_outcome(mistake, case)  # Raises(type, message) when it raises
            # right values reached through an overflow that numpy warned about also fail (e.g. a naive sigmoid)
            wrong_somewhere |= warned
            if isinstance(outcome, Raises):
                wrong_somewhere |= not (
                    isinstance(reference, Raises) and issubclass(outcome.exception, reference.exception)
                )
            elif isinstance(reference, Raises):
                wrong_somewhere = True
            else:
                wrong_somewhere |= not compare(case.function, outcome, reference, case.rtol, case.atol).passed
        assert wrong_somewhere, f"{mistake.name} matches PyTorch on every case"
