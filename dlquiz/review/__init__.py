"""Review: the progress database, scheduling with py-fsrs, the study day and queues, the study session, stats and doctor.

May import ``cards``, ``grading`` (the exercise catalog and status, for stats and doctor) and the root helpers;
never ``interop`` or ``cli``.
"""
