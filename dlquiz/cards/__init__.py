"""Cards: YAML decks, their validation, the card types, answer expressions, the deck cache and the deck library.

Imports only the root helpers (``dlquiz.errors``, ``dlquiz.paths``, ``dlquiz.text`` …), never ``review``, ``grading``,
``interop`` or ``cli``.
"""
