"""Review: the progress database (``store``) and its tables (``repository``), FSRS scheduling, the study day and
queue (``day``), the study session, stats and doctor.

May import ``cards``, ``grading`` (the exercise catalog and status, for stats and doctor) and the root helpers;
never ``interop`` or ``cli``.
"""
