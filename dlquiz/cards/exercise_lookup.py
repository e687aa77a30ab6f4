"""What a code card's validation knows about the exercises: the cards room cannot import the grading room, so the
command line hands it an ``ExerciseLookup`` (``grading.catalog.CatalogExercises``) through ``use_exercises``.

A module of its own, with no imports, so the command line can set it up for every command without loading the
card types (a command such as ``dlquiz exercise relu --file …`` never reads a deck).
"""

from __future__ import annotations

from typing import Protocol


class ExerciseLookup(Protocol):
    """What a code card's validation needs to know about the exercises (the grading side provides it)."""

    def names(self) -> list[str]:
        """Every exercise id."""
        ...

    def functions(self, exercise_id: str) -> tuple[str, ...] | None:
        """The functions the learner writes for that exercise; None when there is no such (loadable) exercise."""
        ...

    def called_together(self, exercise_id: str) -> bool:
        """Whether the exercise's cases call several of its functions at once (a harness exercise), so a code card
        must define all of them."""
        ...


_exercises: ExerciseLookup | None = None


def use_exercises(lookup: ExerciseLookup | None) -> None:
    """Check code cards against these exercises from now on (None: skip the exercise checks)."""
    global _exercises
    _exercises = lookup


def exercises() -> ExerciseLookup | None:
    """The lookup in use; None when nobody handed one (a library caller): code cards' exercise checks are skipped."""
    return _exercises
