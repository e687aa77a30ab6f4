"""Benchmark: loading a big deck cold (parse and validate, then store) vs warm (from the JSON cache).

Not a test (pytest does not collect this folder's files). Writes synthetic decks of mixed card types (basic, reverse,
cloze, choice, typed and a few numeric) into a temporary DLQUIZ_HOME and times, in one process:
- sha256: hashing the file's bytes (what every warm load pays to know the entry is current);
- check: ``check_deck`` alone (what a load without a cache costs);
- cold: ``cache.load_checked`` with an empty cache (check, then write the entry);
- warm: ``cache.load_checked`` answered from the entry.
It prints the median and minimum of several runs for each size.

    python tests/benchmarks/bench_deck_cache.py [--cards 5000 50000] [--runs 5]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable


def card_line(n: int) -> str:
    kind = n % 10
    if kind in (0, 1, 2):
        front = f'{{zh: "问题 {n}", en: "Question {n}"}}'
        return f'  - {{id: c{n}, type: basic, tags: [t{n % 20}], front: {front}, back: "a{n}"}}'
    if kind == 3:
        return f'  - {{id: c{n}, type: basic, reverse: true, front: "term {n}", back: "definition {n}"}}'
    if kind in (4, 5):
        return f'  - {{id: c{n}, type: cloze, text: "Card {{{{c1::{n}}}}} hides {{{{c2::two}}}} parts"}}'
    if kind in (6, 7):
        options = f'[{{text: "right {n}", correct: true}}, {{text: "wrong"}}, {{text: "also wrong"}}]'
        return f'  - {{id: c{n}, type: choice, question: "Pick {n}", options: {options}}}'
    if kind == 8 or n % 100 != 9:
        return f'  - {{id: c{n}, type: typed, question: "Type {n}", answer: "{n}", accept: ["n{n}"]}}'
    params = "{a: {min: 1, max: 9}, b: {min: 1, max: 9}}"
    return f'  - {{id: c{n}, type: numeric, question: "{{a}} * {{b}} + {n}?", params: {params}, answer: "a*b + {n}"}}'


def write_deck(folder: Path, cards: int) -> Path:
    path = folder / f"bench-{cards}.yaml"
    lines = [f"id: bench-{cards}", f"title: Benchmark {cards}", "cards:", *(card_line(n) for n in range(cards))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def timed(runs: int, setup: Callable[[], None], action: Callable[[], object]) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        setup()
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def measure(path: Path, runs: int, empty_cache: Callable[[], None]) -> dict[str, tuple[float, float]]:
    from dlquiz.cards import cache
    from dlquiz.cards.deck import check_deck

    return {
        "sha256": timed(runs, lambda: None, lambda: hashlib.sha256(path.read_bytes()).hexdigest()),
        "check": timed(runs, lambda: None, lambda: check_deck(path)),
        "cold": timed(runs, empty_cache, lambda: cache.load_checked(path)),
        "warm": timed(runs, lambda: None, lambda: cache.load_checked(path)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="dlquiz-bench-"))
    os.environ["DLQUIZ_HOME"] = str(home)
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from dlquiz.cards import cache
    from dlquiz.cards.yamlload import HAS_LIBYAML

    def empty_cache() -> None:
        shutil.rmtree(cache.cache_dir(), ignore_errors=True)

    print(f"libyaml: {HAS_LIBYAML}; median / min of {options.runs} runs")
    try:
        for cards in options.cards:
            path = write_deck(home, cards)
            deck, problems = cache.load_checked(path)
            assert deck is not None and not problems, problems[:3]
            entry = cache._entry(path)
            size = f"{path.stat().st_size / 1e6:.1f} MB YAML, {entry.stat().st_size / 1e6:.1f} MB JSON"
            print(f"{cards:>6} cards ({len(deck.items())} items; {size})")
            rows = measure(path, options.runs, empty_cache)
            for name, (median, fastest) in rows.items():
                print(f"    {name:<7} {median * 1000:9.1f} ms   (min {fastest * 1000:.1f} ms)")
            print(f"    warm is {rows['cold'][0] / rows['warm'][0]:.1f}x faster than cold")
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
