"""Grading: exercises (their catalog and workflow) and the grader that runs a learner's file in its own process
and compares it with PyTorch's outputs.

Imports only the root helpers; never ``cards``, ``review``, ``interop`` or ``cli``.
"""
