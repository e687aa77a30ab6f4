"""The reference cache: PyTorch's references (and the cases) stored once as data, read back without torch, rebuilt
silently when missing, corrupt or stale; `dlquiz exercise --prepare`; the background warm-up for code cards."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from dlquiz.cards.card import Card, ReviewItem
from dlquiz.cli.app import app
from dlquiz.grading import cases as grading_cases
from dlquiz.grading import refcache
from dlquiz.grading.catalog import list_exercises, load_exercise
from dlquiz.grading.grader import grade_file
from dlquiz.grading.spec import Case, Raises

REPO = Path(__file__).resolve().parents[1]
EXERCISES = REPO / "exercises"
runner = CliRunner()


@pytest.fixture(autouse=True)
def fresh_memory(monkeypatch):
    """Each test starts as a new dlquiz process would: nothing prepared in memory, only what is on disk."""
    monkeypatch.setattr(grading_cases, "_GRADINGS", {})


def same(a, b) -> bool:
    """Equal values of the same types, all the way down (arrays: dtype, shape and values, NaN equal to NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    if isinstance(a, np.generic):
        return a.dtype == b.dtype and (a == b or (a != a and b != b))
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, float) and a != a:
        return b != b
    if isinstance(a, Case):
        return all(same(getattr(a, f), getattr(b, f)) for f in ("name", "function", "args", "kwargs", "rtol", "atol"))
    return a == b


def entries(exercise_id: str) -> list[Path]:
    return sorted(refcache.cache_dir().glob(f"{exercise_id}-*.npz"))


# --- values as data ----------------------------------------------------------------------------------------------


def test_every_kind_of_value_comes_back_exactly():
    shared = np.arange(6.0).reshape(2, 3)
    frozen = np.array([1, 2, 3], dtype=np.int64)
    frozen.setflags(write=False)
    values = [
        np.array([[1.5, np.nan], [np.inf, -0.0]]),
        np.asfortranarray(np.arange(12, dtype=np.float32).reshape(3, 4)),
        np.array([True, False]),
        np.zeros((0, 3)),
        np.array(2.5),
        np.float64(0.1),
        np.int32(-7),
        np.bool_(True),
        (shared, shared, frozen),
        [1, 2.0, "三", None, True, False],
        {"modules": ["fc", "conv"], "output shape": (4, 10), 3: "int key", (1, 2): "tuple key"},
        float("nan"),
        float("inf"),
        float("-inf"),
        1e-320,
        2**70,
        complex(1, -2),
        Raises(ValueError, "kernel larger than the input"),
        Raises(np.linalg.LinAlgError),
    ]
    case = Case("name", "f", args=(shared, 3, (1, 2)), kwargs={"stride": None, "mask": shared}, rtol=1e-5, atol=0.0)
    assert refcache.store("kinds", "k" * refcache.KEY_LENGTH, refcache.Entry([case], [values]))
    entry = refcache.load("kinds", "k" * refcache.KEY_LENGTH)
    assert entry is not None
    assert same(entry.cases[0], case)
    back = entry.references[0]
    assert all(same(x, y) for x, y in zip(back, values, strict=True)) and len(back) == len(values)
    assert back[1].flags.f_contiguous
    assert back[8][0] is back[8][1]  # the same array twice stays one object (aliasing cases depend on it)
    assert not back[8][2].flags.writeable and back[8][0].flags.writeable
    assert entry.cases[0].args[0] is entry.cases[0].kwargs["mask"]


def test_an_entry_is_an_npz_with_a_json_manifest_and_no_pickle():
    refcache.store("plain", "a" * refcache.KEY_LENGTH, refcache.Entry([Case("c", "f", (np.ones(2),))], [np.ones(2)]))
    path = refcache.entry_path("plain", "a" * refcache.KEY_LENGTH)
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["exercise"] == "plain" and manifest["references"] == [{"array": 1}]
    with np.load(path, allow_pickle=False) as npz:  # numpy itself reads it, with pickle refused
        assert np.array_equal(npz["arrays/0"], np.ones(2))


class Opaque:
    pass


class TorchLikeError(Exception):
    pass


TorchLikeError.__module__ = "torch.fake"


@pytest.mark.parametrize(
    "value", [Opaque(), np.array([Opaque()], dtype=object), {1, 2}, Raises(TorchLikeError), np.ma.masked_array([1.0])]
)
def test_values_that_are_not_plain_data_are_not_stored(value):
    assert not refcache.store("odd", "b" * refcache.KEY_LENGTH, refcache.Entry([], [value]))
    assert entries("odd") == []


# --- the built-in exercises -------------------------------------------------------------------------------------


def test_every_exercise_reads_back_exactly_what_pytorch_computed():
    for exercise in list_exercises():
        computed = grading_cases.prepare(exercise)
        assert not computed.from_cache
        fresh = computed.references()
        assert entries(exercise.id), f"{exercise.id} was not stored"
        grading_cases._GRADINGS.clear()
        cached = grading_cases.prepare(exercise)
        assert cached.from_cache, exercise.id
        assert len(cached.cases) == len(computed.cases)
        assert all(same(a, b) for a, b in zip(cached.cases, computed.cases, strict=True)), exercise.id
        assert all(same(a, b) for a, b in zip(cached.references(), fresh, strict=True)), exercise.id


PROBE = """
import atexit, json, runpy, sys
atexit.register(lambda: sys.__stderr__.write('TORCH=' + json.dumps(sorted(m for m in sys.modules
                                                                        if m.split('.')[0] == 'torch')) + '\\n'))
sys.argv = ['dlquiz'] + sys.argv[1:]
runpy.run_module('dlquiz', run_name='__main__')
"""


def run_dlquiz(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )


def torch_modules(result: subprocess.CompletedProcess) -> list[str]:
    line = next(line for line in result.stderr.splitlines() if line.startswith("TORCH="))
    return json.loads(line[len("TORCH=") :])


@pytest.mark.parametrize(
    "name, learner_file, status",
    [
        ("batchnorm", EXERCISES / "batchnorm" / "solution.py", 0),
        ("batchnorm", REPO / "tests" / "learner_files" / "batchnorm" / "eps_outside_sqrt.py", 1),
        ("dropout", EXERCISES / "dropout" / "solution.py", 0),  # its cases() needs torch: cached too
        ("cam", EXERCISES / "cam" / "solution.py", 0),
    ],
)
def test_a_warm_grading_imports_no_torch(name, learner_file, status):
    cold = run_dlquiz("exercise", name, "--file", str(learner_file), "--json")
    assert cold.returncode == status, cold.stderr
    assert "torch" in torch_modules(cold)  # the first grading computes the references
    warm = run_dlquiz("exercise", name, "--file", str(learner_file), "--json")
    assert warm.returncode == status, warm.stderr
    assert torch_modules(warm) == []
    assert json.loads(warm.stdout)["status"] == json.loads(cold.stdout)["status"]
    if status:  # the diagnosis of a known mistake runs in numpy
        assert json.loads(warm.stdout)["diagnoses"] == json.loads(cold.stdout)["diagnoses"] != []


def test_transfer_keeps_its_mistakes_diagnosis_without_torch_in_dlquiz():
    wrong = REPO / "tests" / "learner_files" / "transfer" / "returns_model_parameters.py"
    cold = run_dlquiz("exercise", "transfer", "--file", str(wrong), "--json")
    warm = run_dlquiz("exercise", "transfer", "--file", str(wrong), "--json")
    assert cold.returncode == warm.returncode == 1
    assert torch_modules(warm) == []  # harness mistakes' outcomes are cached too (the learner's process has torch)
    assert json.loads(warm.stdout)["diagnoses"] == json.loads(cold.stdout)["diagnoses"] != []


# --- missing, corrupt, stale ------------------------------------------------------------------------------------


def graded_from_cache(name: str = "relu") -> tuple[str, bool]:
    grading_cases._GRADINGS.clear()
    exercise = load_exercise(name)
    result = grade_file(exercise, EXERCISES / name / "solution.py")
    return result.status, grading_cases.prepare(exercise).from_cache


def test_a_missing_entry_is_rebuilt():
    assert graded_from_cache() == ("passed", False)
    assert graded_from_cache() == ("passed", True)
    for path in entries("relu"):
        path.unlink()
    assert graded_from_cache() == ("passed", False)
    assert len(entries("relu")) == 1


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty", "other_key", "bad_manifest"])
def test_a_corrupt_entry_is_rebuilt_silently(damage, capsys):
    graded_from_cache()
    [path] = entries("relu")
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "flip":  # a flipped bit inside an array: zip's CRC catches it
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 0x10]) + data[middle + 1 :])
    elif damage == "garbage":
        path.write_bytes(b"not a zip file at all")
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        with zipfile.ZipFile(path) as archive:
            members = {name: archive.read(name) for name in archive.namelist()}
        manifest = json.loads(members["manifest.json"])
        if damage == "other_key":
            manifest["key"] = "0" * refcache.KEY_LENGTH
        else:
            manifest["references"][0] = {"array": 10**6}
        members["manifest.json"] = json.dumps(manifest).encode()
        with zipfile.ZipFile(path, "w") as archive:
            for name, content in members.items():
                archive.writestr(name, content)
    assert graded_from_cache() == ("passed", False)
    assert capsys.readouterr().err == ""
    assert graded_from_cache() == ("passed", True)  # and the rebuilt entry is good


def test_a_new_torch_version_makes_the_entry_stale(monkeypatch):
    graded_from_cache()
    [old] = entries("relu")
    real = refcache._version
    monkeypatch.setattr(refcache, "_version", lambda name: "9.9.9" if name == "torch" else real(name))
    assert graded_from_cache() == ("passed", False)
    [new] = entries("relu")
    assert new != old  # the old one is removed, not left to pile up
    assert json.loads(zipfile.ZipFile(new).read("manifest.json"))["versions"]["torch"] == "9.9.9"


def test_the_torch_version_is_read_without_importing_torch():
    code = (
        "import sys; from dlquiz.grading import refcache; v = refcache.versions()['torch'];"
        "print(v, 'torch' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=60,
    ).stdout.split()
    import torch

    assert out == [torch.__version__.split("+")[0], "False"] or out == [torch.__version__, "False"]


def test_changing_the_grading_code_or_a_seed_makes_the_entry_stale(tmp_path):
    root = tmp_path / "exercises"
    shutil.copytree(EXERCISES / "relu", root / "relu")
    exercise = load_exercise("relu", root)
    assert grading_cases.warm(exercise) == "computed"
    grading_cases._GRADINGS.clear()
    assert grading_cases.warm(exercise) == "cached"
    [before] = entries("relu")
    grading = root / "relu" / "grading.py"
    source = grading.read_text()
    assert "default_rng(" in source
    grading.write_text(source.replace("default_rng(", "default_rng(1 + ", 1))
    grading_cases._GRADINGS.clear()
    assert grading_cases.warm(exercise) == "computed"
    [after] = entries("relu")
    assert after != before
    fresh = grading_cases.prepare(load_exercise("relu", EXERCISES)).cases
    changed = grading_cases.prepare(exercise).cases
    # The new seed's cases, not the cached old ones:
    assert not all(same(a, b) for a, b in zip(fresh, changed, strict=True))


def test_an_unwritable_cache_only_means_no_cache(monkeypatch, isolated_home):
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "cache").write_text("a file where the folder should be")
    assert graded_from_cache() == ("passed", False)
    assert graded_from_cache() == ("passed", False)


# --- dlquiz exercise --prepare ----------------------------------------------------------------------------------


def test_prepare_warms_the_named_exercises_then_says_they_are_ready():
    first = runner.invoke(app, ["exercise", "--prepare", "relu", "gap"])
    assert first.exit_code == 0, first.output
    assert "relu: prepared" in first.output and "gap: prepared" in first.output
    assert "2 exercise(s) ready" in first.output
    assert entries("relu") and entries("gap") and not entries("sigmoid")
    again = runner.invoke(app, ["exercise", "--prepare", "relu", "gap", "--lang", "zh"])
    assert again.exit_code == 0
    assert "relu：已准备好" in again.output and "gap：已准备好" in again.output


def test_prepare_without_names_warms_every_exercise_and_quiet_prints_nothing():
    result = runner.invoke(app, ["exercise", "--prepare", "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.output == ""
    assert {path.name.rsplit("-", 1)[0] for path in refcache.cache_dir().glob("*.npz")} == {
        exercise.id for exercise in list_exercises()
    }


@pytest.mark.parametrize(
    "args, words",
    [
        (["exercise", "--prepare", "relu", "--file", "x.py"], "--prepare takes only exercise names"),
        (["exercise", "relu", "gap"], "one exercise at a time"),
        (["exercise", "relu", "--quiet"], "--quiet goes with --prepare"),
        (["exercise", "--prepare", "nosuch"], "no exercise named 'nosuch'"),
    ],
)
def test_prepare_usage_errors(args, words):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert words in result.output
    assert "Traceback" not in result.output


def test_prepare_shows_a_progress_bar_in_a_terminal(isolated_home):
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "DLQUIZ_HOME": str(isolated_home), "PYTHONPATH": str(REPO), "TERM": "xterm"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "dlquiz", "exercise", "--prepare", "relu", "sigmoid"],
        env=env,
        dimensions=(24, 80),
        encoding="utf-8",
        timeout=120,
    )
    child.expect("PyTorch references")
    child.expect("2 exercise\\(s\\) ready")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


# --- warming in the background for code cards ------------------------------------------------------------------


def code_item(exercise: str | None, kind: str = "code") -> ReviewItem:
    return ReviewItem(Card("deck", f"{exercise}-card", kind, 1, {}, exercise=exercise))


def test_only_missing_known_exercises_are_warmed_in_the_background():
    assert refcache.missing(["relu", "gap", "relu", "nosuch"]) == ["gap", "relu"]
    process = refcache.warm_in_background(["relu", "nosuch"])
    assert process is not None
    assert process.wait(timeout=120) == 0
    assert entries("relu") and not entries("gap")
    assert refcache.missing(["relu", "gap"]) == ["gap"]
    assert refcache.warm_in_background(["relu"]) is None  # nothing missing: no process at all


def test_study_warms_the_exercises_of_its_code_cards(monkeypatch):
    """Which exercises study hands over to the background warm-up: those of its code cards, once each."""
    from dlquiz.cards import library
    from dlquiz.cli import study_screen
    from dlquiz.review import session

    asked: list[list[str]] = []
    monkeypatch.setattr(refcache, "warm_in_background", lambda names: asked.append(list(names)))
    items = [code_item("gap"), code_item("relu", "basic"), code_item(None), code_item("sigmoid")]
    monkeypatch.setattr(library, "load", lambda decks=None: _Loaded(items))
    monkeypatch.setattr(session, "StudySession", lambda *args, **kwargs: None)
    monkeypatch.setattr(study_screen, "StudyScreen", _Screen)
    result = runner.invoke(app, ["study", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert asked == [["gap", "sigmoid"]]


class _Screen:
    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def run(self) -> None:
        pass


class _Loaded:
    def __init__(self, items: list[ReviewItem]) -> None:
        self.problems, self.broken = [], []
        self.decks = [_Deck(items)]


class _Deck:
    def __init__(self, items: list[ReviewItem]) -> None:
        self.id, self._items = "deck", items

    def items(self) -> list[ReviewItem]:
        return self._items
