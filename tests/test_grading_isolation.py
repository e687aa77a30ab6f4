"""The grader cannot be hung, orphaned or fooled: regression tests for the hardening issue.

Each learner file in tests/learner_files/hostile/ is a repro from the issue (or one of its kind) graded against
`relu`. None may crash or hang the grader, leave a process behind, or pass without implementing the exercise.
Tests about processes run in both isolation modes of supervisor.py: Linux namespaces (where the kernel allows
them) and the subreaper fallback.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest

from dlquiz.grading import runfolder, runner
from dlquiz.grading.catalog import load_exercise
from dlquiz.grading.grader import grade_file
from processes import eventually, processes_with

REPO = Path(__file__).resolve().parents[1]
FILES = Path(__file__).parent / "learner_files" / "hostile"
GRADE = """
import json, sys
from dlquiz.grading import runner
runner.USE_NAMESPACES = sys.argv[1] == "namespace"
from dlquiz.grading.catalog import load_exercise
from dlquiz.grading.grader import grade_file
result = grade_file(load_exercise("relu"), sys.argv[2], time_limit_s=float(sys.argv[3]))
print(json.dumps({"status": result.status, "error_kind": result.error_kind}))
"""


def _namespaces_available() -> bool:
    probe = "from dlquiz.grading import supervisor as s; print(s._libc() is not None and s._namespaces_work(s._libc()))"
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    return done.stdout.strip() == "True"


NAMESPACES = _namespaces_available()


@pytest.fixture(scope="module")
def relu():
    return load_exercise("relu")


@pytest.fixture(params=["namespace", "subreaper"])
def isolation(request, monkeypatch) -> str:
    monkeypatch.setattr(runner, "USE_NAMESPACES", request.param == "namespace")
    return request.param if request.param == "subreaper" or NAMESPACES else "subreaper"


@pytest.fixture
def marker(monkeypatch):
    """A sleep duration no other process has: the learner files sleep for it, so their processes can be found."""
    value = f"{600 + random.random():.6f}"
    monkeypatch.setenv("DLQUIZ_TEST_SLEEP", value)
    yield value
    for pid in processes_with(value):  # never leave one behind, even when the test failed
        os.kill(pid, signal.SIGKILL)


def grade_timed(relu, name: str, **options):
    started = time.perf_counter()
    result = grade_file(relu, FILES / name, **options)
    return result, time.perf_counter() - started


def test_the_kernel_namespaces_are_used_where_allowed(relu):
    learner = REPO / "exercises" / "relu" / "solution.py"
    outcome = runner.start(learner, ["relu"], [], time_limit_s=10, memory_limit_mb=2048).wait()
    assert outcome.isolation == ("namespace" if NAMESPACES else "subreaper")


def test_a_detached_process_neither_hangs_grading_nor_outlives_it(relu, isolation, marker):
    result, seconds = grade_timed(relu, "detached_sleeper.py")
    assert result.status == "passed" and "started the sleeper" in result.stdout
    assert seconds < 10  # it used to wait for the sleeper: 92 s for `sleep 91`, forever for `sleep 600`
    assert eventually(lambda: not processes_with(marker), 2)


def test_killing_dlquiz_kills_the_learner_and_the_next_run_cleans_up(relu, isolation, marker, tmp_path, monkeypatch):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    grading = subprocess.Popen(
        [sys.executable, "-c", GRADE, isolation, str(FILES / "sleeper_then_hangs.py"), "120"],
        env={**os.environ, "PYTHONPATH": str(REPO), "TMPDIR": str(scratch)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert eventually(lambda: processes_with(marker), 60), "the learner never started its sleeper"
        [folder] = scratch.glob("dlquiz-run-*")
        job = str(folder / "job.pickle")
        assert processes_with(job)  # the learner's own process
    finally:
        grading.kill()  # SIGKILL: dlquiz gets no chance to clean up
        grading.wait()
    assert eventually(lambda: not processes_with(marker) and not processes_with(job), 10)
    assert folder.exists()  # left behind by the killed dlquiz ...
    monkeypatch.setattr("tempfile.tempdir", str(scratch))
    assert grade_file(relu, REPO / "exercises" / "relu" / "solution.py").status == "passed"
    assert not folder.exists() and not list(scratch.iterdir())  # ... and removed by the next run


def test_the_learner_cannot_take_its_supervisor_down(relu, isolation, marker):
    result, seconds = grade_timed(relu, "kills_parent.py")  # starts a helper, then os.kill(os.getppid(), SIGKILL)
    assert seconds < 10
    assert eventually(lambda: not processes_with(marker), 2)  # the helper did not outlive the grading
    if isolation == "namespace":
        assert result.status == "passed"  # its parent is the namespace's init, which ignores the signal
    else:
        assert (result.status, result.error_kind) == ("error", "interrupted")
        assert "os.kill" in result.error_message["en"] and "os.kill" in result.error_message["zh"]


def test_stopping_the_parent_does_not_stop_the_clock(relu, isolation):
    result, seconds = grade_timed(relu, "stops_parent.py", time_limit_s=2)  # SIGSTOP to its parent, then sleeps
    assert (result.status, result.error_kind) == ("error", "timeout")
    assert seconds < 2 + runner.GRACE_S + runner.STOP_WAIT_S + 4


def test_a_fork_bomb_is_bounded_and_cleaned_up(relu, isolation, marker):
    result, seconds = grade_timed(relu, "fork_bomb.py")
    assert result.status == "passed" and seconds < 20  # it implements relu; the copies only sleep
    if isolation == "namespace" and os.getuid() != 0:  # the kernel exempts root from RLIMIT_NPROC
        assert "fork refused" in result.stdout  # RLIMIT_NPROC counts the namespace's processes only
    assert eventually(lambda: not processes_with(marker), 5)


def test_the_learner_runs_under_hard_limits_in_its_own_session(relu, isolation, tmp_path):
    learner = tmp_path / "shows_limits.py"
    learner.write_text(
        "import os, resource\nimport numpy as np\n"
        "for name in ('RLIMIT_AS', 'RLIMIT_CPU', 'RLIMIT_CORE', 'RLIMIT_FSIZE', 'RLIMIT_NPROC'):\n"
        "    print(name, *resource.getrlimit(getattr(resource, name)))\n"
        "print('session', os.getsid(0) == os.getpid(), 'stdin', os.path.realpath('/proc/self/fd/0'))\n"
        "def relu(x):\n    return np.maximum(x, 0.0)\n"
        "def relu_grad(x):\n    return (x > 0).astype(x.dtype)\n",
        encoding="utf-8",
    )
    result = grade_file(relu, learner, time_limit_s=5, memory_limit_mb=1024)
    limits = {
        words[0]: [int(n) for n in words[1:]]
        for words in map(str.split, result.stdout.splitlines())
        if words[0].startswith("RLIMIT")
    }
    assert limits["RLIMIT_AS"] == [2**30, 2**30]  # soft = hard: it cannot be raised
    assert limits["RLIMIT_CPU"] == [runner.cpu_limit_s(5), runner.cpu_limit_s(5) + 1]
    assert limits["RLIMIT_CORE"] == [0, 0] and limits["RLIMIT_FSIZE"][0] > 0
    if isolation == "namespace":
        assert limits["RLIMIT_NPROC"] == [64, 64]
    assert "session True stdin /dev/null" in result.stdout


def test_the_memory_limit_cannot_be_raised(relu):
    result, _ = grade_timed(relu, "raises_memory_limit.py")  # soft RLIMIT_AS raised to the hard one, 3.2 GB
    assert (result.status, result.error_kind) == ("error", "memory")
    assert "MemoryError" in result.error_message["en"]


RUN = """
import json, pickle, sys
import numpy as np
from dlquiz.grading import runner
calls = [("relu", pickle.dumps(((np.zeros(3),), {})))] * 20
outcome = runner.start(sys.argv[1], ["relu", "relu_grad"], calls, time_limit_s=20, memory_limit_mb=2048).wait()
print(json.dumps({"dropped": outcome.results_dropped, "results": len(outcome.frames)}))
"""


def _peak_memory_mb(learner: Path) -> tuple[float, dict]:
    """Run ``learner`` through the runner in a fresh process; its peak memory (MB) and what it saw."""
    process = subprocess.Popen(
        [sys.executable, "-c", RUN, str(learner)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, _, usage = os.wait4(process.pid, 0)
    return usage.ru_maxrss / 1024, json.loads(output)


def test_a_flooded_results_pipe_is_cut_off_and_costs_little_memory(relu):
    baseline, plain = _peak_memory_mb(REPO / "exercises" / "relu" / "solution.py")
    flooded, seen = _peak_memory_mb(FILES / "floods_results.py")
    assert plain == {"dropped": 0, "results": 20 * 2 + 3}  # started, loaded, (begin, result) x 20, done
    assert seen["dropped"] > 0
    # 2 GiB were written; RESULTS_LIMIT (64 MiB) of them are kept. It used to cost 2.3 GB.
    assert flooded < baseline + 2.5 * runner.RESULTS_LIMIT / 2**20
    result, _ = grade_timed(relu, "floods_results.py")
    assert (result.status, result.error_kind) == ("error", "results_too_big")
    assert "64 MB" in result.error_message["en"] and "64 MB" in result.error_message["zh"]


def test_torch_and_dlquiz_stay_unimportable_without_the_hook(relu):
    for name, module in (("unhooks_torch.py", "torch"), ("imports_the_solution.py", "exercises")):
        result, _ = grade_timed(relu, name)
        assert (result.status, result.error_kind) == ("error", "import"), name
        assert f"No module named '{module}'" in result.error_message["en"]


def test_the_learners_sys_path_is_the_standard_library_and_numpy(relu, tmp_path):
    learner = tmp_path / "shows_path.py"
    learner.write_text(
        "import sys\nimport numpy as np\nprint('\\n'.join(sys.path))\n"
        "def relu(x):\n    return np.maximum(x, 0.0)\n"
        "def relu_grad(x):\n    return (x > 0).astype(x.dtype)\n",
        encoding="utf-8",
    )
    result = grade_file(relu, learner)
    assert result.status == "passed"
    stdlib = [sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib")]
    entries = result.stdout.splitlines()
    site = [entry for entry in entries if Path(entry).name == "site" and "dlquiz-run-" in entry]
    assert len(site) == 1 and str(tmp_path) in entries  # the private site folder, and the learner's own folder
    others = [entry for entry in entries if entry not in site and entry != str(tmp_path)]
    assert others and all(any(entry.startswith(os.path.dirname(path)) for path in stdlib) for entry in others)
    assert not any("site-packages" in entry for entry in others)


def test_patching_numpy_cannot_hide_a_change_in_place(relu):
    result, _ = grade_timed(relu, "patches_numpy.py")
    assert result.status == "failed"
    kinds = {case.name: case.kind for case in result.cases if case.function == "relu"}
    assert kinds["relu: mixed signs"] == "mutated" and kinds["relu: all negative"] == "mutated"


def test_a_result_that_is_the_callers_array_fails(relu):
    result, _ = grade_timed(relu, "returns_its_input.py")
    assert result.status == "failed"
    aliased = {case.name for case in result.cases if case.kind == "aliased"}
    assert "relu: all positive" in aliased and "relu: all zeros" in aliased
    assert all(case.passed for case in result.cases if case.name not in aliased)
    assert next(case for case in result.cases if case.kind == "aliased").aliased == ["x"]


def test_wrecking_the_run_folder_changes_nothing(relu, tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    result, _ = grade_timed(relu, "wrecks_run_folder.py")
    assert result.status == "failed" and result.error_kind is None
    assert result.first_failure.kind == "wrong_values" and result.cases_passed > 0
    assert not list(tmp_path.glob("dlquiz-run-*"))


def test_rewriting_the_grader_on_disk_does_not_change_the_verdict(tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(REPO / "dlquiz", copy / "dlquiz", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "exercises" / "relu", copy / "exercises" / "relu")
    done = subprocess.run(
        [sys.executable, "-c", GRADE, "namespace", str(FILES / "rewrites_grader.py"), "10"],
        env={**os.environ, "PYTHONPATH": str(copy), "DLQUIZ_TEST_TARGET": str(copy)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert json.loads(done.stdout) == {"status": "failed", "error_kind": None}, done.stderr
    # The attack happened: both files now make every answer right, but too late to matter.
    assert "return Verdict(True, 'ok', _OK)" in (copy / "dlquiz" / "grading" / "compare.py").read_text()
    assert "np.zeros_like(case.args[0])" in (copy / "exercises" / "relu" / "grading.py").read_text()


def test_floods_of_output_are_counted_not_kept(relu):
    result, seconds = grade_timed(relu, "floods_stdout.py")  # 256 MiB to each of fd 1 and fd 2
    assert result.status == "passed" and seconds < 15
    assert len(result.stdout) == runner.OUTPUT_LIMIT and result.stdout_dropped == 2**28 - runner.OUTPUT_LIMIT
    assert result.stderr_dropped == 2**28 - runner.OUTPUT_LIMIT


def test_a_clean_exit_while_being_imported_is_still_an_error(relu):
    result, _ = grade_timed(relu, "exits_zero_at_import.py")  # os._exit(0)
    assert (result.status, result.error_kind) == ("error", "exit")
    assert "exit status 0" in result.error_message["en"]


def test_only_abandoned_run_folders_are_removed(tmp_path):
    def folder(name: str) -> Path:
        path = tmp_path / f"{runfolder.PREFIX}{name}"
        path.mkdir()
        return path

    abandoned = folder("abandoned")
    (abandoned / runfolder.LOCK).touch()
    in_use = folder("in-use")
    held = os.open(in_use / runfolder.LOCK, os.O_CREAT | os.O_WRONLY)
    import fcntl

    fcntl.flock(held, fcntl.LOCK_EX)
    young = folder("being-created")  # no lock file yet
    old = folder("old-without-lock")
    os.utime(old, (time.time() - 2 * runfolder.LOCKLESS_GRACE_S,) * 2)
    unrelated = tmp_path / "something-else"
    unrelated.mkdir()
    try:
        assert sorted(runfolder.remove_stale(tmp_path)) == sorted([abandoned, old])
    finally:
        os.close(held)
    assert in_use.exists() and young.exists() and unrelated.exists()


def test_the_stale_sweep_never_removes_a_folder_being_created(tmp_path):
    """Creations racing with other dlquiz's sweeps: every fresh folder stays until its own ``remove()``."""
    import threading

    lost: list[str] = []
    swept: list[Path] = []
    creating = threading.Event()

    def create_many() -> None:
        for _ in range(150):
            folder = runfolder.RunFolder(tmp_path)
            try:
                (folder.path / "job.pickle").write_bytes(b"job")  # failed with "No such file" before the fix
                if not (folder.path / "job.pickle").exists():
                    lost.append(folder.path.name)
            except OSError as error:
                lost.append(f"{folder.path.name}: {error}")
            finally:
                folder.remove()

    def sweep() -> None:
        while creating.is_set():
            swept.extend(runfolder.remove_stale(tmp_path))

    creating.set()
    sweepers = [threading.Thread(target=sweep) for _ in range(2)]
    creators = [threading.Thread(target=create_many) for _ in range(4)]
    for thread in sweepers + creators:
        thread.start()
    for thread in creators:
        thread.join()
    creating.clear()
    for thread in sweepers:
        thread.join()
    assert lost == [] and swept == []
    assert list(tmp_path.iterdir()) == []  # and every folder was removed by its creator


def test_a_pending_folder_is_left_alone_until_its_grace_is_over(tmp_path):
    fresh = tmp_path / f"{runfolder.PENDING_PREFIX}fresh"
    fresh.mkdir()
    (fresh / runfolder.LOCK).touch()  # its creator has not taken the lock yet
    old = tmp_path / f"{runfolder.PENDING_PREFIX}old"
    old.mkdir()
    os.utime(old, (time.time() - 2 * runfolder.LOCKLESS_GRACE_S,) * 2)
    assert runfolder.remove_stale(tmp_path) == [old]
    assert fresh.exists() and not old.exists()
