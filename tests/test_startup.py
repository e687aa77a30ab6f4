"""Start-up stays light: only exercise grading may import torch or numpy."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

PROBE = """
import runpy, sys, json, atexit
def report():
    heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'numpy'))
    sys.__stderr__.write('HEAVY=' + json.dumps(heavy) + '\\n')
atexit.register(report)
sys.argv = ['dlquiz'] + sys.argv[1:]
runpy.run_module('dlquiz', run_name='__main__')
"""


@pytest.mark.parametrize(
    "args, stdin",
    [
        (["--help"], ""),
        (["study", "--lang", "en"], "\n3\nq\n"),
        (["decks"], ""),
        (["deck", "check", "decks/dl-notes.yaml"], ""),
        (["config"], ""),
        (["stats"], ""),
        (["export", "--help"], ""),
        (["import", "--help"], ""),
    ],
)
def test_commands_do_not_import_torch_or_numpy(args, stdin, isolated_home):
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    heavy_line = [line for line in result.stderr.splitlines() if line.startswith("HEAVY=")]
    assert heavy_line, result.stderr
    assert json.loads(heavy_line[0][len("HEAVY=") :]) == []
