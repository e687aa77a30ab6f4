"""Benchmark: grading with and without the reference cache (not a test; pytest does not collect this folder's files).

Times, end to end as subprocesses, the median of several runs of

* the baselines: ``python -c "import numpy"`` and ``python -c "import torch"``;
* ``dlquiz exercise batchnorm --file correct.py`` with a warm cache (goal: at most 4x the numpy baseline);
* the same with a cold cache, emptied before each run (goal: at most 1.4x the torch baseline);
* ``--watch``: from saving the file to the verdict on screen (goal: at most 0.3 s), the watch loop kept running;
* a code card (``gap-code``, filled with its answer), from Enter to verdict, warm (goal: at most 0.35 s): the call
  the study screen makes (``grading.snippet.grade_code``), timed inside one study process after a first grade;

and prints each as seconds and as a ratio to its baseline. A command and its baseline run in turns (baseline, command,
baseline, command …), so a change in the machine's load shows in both alike. ``correct.py`` is the reference
solution. dlquiz's modules are compiled to bytecode first, as ``pip install`` does: without it (a checkout run with
PYTHONDONTWRITEBYTECODE set) every run would compile them from source again, which no installed dlquiz does.

    python tests/benchmarks/bench_grading.py [--runs 7] [--exercise batchnorm]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def timed(command: list[str], env: dict[str, str], before=None) -> float:
    if before is not None:
        before()
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def paired_medians(
    runs: int, baseline: list[str], command: list[str], env: dict[str, str], before=None
) -> tuple[float, float]:
    """Medians of ``baseline`` and ``command``, run in turns."""
    timed(baseline, env)
    timed(command, env, before)  # unmeasured: file-system caches
    pairs = [(timed(baseline, env), timed(command, env, before)) for _ in range(runs)]
    return statistics.median(pair[0] for pair in pairs), statistics.median(pair[1] for pair in pairs)


def watch_regrades(runs: int, exercise: str, learner: Path, env: dict[str, str]) -> list[float]:
    """Seconds from each save to the verdict printed by a running `dlquiz exercise NAME --watch`."""
    command = [sys.executable, "-m", "dlquiz", "exercise", exercise, "--file", str(learner), "--watch"]
    process = subprocess.Popen(
        command, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    assert process.stdout is not None
    seconds = []
    try:
        _read_until(process, "Watching")
        for run in range(runs + 1):
            time.sleep(0.5)  # a learner does not save twice in a row; lets the loop go back to polling
            source = learner.read_text(encoding="utf-8")
            started = time.perf_counter()
            learner.write_text(source + f"# save {run}\n", encoding="utf-8")
            _read_until(process, "cases match PyTorch")
            if run:  # the first regrade loads what the watch loop keeps
                seconds.append(time.perf_counter() - started)
    finally:
        process.terminate()
        process.wait(timeout=10)
    return seconds


CODE_CARD_TIMER = """
import json, statistics, sys, time
import yaml
from dlquiz.cards.challenge import fill_blank
from dlquiz.grading.snippet import grade_code

card_id, runs = sys.argv[1], int(sys.argv[2])
deck = yaml.safe_load(open("decks/dl-notes.yaml", encoding="utf-8"))
card = next(card for card in deck["cards"] if card.get("id") == card_id)
source = fill_blank(card["code"], card["answer"])
assert grade_code(card["exercise"], source).passed  # the study screen's first grade loads what later ones reuse
seconds = []
for _ in range(runs):
    started = time.perf_counter()
    result = grade_code(card["exercise"], source)
    seconds.append(time.perf_counter() - started)
    assert result.passed, result
print(json.dumps(seconds))
"""


def code_card_grades(runs: int, card_id: str, env: dict[str, str]) -> list[float]:
    """Seconds of each warm ``grade_code`` call for a built-in code card, in one process as in `dlquiz study`."""
    done = subprocess.run(
        [sys.executable, "-c", CODE_CARD_TIMER, card_id, str(runs)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _read_until(process: subprocess.Popen, text: str) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        if text in line:
            return
    raise RuntimeError(f"dlquiz stopped before printing {text!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--exercise", default="batchnorm")
    parser.add_argument("--card", default="gap-code", help="the built-in code card to time (in decks/dl-notes.yaml)")
    options = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="dlquiz-bench-"))
    env = {**os.environ, "DLQUIZ_HOME": str(home), "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    learner = home / "correct.py"
    shutil.copy(REPO / "exercises" / options.exercise / "solution.py", learner)
    grade = [sys.executable, "-m", "dlquiz", "exercise", options.exercise, "--file", str(learner)]
    compileall.compile_dir(REPO / "dlquiz", quiet=1)
    try:
        cache = home / "cache" / "references"
        torch, cold = paired_medians(
            options.runs,
            [sys.executable, "-c", "import torch"],
            grade,
            env,
            before=lambda: shutil.rmtree(cache, ignore_errors=True),
        )
        subprocess.run(
            [sys.executable, "-m", "dlquiz", "exercise", "--prepare", "--quiet", options.exercise],
            env=env,
            cwd=REPO,
            check=True,
        )
        numpy, warm = paired_medians(options.runs, [sys.executable, "-c", "import numpy"], grade, env)
        regrades = watch_regrades(options.runs, options.exercise, learner, env)
        card_exercise = _card_exercise(options.card)
        subprocess.run(
            [sys.executable, "-m", "dlquiz", "exercise", "--prepare", "--quiet", card_exercise],
            env=env,
            cwd=REPO,
            check=True,
        )
        cards = code_card_grades(options.runs, options.card, env)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    watch = statistics.median(regrades)
    print(f"median of {options.runs} runs, `dlquiz exercise {options.exercise} --file correct.py`")
    print(f"  python -c 'import numpy'   {numpy:6.3f} s")
    print(f"  python -c 'import torch'   {torch:6.3f} s")
    print(f"  warm cache                 {warm:6.3f} s  = {warm / numpy:4.2f} x numpy   (goal <= 4)")
    print(f"  cold cache                 {cold:6.3f} s  = {cold / torch:4.2f} x torch   (goal <= 1.4)")
    print(f"  --watch, save to verdict   {watch:6.3f} s  (min {min(regrades):.3f}, goal <= 0.3)")
    card = statistics.median(cards)
    print(f"  code card {options.card}, Enter to verdict {card:6.3f} s  (min {min(cards):.3f}, goal <= 0.35)")


def _card_exercise(card_id: str) -> str:
    import yaml

    deck = yaml.safe_load((REPO / "decks" / "dl-notes.yaml").read_text(encoding="utf-8"))
    return next(card["exercise"] for card in deck["cards"] if card.get("id") == card_id)


if __name__ == "__main__":
    main()
