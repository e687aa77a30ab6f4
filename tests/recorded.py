"""Reading what dlquiz saved, the way dlquiz reads it: tests ask the progress repository, not SQL of their own."""

from __future__ import annotations

from pathlib import Path


def recorded_answers(home: Path) -> list[tuple[str, int]]:
    """(card id, rating) of every saved answer in ``home``'s progress database, oldest first, read the way dlquiz
    reads it (through the progress repository, not SQL of the test's own)."""
    from dlquiz.review.repository import ProgressRepository
    from dlquiz.review.store import open_store

    store = open_store(home / "progress.sqlite3")
    try:
        reviews = sorted(ProgressRepository(store).iter_reviews(), key=lambda review: review.id or 0)  # as given
        return [(review.card_id, int(review.rating)) for review in reviews]
    finally:
        store.close()
