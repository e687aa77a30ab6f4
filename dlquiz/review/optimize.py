"""Fitting the FSRS-6 parameters to the learner's own review log, with py-fsrs's optimizer.

We never re-implement the fit: ``fsrs.optimizer.Optimizer`` does it (it needs the ``fsrs[optimizer]`` extra: torch,
pandas, tqdm, imported only here and only when a fit runs). This module turns our review log into py-fsrs's, judges
parameter sets on it the way the optimizer does, and decides whether the fit is worth keeping.

Which reviews count: the optimizer replays each card's history (its first 64 answers) and scores only the answers
given a full day (24 h) or more after the card's previous answer; same-day answers test short-term memory, which
the model does not predict. Below one mini-batch of such answers (512) it returns the defaults unchanged, so that
is our threshold too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any

from fsrs import Card, Rating, Scheduler
from fsrs import ReviewLog as FsrsReviewLog
from fsrs.scheduler import DEFAULT_PARAMETERS

from dlquiz.errors import DlquizError
from dlquiz.review.repository import ProgressRepository
from dlquiz.review.settings import StudySettings, format_fsrs_parameters
from dlquiz.review.store import Store

MIN_COUNTED_REVIEWS = 512  # py-fsrs's mini_batch_size: with fewer, compute_optimal_parameters returns the defaults
MAX_SEQUENCE = 64  # py-fsrs's max_seq_len: only the first 64 answers of each card are replayed
MIN_RETENTION_REVIEWS = 512  # compute_optimal_retention refuses fewer answers (each with its duration)
CALIBRATION_BINS = 20  # RMSE (bins): predicted recall grouped in 20 bins of width 0.05
LOG_FLOOR = -100.0  # torch's BCELoss clamps each log to -100; the same here so both losses agree

Progress = Callable[[Iterable[Any], int], Iterable[Any]]  # wraps the epochs' iterable; the int is their count


@dataclass(frozen=True)
class History:
    """The review log as py-fsrs's optimizer sees it: each card an integer id, each answer a ``fsrs.ReviewLog``."""

    logs: list[FsrsReviewLog]
    cards: int
    counted: int  # answers a day or more after the card's previous one, among its first 64: what the fit uses

    @property
    def with_durations(self) -> list[FsrsReviewLog]:
        return [log for log in self.logs if log.review_duration is not None]


def load_history(repository: ProgressRepository) -> History:
    card_ids: dict[tuple[str, str], int] = {}
    logs = []
    for review in repository.iter_reviews():
        card_id = card_ids.setdefault(review.key, len(card_ids) + 1)
        logs.append(FsrsReviewLog(card_id, Rating(review.rating), review.reviewed_at, review.duration_ms))
    return History(logs, len(card_ids), sum(1 for _ in _scored_steps(_sequences(logs))))


def _sequences(logs: Iterable[FsrsReviewLog]) -> list[list[FsrsReviewLog]]:
    """Each card's first answers in time order, cards in id order: the optimizer's own arrangement."""
    by_card: dict[int, list[FsrsReviewLog]] = {}
    for log in logs:
        by_card.setdefault(log.card_id, []).append(log)
    return [sorted(by_card[card_id], key=lambda log: log.review_datetime)[:MAX_SEQUENCE] for card_id in sorted(by_card)]


def _scored_steps(sequences: list[list[FsrsReviewLog]]) -> Iterator[tuple[FsrsReviewLog, datetime]]:
    """The answers that are scored, each with the time of the card's previous answer."""
    for sequence in sequences:
        for previous, log in pairwise(sequence):
            if (log.review_datetime - previous.review_datetime).days > 0:
                yield log, previous.review_datetime


@dataclass(frozen=True)
class Fit:
    """How well a parameter set predicts the learner's recall on the scored answers."""

    log_loss: float  # mean binary cross-entropy of predicted recall vs recalled (any rating but Again)
    rmse: float  # RMSE (bins): predicted vs actual recall rate per bin of predicted recall, weighted by answers


def evaluate(history: History, parameters: Sequence[float]) -> Fit:
    """Replay every card as the optimizer does (py-fsrs's scheduler with these parameters, default steps) and score
    the predicted recall of each counted answer. The log loss equals py-fsrs's ``_compute_batch_loss``."""
    scheduler = Scheduler(parameters=parameters, enable_fuzzing=False)
    losses: list[float] = []
    bins: dict[int, list[float]] = {}  # bin -> [answers, sum of predictions, sum of recalls]
    for sequence in _sequences(history.logs):
        card = Card(card_id=sequence[0].card_id, due=sequence[0].review_datetime)
        for log in sequence:
            if card.last_review is not None and (log.review_datetime - card.last_review).days > 0:
                predicted = float(scheduler.get_card_retrievability(card, log.review_datetime))
                recalled = 0.0 if log.rating == Rating.Again else 1.0
                losses.append(-(recalled * _log(predicted) + (1 - recalled) * _log(1 - predicted)))
                tally = bins.setdefault(min(int(predicted * CALIBRATION_BINS), CALIBRATION_BINS - 1), [0, 0.0, 0.0])
                tally[0] += 1
                tally[1] += predicted
                tally[2] += recalled
            card, _log_entry = scheduler.review_card(card, log.rating, review_datetime=log.review_datetime)
    if not losses:
        raise DlquizError(
            "no review was given a day or more after the card's previous one",
            "Study for a few more days, then run `dlquiz optimize` again.",
        )
    squared = sum(count * (predicted / count - recalled / count) ** 2 for count, predicted, recalled in bins.values())
    return Fit(sum(losses) / len(losses), math.sqrt(squared / len(losses)))


def _log(value: float) -> float:
    return math.log(value) if value > 0 else LOG_FLOOR


@dataclass(frozen=True)
class Retention:
    """The desired retention that minimises study time per remembered card, or why it could not be computed."""

    value: float | None
    timed: int  # answers with their duration: the simulation's input
    reason: str = ""  # "" when computed; "durations": fewer than 512 timed answers; "no-recall": no later success


@dataclass(frozen=True)
class Optimization:
    history: History
    default: Fit
    current: Fit | None  # the parameters in use before, when they are not the defaults
    current_parameters: tuple[float, ...]
    fitted: Fit
    fitted_parameters: tuple[float, ...]
    stored: bool  # the fitted parameters predict better than those in use, and now replace them

    @property
    def before(self) -> Fit:
        """The figures of the parameters in use before the fit."""
        return self.current or self.default

    @property
    def in_use(self) -> tuple[float, ...]:
        """The parameters the scheduler uses from now on."""
        return self.fitted_parameters if self.stored else self.current_parameters


def too_few(history: History) -> DlquizError | None:
    if history.counted >= MIN_COUNTED_REVIEWS:
        return None
    missing = MIN_COUNTED_REVIEWS - history.counted
    return DlquizError(
        f"too few reviews to fit FSRS: {history.counted} of the {MIN_COUNTED_REVIEWS} needed, {missing} more "
        "(only answers a day or more after the card's previous answer count)",
        "Keep studying: a few weeks of daily reviews get there. Then run `dlquiz optimize` again.",
    )


def optimize(store: Store, history: History | None = None, progress: Progress | None = None) -> Optimization:
    """Fit, compare with the defaults and the parameters in use, and store the fit when its log loss is lower.
    Raises before loading torch when the log is too short."""
    history = history or load_history(ProgressRepository(store))
    problem = too_few(history)
    if problem is not None:
        raise problem
    current_parameters = tuple(StudySettings(store.settings())["fsrs-parameters"])
    default = evaluate(history, DEFAULT_PARAMETERS)
    current = None if current_parameters == tuple(DEFAULT_PARAMETERS) else evaluate(history, current_parameters)
    fitted_parameters = _fit(history, progress)
    fitted = evaluate(history, fitted_parameters)
    stored = fitted.log_loss < (current or default).log_loss
    if stored:
        store.set_setting("fsrs-parameters", format_fsrs_parameters(fitted_parameters))
    return Optimization(history, default, current, current_parameters, fitted, fitted_parameters, stored)


def _optimizer_module() -> Any:
    from fsrs import optimizer as fsrs_optimizer

    if not hasattr(fsrs_optimizer, "mini_batch_size"):  # torch, pandas or tqdm is missing: py-fsrs defined a stub
        raise DlquizError(
            "fitting FSRS needs py-fsrs's optimizer (torch, pandas and tqdm)",
            "Install it with: pip install 'fsrs[optimizer]'",
        )
    return fsrs_optimizer


def _fit(history: History, progress: Progress | None) -> tuple[float, ...]:
    fsrs_optimizer = _optimizer_module()
    with _epoch_progress(fsrs_optimizer, progress):
        found = fsrs_optimizer.Optimizer(history.logs).compute_optimal_parameters(verbose=progress is not None)
    if found is None:  # no epoch gave a finite loss: py-fsrs found nothing better than where it started
        found = DEFAULT_PARAMETERS
    # Rounded as stored, so the figures shown are those of the parameters the scheduler will use.
    return tuple(float(part) for part in format_fsrs_parameters(found).split(", "))


@contextmanager
def _epoch_progress(module: Any, progress: Progress | None) -> Iterator[None]:
    """py-fsrs reports its epochs only through ``tqdm`` (on stderr); its module's ``tqdm`` is swapped for our
    progress display while the fit runs, and put back after."""
    if progress is None:
        yield
        return
    original = module.tqdm

    def show(iterable: Iterable[Any], **_options: Any) -> Iterable[Any]:
        items = list(iterable)
        return progress(items, len(items))

    module.tqdm = show
    try:
        yield
    finally:
        module.tqdm = original


def optimal_retention(history: History, parameters: Sequence[float]) -> Retention:
    """py-fsrs simulates a year of study at retentions 0.70 … 0.95 and returns the one with the least study time
    per remembered card. It needs 512 answers with their durations (answers imported without one are left out)."""
    timed = history.with_durations
    if len(timed) < MIN_RETENTION_REVIEWS:
        return Retention(None, len(timed), "durations")
    fsrs_optimizer = _optimizer_module()

    try:
        value = fsrs_optimizer.Optimizer(timed).compute_optimal_retention(list(parameters))
    except ZeroDivisionError:  # no answer after a card's first was a success: the rating shares are undefined
        return Retention(None, len(timed), "no-recall")
    return Retention(float(value), len(timed))
