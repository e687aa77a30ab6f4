"""Review: the progress database, scheduling with py-fsrs, the study day and queues, the study session, stats and doctor.

May import ``cards`` and the root helpers; never ``interop`` or ``cli``.
"""
