"""Interop: moving cards and progress in and out of dlquiz — Anki packages, CSV/TSV import, progress backup and merge.

May import ``cards``, ``review`` and the root helpers; never ``cli``.
"""
