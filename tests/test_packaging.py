"""A plain (non-editable) install carries the decks and exercises inside the package."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytest.importorskip("hatchling", reason="hatchling builds the wheel (a test extra)")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)],
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=120,
    )
    (built,) = out.glob("dlquiz-*.whl")
    return built


def test_wheel_contains_decks_and_exercises(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "dlquiz/_data/decks/dl-notes.yaml" in names
    for exercise in ("relu", "padding", "batchnorm", "gap", "attention"):
        for part in ("exercise.yaml", "task.md", "template.py", "solution.py", "grading.py"):
            assert f"dlquiz/_data/exercises/{exercise}/{part}" in names
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]


def test_installed_wheel_finds_its_data_outside_the_repository(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site)}
    probe = "import dlquiz.paths as p; print(p.__file__); print(p.builtin_decks_dir()); print(p.exercises_dir())"
    lines = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert all(line.startswith(str(site)) for line in lines), lines
    decks = subprocess.run(
        [sys.executable, "-m", "dlquiz", "decks", "--lang", "en"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert decks.returncode == 0, decks.stderr
    assert "dl-notes" in decks.stdout and "Deep-learning notes" in decks.stdout
