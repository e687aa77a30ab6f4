"""`dlquiz optimize`: FSRS fitted to a learner whose memory follows known, non-default parameters.

py-fsrs's optimizer runs 5 epochs; these tests patch its module-level ``num_epochs`` to 2 so the file stays fast on a
loaded machine (the fit already beats the defaults after one epoch on this history). Nothing else is patched.
"""

from __future__ import annotations

import io
import json
import math
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fsrs import Card, Rating, Scheduler
from fsrs import ReviewLog as FsrsReviewLog
from fsrs.scheduler import DEFAULT_PARAMETERS
from rich.console import Console
from synthetic_learner import TRUE_PARAMETERS, simulate
from typer.testing import CliRunner

from dlquiz.cli.app import app
from dlquiz.cli.optimize import _ProgressDisplay
from dlquiz.interop import backup
from dlquiz.review import optimize as fitting
from dlquiz.review.day import queue_of
from dlquiz.review.records import ReviewLog, SchedulingState
from dlquiz.review.repository import ProgressRepository
from dlquiz.review.scheduling import make_scheduler, new_card
from dlquiz.review.settings import StudySettings, format_fsrs_parameters
from dlquiz.review.store import open_store

runner = CliRunner()
REPO = Path(__file__).resolve().parents[1]
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def two_epochs(monkeypatch):
    from fsrs import optimizer

    monkeypatch.setattr(optimizer, "num_epochs", 2)


def studied(cards: int = 120, days: int = 60, durations: bool = True) -> int:
    store = open_store()
    try:
        return simulate(store, cards, days, durations=durations)
    finally:
        store.close()


def stored_settings() -> dict[str, str]:
    store = open_store()
    try:
        return store.settings()
    finally:
        store.close()


def test_the_fit_beats_the_defaults_is_stored_shown_used_and_reset(isolated_home, all_types_deck):
    answers = studied()
    store = open_store()
    history = fitting.load_history(ProgressRepository(store))
    store.close()
    # The simulated memory really is not the default one: its own parameters predict it better.
    assert fitting.evaluate(history, TRUE_PARAMETERS).log_loss < fitting.evaluate(history, DEFAULT_PARAMETERS).log_loss

    result = runner.invoke(app, ["optimize", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["reviews"] == answers and data["cards"] == 120
    assert data["needed"] == 512 <= data["counted"] == history.counted < answers
    assert data["fitted"]["log_loss"] < data["default"]["log_loss"]
    assert data["before"] is None and data["stored"] is True
    fitted = tuple(data["fitted_parameters"])
    assert len(fitted) == 21 and fitted != tuple(DEFAULT_PARAMETERS) and data["parameters_in_use"] == list(fitted)
    # the figures shown are those of the parameters as stored (4 decimals)
    assert fitting.evaluate(history, fitted).log_loss == pytest.approx(data["fitted"]["log_loss"], rel=1e-12)
    assert data["optimal_retention"] in (0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
    assert data["optimal_retention_problem"] is None and data["timed_answers"] == answers
    assert data["desired_retention"] == 0.9

    assert stored_settings()["fsrs-parameters"] == format_fsrs_parameters(fitted)
    shown = runner.invoke(app, ["config"])
    assert f"fsrs-parameters = {format_fsrs_parameters(fitted)}  (changed)" in shown.output
    assert make_scheduler(StudySettings(stored_settings())).parameters == fitted

    # A real study session schedules with them: a new card rated Good starts at the fitted w2 days of stability.
    session = runner.invoke(app, ["study", str(all_types_deck), "--lang", "en", "--limit", "1"], input="\n3\n")
    assert session.exit_code == 0, session.output
    store = open_store()
    first = [state for key, state in ProgressRepository(store).card_states().items() if key[0] == "sample"]
    store.close()
    assert len(first) == 1 and first[0].stability == pytest.approx(fitted[2])

    reset = runner.invoke(app, ["config", "fsrs-parameters", "--reset"])
    assert reset.exit_code == 0 and "fsrs-parameters = default" in reset.output and "(changed)" not in reset.output
    assert make_scheduler(StudySettings(stored_settings())).parameters == tuple(DEFAULT_PARAMETERS)


def test_a_second_fit_that_is_no_better_keeps_the_parameters(isolated_home):
    studied(durations=False)
    first = runner.invoke(app, ["optimize", "--lang", "en"])
    assert first.exit_code == 0, first.output
    out = " ".join(first.output.split())  # the terminal width may wrap sentences
    assert "FSRS fitted to your review log:" in out and "default" in out and "fitted" in out
    assert "in use before" not in out
    assert "Stored: the scheduler uses the fitted parameters from now on." in out
    assert "No retention suggestion yet: it needs 512 answers with their durations; your log has 0." in out
    assert "Fitting FSRS" not in first.output and first.stderr == ""  # no progress drawn on a pipe
    stored = stored_settings()["fsrs-parameters"]

    # py-fsrs starts every fit from the defaults with a fixed seed: the same fit again is not better than itself.
    second = runner.invoke(app, ["optimize", "--lang", "zh"])
    assert second.exit_code == 0, second.output
    out = "".join(second.output.split())
    assert "之前使用" in out and "未保存：拟合的参数对你的作答预测得不比当前参数好，当前参数不变。" in out
    assert "暂无保持率建议" in out
    assert stored_settings()["fsrs-parameters"] == stored


def test_too_few_reviews_says_how_many_more_and_exits_1(isolated_home):
    answers = studied(cards=30, days=20)
    store = open_store()
    counted = fitting.load_history(ProgressRepository(store)).counted
    store.close()
    assert 0 < counted < 512
    result = runner.invoke(app, ["optimize", "--lang", "en"])
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert f"too few reviews to fit FSRS: {counted} of the 512 needed, {512 - counted} more." in message
    assert "a day or more after the card's previous answer" in message and "Traceback" not in result.output
    as_json = runner.invoke(app, ["optimize", "--json"])
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout) == {
        "error": "too_few_reviews",
        "counted": counted,
        "needed": 512,
        "reviews": answers,
    }
    assert "fsrs-parameters" not in stored_settings()


def test_refusing_a_short_log_does_not_load_torch(isolated_home):
    probe = (
        "import runpy, sys, atexit\n"
        "atexit.register(lambda: sys.__stderr__.write('TORCH=' + str('torch' in sys.modules) + '\\n'))\n"
        "sys.argv = ['dlquiz', 'optimize']\n"
        "runpy.run_module('dlquiz', run_name='__main__')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 1 and "0 of the 512 needed" in result.stderr
    assert "TORCH=False" in result.stderr


def logs(*times_by_card: list[datetime]) -> list[FsrsReviewLog]:
    return [
        FsrsReviewLog(card, Rating.Good, moment, 1000)
        for card, times in enumerate(times_by_card, 1)
        for moment in times
    ]


def test_only_answers_a_day_after_the_previous_one_count_within_the_first_64():
    # 24 hours after the previous answer, not one calendar day: py-fsrs's `timedelta.days > 0`
    later = T0 + DAY + timedelta(minutes=10)
    same_day_steps = [T0, T0 + timedelta(minutes=10), later, later + timedelta(hours=23), later + timedelta(hours=47)]
    many = [T0 + i * DAY for i in range(70)]
    history = fitting.History(logs(same_day_steps), 1, 0)
    assert sum(1 for _ in fitting._scored_steps(fitting._sequences(history.logs))) == 2
    assert sum(1 for _ in fitting._scored_steps(fitting._sequences(logs(many)))) == 63  # py-fsrs's max_seq_len


def test_log_loss_is_py_fsrs_own_and_rmse_is_binned(isolated_home):
    studied()
    store = open_store()
    history = fitting.load_history(ProgressRepository(store))
    store.close()
    from fsrs.optimizer import Optimizer

    own = Optimizer(history.logs)
    for parameters in (DEFAULT_PARAMETERS, TRUE_PARAMETERS):
        expected = own._compute_batch_loss(parameters=list(parameters))
        assert fitting.evaluate(history, parameters).log_loss == pytest.approx(expected, rel=1e-9)

    # Four cards seen again 1 day later (3 recalled), one seen 100 days later (recalled): two bins.
    times = [[T0 + i * timedelta(hours=1), T0 + i * timedelta(hours=1) + DAY] for i in range(4)]
    times.append([T0, T0 + 100 * DAY])
    small = logs(*times)
    small[3 * 2 + 1] = FsrsReviewLog(4, Rating.Again, small[7].review_datetime, 1000)
    scheduler = Scheduler()
    after_good, _ = scheduler.review_card(Card(card_id=1, due=T0), Rating.Good, review_datetime=T0)
    near = scheduler.get_card_retrievability(after_good, T0 + DAY)
    far = scheduler.get_card_retrievability(after_good, T0 + 100 * DAY)
    fit = fitting.evaluate(fitting.History(small, 5, 5), DEFAULT_PARAMETERS)
    assert fit.rmse == pytest.approx(math.sqrt((4 * (near - 0.75) ** 2 + (far - 1) ** 2) / 5))
    expected_loss = -(3 * math.log(near) + math.log(1 - near) + math.log(far)) / 5
    assert fit.log_loss == pytest.approx(expected_loss)


def test_fsrs_parameters_setting_is_checked(isolated_home):
    anki = (
        "0.40255 1.18385 3.173 15.69105 7.1949 0.5345 1.4604 0.0046 1.54575 0.1192 1.01925 1.9395 0.11 0.29605 "
        "2.2698 0.2315 2.9898 0.51655 0.6621 0.06 0.1542"
    )
    accepted = runner.invoke(app, ["config", "fsrs-parameters", *anki.split()])
    assert accepted.exit_code == 0, accepted.output
    assert make_scheduler(StudySettings(stored_settings())).parameters == tuple(map(float, anki.split()))
    too_few = runner.invoke(app, ["config", "fsrs-parameters", "0.4", "1.2", "3.1"])
    assert too_few.exit_code == 2 and "must be `default` or 21 numbers (FSRS-6), not 3" in too_few.output
    out_of_bounds = anki.split()
    out_of_bounds[4] = "11"
    refused = runner.invoke(app, ["config", "fsrs-parameters", *out_of_bounds])
    assert refused.exit_code == 2 and "number 5 (11) must be between 1.0 and 10.0" in refused.output
    not_a_number = runner.invoke(app, ["config", "fsrs-parameters", *(["x"] + anki.split()[1:])])
    assert not_a_number.exit_code == 2 and "number 1 ('x') is not a number" in not_a_number.output
    back = runner.invoke(app, ["config", "fsrs-parameters", "default"])
    assert back.exit_code == 0 and "fsrs-parameters = default" in back.output


def answer(store, card: str, rating: Rating, at: datetime) -> None:
    repository = ProgressRepository(store)
    state = repository.card_state("d1", card)
    before = None if queue_of(state) == "new" else state.schedule
    scheduler = make_scheduler(StudySettings(store.settings()))
    after, _ = scheduler.review_card(before.to_card() if before else new_card(at), rating, review_datetime=at)
    repository.record_answer(
        ReviewLog("d1", card, rating, queue_of(state), at, 1500, before, SchedulingState.from_card(after))
    )


def test_a_progress_import_replays_with_the_fitted_parameters(isolated_home, tmp_path, monkeypatch):
    monkeypatch.setenv("DLQUIZ_HOME", str(tmp_path / "other"))
    other = open_store()
    other.set_setting("fuzz", "off")
    answer(other, "z", Rating.Good, T0)
    answer(other, "z", Rating.Good, T0 + 3 * DAY)
    backup.export_to_file(other, tmp_path / "other.jsonl")
    other.close()

    monkeypatch.setenv("DLQUIZ_HOME", str(isolated_home))
    fitted = format_fsrs_parameters(TRUE_PARAMETERS)
    here = open_store()
    here.set_setting("fsrs-parameters", fitted)
    here.set_setting("fuzz", "off")
    here.set_setting("desired-retention", "0.9")
    answer(here, "z", Rating.Again, T0 + DAY)  # one answer the other machine never saw: z is replayed here
    backup.import_contents(here, backup.read_file(tmp_path / "other.jsonl"))
    merged = ProgressRepository(here).reviews("d1", "z")
    here.close()
    # The other machine's first answer is its own history and stays as recorded; from this machine's answer on,
    # the merged history is replayed, and with this machine's fitted parameters, not the defaults.
    assert [review.reviewed_at for review in merged] == [T0, T0 + DAY, T0 + 3 * DAY]

    def replayed(parameters: tuple[float, ...]) -> list[float]:
        scheduler = Scheduler(parameters=parameters, enable_fuzzing=False)
        card, stabilities = merged[0].state_after.to_card(), []
        for review in merged[1:]:
            card, _ = scheduler.review_card(card, review.rating, review_datetime=review.reviewed_at)
            stabilities.append(card.stability)
        return stabilities

    stored = [review.state_after.stability for review in merged[1:]]
    assert stored == pytest.approx(replayed(TRUE_PARAMETERS), rel=1e-12)
    assert stored[-1] != pytest.approx(replayed(tuple(DEFAULT_PARAMETERS))[-1], rel=1e-3)  # w8 differs


def test_progress_bar_on_a_terminal_and_nothing_on_a_pipe():
    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=80)
    with _ProgressDisplay(terminal, "en") as display:
        assert display.shown
        assert list(display.epochs(range(3), 3)) == [0, 1, 2]
        with display.phase("Simulating retentions"):
            pass
    assert "Fitting FSRS" in screen.getvalue() and "3/3" in screen.getvalue()

    piped = io.StringIO()
    with _ProgressDisplay(Console(file=piped, width=80), "en") as display:
        assert not display.shown
        with display.phase("Simulating retentions"):
            pass
    assert piped.getvalue() == ""


def test_the_fit_reports_each_epoch_and_gives_py_fsrs_its_tqdm_back(isolated_home):
    from fsrs import optimizer

    studied()
    store = open_store()
    history = fitting.load_history(ProgressRepository(store))
    store.close()
    seen = []

    def progress(items, total):
        seen.append(total)
        yield from items

    original = optimizer.tqdm
    fitting._fit(history, progress)
    assert seen == [2] and optimizer.tqdm is original
