"""Finding decks: the built-in ones, the user's own folder, and paths given on the command line.

A broken deck never stops the others: it is reported and skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dlquiz import paths
from dlquiz.cards.deck import Deck, Problem
from dlquiz.cards.cache import load_checked
from dlquiz.errors import DlquizError

DECK_SUFFIXES = (".yaml", ".yml")


def user_decks_dir() -> Path:
    return paths.data_dir() / "decks"


def deck_files() -> list[Path]:
    """Built-in decks first, then the user's own (DLQUIZ_HOME/decks)."""
    found: list[Path] = []
    for folder in (paths.builtin_decks_dir(), user_decks_dir()):
        if folder.is_dir():
            found += sorted(p for p in folder.iterdir() if p.suffix in DECK_SUFFIXES and p.is_file())
    return found


@dataclass
class Loaded:
    decks: list[Deck] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    broken: list[Path] = field(default_factory=list)


def _looks_like_path(spec: str) -> bool:
    return spec.endswith(DECK_SUFFIXES) or "/" in spec or "\\" in spec or Path(spec).is_file()


def load(specs: list[str] | None = None) -> Loaded:
    """Load the decks named by ``specs`` (ids, file names or paths); all known decks when empty."""
    result = Loaded()
    files = deck_files() if not specs else [_resolve(spec) for spec in specs]
    seen: dict[str, Path] = {}
    for path in dict.fromkeys(files):
        deck, problems = load_checked(path)
        if deck is None:
            result.problems += problems
            result.broken.append(path)
            continue
        if deck.id in seen:
            first = seen[deck.id]
            result.problems.append(
                Problem(
                    path,
                    0,
                    f"deck id {deck.id!r} is already used by {first}; this file was skipped",
                    f"卡组 id {deck.id!r} 已被 {first} 使用；已跳过这个文件",
                )
            )
            result.broken.append(path)
            continue
        seen[deck.id] = path
        result.decks.append(deck)
    return result


def _resolve(spec: str) -> Path:
    if _looks_like_path(spec):
        path = Path(spec).expanduser()
        if not path.is_file():
            raise DlquizError(
                f"no deck file at {path}",
                "Check the path, or run `dlquiz decks` to see the decks by name.",
                2,
                zh=(f"没有这个卡组文件：{path}", "请检查路径，或用 `dlquiz decks` 查看卡组名称。"),
            )
        return path
    by_name: dict[str, Path] = {}
    for path in deck_files():
        by_name.setdefault(path.stem, path)
    if spec in by_name:
        return by_name[spec]
    # A deck's id may differ from its file name: look inside the valid ones.
    for path in deck_files():
        deck, _problems = load_checked(path)
        if deck is not None and deck.id == spec:
            return path
    known = ", ".join(sorted(by_name)) or "none"
    raise DlquizError(
        f"no deck named {spec!r}",
        f"Known decks: {known}. A path to a .yaml file works too.",
        2,
        zh=(f"没有名为 {spec!r} 的卡组", f"已有的卡组：{known}。也可以给出 .yaml 文件的路径。"),
    )
