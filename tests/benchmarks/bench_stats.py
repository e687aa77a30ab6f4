"""Benchmark: `dlquiz stats` on a large history (not a test; pytest does not collect this folder's files).

Builds a DLQUIZ_HOME with a synthetic deck of 5,000 cards in $DLQUIZ_HOME/decks and 100,000 review-log rows spread
over the past year (cards introduced on different days, reviews thinning out as intervals grow, ~10 % lapses, a few
suspended and buried cards), then times `dlquiz stats` and `dlquiz stats --json` end to end as subprocesses, next to
`dlquiz --help` (the start-up cost every command pays), and prints the median and minimum of several runs.

    python tests/benchmarks/bench_stats.py [--cards 5000] [--reviews 100000] [--runs 7] [--home DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
TAGS = [f"topic-{n:02d}" for n in range(20)]


def write_deck(home: Path, cards: int) -> None:
    import yaml

    rows = []
    for n in range(cards):
        card = {"id": f"c{n:05d}", "tags": [TAGS[n % len(TAGS)]] + ([TAGS[(n * 7) % len(TAGS)]] if n % 3 == 0 else [])}
        if n % 5 == 4:
            card.update(type="typed", question={"zh": f"第 {n} 题？", "en": f"Question {n}?"}, answer=str(n))
        else:
            card.update(type="basic", front={"zh": f"问题 {n}", "en": f"Question {n}"}, back=f"answer {n}")
        rows.append(card)
    (home / "decks").mkdir(parents=True, exist_ok=True)
    deck = {"format": 1, "id": "bench", "title": {"zh": "基准", "en": "Benchmark"}, "cards": rows}
    (home / "decks" / "bench.yaml").write_text(
        yaml.safe_dump(deck, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


def fill_database(home: Path, cards: int, reviews: int, seed: int = 1) -> None:
    os.environ["DLQUIZ_HOME"] = str(home)
    from fsrs import Rating, State

    from dlquiz.review.records import CardState, ExerciseAttempt, ReviewLog, SchedulingState
    from dlquiz.review.repository import ProgressRepository
    from dlquiz.review.store import open_store

    def schedule(state: int, stability: float, due: datetime, last: datetime) -> SchedulingState:
        return SchedulingState(State(state), None if state == 2 else 0, stability, 5.0, due, last)

    rng = random.Random(seed)
    per_card = [1] * cards  # every card answered at least once, the rest spread unevenly
    for _ in range(reviews - cards):
        per_card[min(int(rng.expovariate(1 / (cards / 3))), cards - 1)] += 1
    log, states = [], []
    year = timedelta(days=365)
    for n, count in enumerate(per_card):
        start = NOW - year * rng.random() ** 0.7  # more cards started long ago than last week
        # reviews bunch up right after a card is introduced, then thin out (intervals grow)
        times = sorted(start + (NOW - start) * rng.random() ** 2.5 for _ in range(count))
        times[0] = start
        previous, stability, state = None, 1.0, 1
        for i, moment in enumerate(times):
            queue = "new" if i == 0 else {1: "learning", 2: "review", 3: "relearning"}[state]
            rating = rng.choices((1, 2, 3, 4), (10, 10, 70, 10))[0]
            stability = 0.5 if rating == 1 else min(stability * (0.6 + rating / 2), 400.0)
            state = 3 if rating == 1 and state == 2 else (2 if rating >= 3 or state == 2 else 1)
            due = moment + timedelta(days=stability)
            after = schedule(state, stability, due, moment)
            log.append(
                ReviewLog(
                    "bench", f"c{n:05d}", Rating(rating), queue, moment, rng.randint(1500, 25000), previous, after
                )
            )
            previous = after
        suspended = rng.random() < 0.02
        buried = NOW + timedelta(hours=19) if rng.random() < 0.01 else None
        states.append(
            CardState.scheduled("bench", f"c{n:05d}", schedule(state, stability, due, times[-1]), suspended, buried)
        )
    store = open_store()
    repository = ProgressRepository(store)
    with store.transaction():
        repository.add_reviews(log)
        repository.save_card_states(states)
        attempts = (("relu", "passed"), ("batchnorm", "failed"), ("batchnorm", "passed"), ("gap", "error"))
        for exercise, status in attempts:
            repository.add_exercise_attempt(ExerciseAttempt(exercise, NOW - timedelta(days=3), status, 3, 5, 0))
    store.close()  # the last connection to close folds the WAL into the database file


def time_command(home: Path, args: list[str], runs: int) -> list[float]:
    env = {**os.environ, "DLQUIZ_HOME": str(home), "DLQUIZ_NOW": NOW.isoformat(), "COLUMNS": "100"}
    timings = []
    for _ in range(runs + 1):  # the first run warms the OS file cache and .pyc files; it is not counted
        began = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "dlquiz", *args], env=env, capture_output=True, text=True)
        timings.append(time.perf_counter() - began)
        if result.returncode != 0:
            sys.exit(f"dlquiz {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return timings[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=5000)
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--home", type=Path, help="build here (default: a temporary folder, removed afterwards)")
    options = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    with tempfile.TemporaryDirectory(prefix="dlquiz-bench-") as scratch:
        home = options.home or Path(scratch)
        if (home / "progress.sqlite3").exists():
            print(f"using the existing history in {home}")
        else:
            began = time.perf_counter()
            write_deck(home, options.cards)
            fill_database(home, options.cards, options.reviews)
            print(
                f"built {options.reviews:,} reviews over {options.cards:,} cards in {time.perf_counter() - began:.1f} s"
            )
        phases = _phases(home)
        print(f"in process: load decks {phases[0]:.3f} s, compute figures {phases[1]:.3f} s")
        for label, args in (
            ("dlquiz --help", ["--help"]),
            ("dlquiz stats", ["stats"]),
            ("dlquiz stats --json", ["stats", "--json"]),
        ):
            runs = time_command(home, args, options.runs)
            print(f"{label:<20} median {statistics.median(runs):.3f} s   min {min(runs):.3f} s   ({len(runs)} runs)")


def _phases(home: Path) -> tuple[float, float]:
    """Where the time goes inside one process: loading the decks, then computing every figure."""
    os.environ["DLQUIZ_HOME"], os.environ["DLQUIZ_NOW"] = str(home), NOW.isoformat()
    from dlquiz.cards import library
    from dlquiz.review import stats
    from dlquiz.review.store import open_store

    began = time.perf_counter()
    decks = library.load().decks
    loaded = time.perf_counter()
    store = open_store()
    stats.compute(store, decks)
    store.close()
    return loaded - began, time.perf_counter() - loaded


if __name__ == "__main__":
    main()
