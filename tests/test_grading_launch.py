"""Starting the learner's process early: ``runner.launch`` starts it while dlquiz is still importing its grading
code, ``Run.send`` gives it its job. The learner's file must not run before the job is sent, the time limit must
count from the send, and a launch that is never sent must leave nothing behind."""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path

import pytest

from dlquiz.errors import DlquizError
from dlquiz.grading import cases, runner
from dlquiz.grading.catalog import load_exercise
from dlquiz.grading.grader import grade_file
from dlquiz.grading.workflow import grade_and_review
from processes import eventually, processes_with

REPO = Path(__file__).resolve().parents[1]


needs_proc = pytest.mark.skipif(not os.path.isdir("/proc"), reason="finds processes through /proc (Linux)")


@pytest.fixture(params=[True, False], ids=["namespace", "no-namespace"])
def isolation(request, monkeypatch):
    monkeypatch.setattr(runner, "USE_NAMESPACES", request.param)


def learner_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "learner.py"
    path.write_text(body, encoding="utf-8")
    return path


CALL = [("f", pickle.dumps(((2,), {}), protocol=4))]


@needs_proc
def test_the_learners_file_runs_only_once_the_job_is_sent(tmp_path, isolation):
    marker = tmp_path / "imported"
    path = learner_file(tmp_path, f"open({str(marker)!r}, 'w').close()\ndef f(x):\n    return x * 3\n")
    run = runner.launch(path, time_limit_s=20, memory_limit_mb=2048)
    try:
        assert eventually(lambda: processes_with(str(run.job)), 10), "the learner's process did not start"
        time.sleep(0.5)  # long enough for it to import numpy and, were it not waiting, the file
        assert not marker.exists()
        run.send(["f"], CALL)
    finally:
        outcome = run.wait()
    assert marker.exists()
    result = next(frame for frame in outcome.frames if frame["event"] == "result")
    assert runner.decode_value(result["value"]) == 6 and outcome.returncode == 0


def test_the_time_limit_counts_from_the_send(tmp_path, isolation):
    path = learner_file(tmp_path, "def f(x):\n    return x + 1\n")
    run = runner.launch(path, time_limit_s=1, memory_limit_mb=2048)
    time.sleep(1.6)  # dlquiz still busy: this must not eat into the learner's second
    run.send(["f"], CALL)
    outcome = run.wait()
    assert not outcome.timed_out and outcome.returncode == 0
    assert [frame["event"] for frame in outcome.frames][-1] == "done"


def test_the_time_limit_still_stops_a_learner_that_never_returns(tmp_path, isolation):
    path = learner_file(tmp_path, "def f(x):\n    while True:\n        pass\n")
    run = runner.launch(path, time_limit_s=1, memory_limit_mb=2048)
    run.send(["f"], CALL)
    started = time.monotonic()
    outcome = run.wait()
    assert outcome.timed_out and time.monotonic() - started < 5


@needs_proc
def test_a_launch_that_is_never_sent_leaves_nothing_behind(tmp_path, isolation):
    marker = tmp_path / "imported"
    path = learner_file(tmp_path, f"open({str(marker)!r}, 'w').close()\n")
    run = runner.launch(path, time_limit_s=20, memory_limit_mb=2048)
    job = str(run.job)
    assert eventually(lambda: processes_with(job), 10)
    started = time.monotonic()
    outcome = run.wait()  # never sent: the same as cancel()
    assert time.monotonic() - started < 3
    assert eventually(lambda: not processes_with(job), 5)
    assert not run.folder.path.exists() and not marker.exists()
    assert not outcome.timed_out and outcome.frames == []


def test_grading_with_a_process_launched_for_another_file_starts_the_right_one(tmp_path):
    relu = load_exercise("relu")
    other = learner_file(tmp_path, "def relu(x):\n    return x\n")  # wrong: the launched process is for this file
    launched = runner.launch(other, time_limit_s=relu.time_limit_s, memory_limit_mb=relu.memory_limit_mb)
    result = grade_file(relu, REPO / "exercises" / "relu" / "solution.py", launched=launched)
    assert result.status == "passed"
    assert not launched.folder.path.exists()  # the stray launch was ended


def test_a_grading_that_fails_on_our_side_ends_the_launched_process(tmp_path, monkeypatch):
    relu = load_exercise("relu")
    launched: list[runner.Run] = []
    launch = runner.launch

    def recording_launch(*args, **kwargs):
        launched.append(launch(*args, **kwargs))
        return launched[-1]

    def broken(exercise):
        raise DlquizError("exercise relu is broken: grading.py failed")

    monkeypatch.setattr(runner, "launch", recording_launch)
    monkeypatch.setattr("dlquiz.grading.grader.prepare", broken)
    path = learner_file(tmp_path, "def relu(x):\n    return x\n")
    with pytest.raises(DlquizError, match="broken"):
        grade_and_review(relu, path, lambda: pytest.fail("nothing is recorded"), None)  # type: ignore[arg-type]
    assert len(launched) == 1 and not launched[0].folder.path.exists()
    if os.path.isdir("/proc"):
        assert eventually(lambda: not processes_with(str(launched[0].job)), 5)
    cases._GRADINGS.clear()


def test_the_callers_work_runs_while_the_learner_runs(tmp_path):
    relu = load_exercise("relu")
    seen = []
    result = grade_file(
        relu, REPO / "exercises" / "relu" / "solution.py", while_running=lambda: seen.append(time.monotonic())
    )
    assert result.status == "passed" and len(seen) == 1
