"""dlquiz — a terminal study tool for deep learning: flashcards with FSRS and runnable exercises."""

__version__ = "0.1.0"
