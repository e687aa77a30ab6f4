"""The command line: typer commands and rich screens. They parse arguments and render results; nothing else.

May import every other room (``cards``, ``review``, ``grading``, ``interop``) and the root helpers; nothing imports it.
"""

from __future__ import annotations


def main() -> None:
    """The ``dlquiz`` console script (kept tiny: importing this package must not load typer or rich)."""
    from dlquiz.cli.app import main as run

    run()
