"""The words and drawing of `dlquiz doctor`, in Chinese and English (the checks themselves are in review/doctor.py).

Every line the doctor prints is looked up here by key, so the two languages always say the same thing.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape

DETAIL_LINES = 10  # integrity_check may list a hundred lines; the first ones say enough

WORDS: dict[str, dict[str, str]] = {
    "no.database": {
        "en": "no progress database yet at {where} (nothing studied so far)",
        "zh": "还没有进度数据库：{where}（尚未学习过）",
    },
    "database.ok": {
        "en": "database {where}: integrity ok (schema v{schema}, {reviews} reviews, {states} card states)",
        "zh": "数据库 {where}：完整性正常（结构版本 v{schema}，{reviews} 次复习，{states} 条卡片状态）",
    },
    "database.damaged": {
        "en": "the progress database {where} is damaged",
        "zh": "进度数据库 {where} 已损坏",
    },
    "database.move_aside": {
        "en": "Move the file aside to start afresh, or restore a backup copy.",
        "zh": "把该文件移到别处即可重新开始，或恢复一份备份。",
    },
    "database.reindex": {
        "en": "Copy the file aside first; only indexes are affected, so `sqlite3 {where} REINDEX` rebuilds them.",
        "zh": "先把文件复制到别处；只有索引受损，`sqlite3 {where} REINDEX` 即可重建。",
    },
    "more": {"en": "… and {count} more", "zh": "……另有 {count} 条"},
    "unreadable": {
        "en": "{count} progress row(s) hold values dlquiz cannot use (written outside dlquiz)",
        "zh": "{count} 条进度记录含有 dlquiz 无法使用的值（由 dlquiz 以外的程序写入）",
    },
    "unreadable.advice": {
        "en": "`dlquiz progress export -o backup.jsonl` saves every other row; import it into a fresh home "
        "(`DLQUIZ_HOME=… dlquiz progress import backup.jsonl`), or delete those rows with an SQLite tool.",
        "zh": "`dlquiz progress export -o backup.jsonl` 会保存其余所有记录；把它导入一个新的目录"
        "（`DLQUIZ_HOME=… dlquiz progress import backup.jsonl`），或用 SQLite 工具删除这些记录。",
    },
    "orphans": {
        "en": "{count} card state(s) belong to no card of any deck",
        "zh": "{count} 条卡片状态不属于任何卡组中的卡片",
    },
    "orphans.line": {
        "en": "{deck}: {states} card state(s), {reviews} review(s)",
        "zh": "{deck}：{states} 条卡片状态，{reviews} 次复习",
    },
    "orphans.advice": {
        "en": "These cards were removed from their deck, renamed (a new id starts afresh), or their deck is gone. "
        "If you study a deck by path, pass it: `dlquiz doctor --deck FILE`. Otherwise "
        "`dlquiz doctor --prune` deletes the orphaned card states (it asks first); the review log is kept.",
        "zh": "这些卡片已从卡组中删除、改了名（新 id 从头开始），或者整个卡组已不在。"
        "如果你按路径学习某个卡组，请传入它：`dlquiz doctor --deck FILE`。否则 "
        "`dlquiz doctor --prune` 会删除这些孤立的卡片状态（会先询问）；复习记录会保留。",
    },
    "orphans.held_back": {
        "en": " ({decks}: not pruned while a deck file fails to load.)",
        "zh": "（{decks}：有卡组文件加载失败时不会清理。）",
    },
    "orphan.reviews": {
        "en": "{count} review-log row(s) of removed cards are kept as history: {listed}",
        "zh": "已删除卡片的 {count} 条复习记录作为历史保留：{listed}",
    },
    "decks.broken": {"en": "{count} deck file(s) failed to load", "zh": "{count} 个卡组文件加载失败"},
    "decks.advice": {
        "en": "Fix the lines above (`dlquiz deck check FILE` re-checks); until then those cards are not studied.",
        "zh": "请修正上面列出的行（`dlquiz deck check FILE` 可重新检查）；修好之前这些卡片不会出现在学习中。",
    },
    "decks.ok": {"en": "{count} deck(s) load", "zh": "{count} 个卡组加载正常"},
    "exercises.broken": {
        "en": "{count} exercise folder(s) failed to load",
        "zh": "{count} 个练习文件夹加载失败",
    },
    "exercises.advice": {
        "en": "Fix the exercise metadata as the message says (exercises/relu/exercise.yaml is the model), "
        "or reinstall dlquiz if you did not change the exercises.",
        "zh": "按提示修正练习的元数据（可参照 exercises/relu/exercise.yaml），如果你没改过练习，请重新安装 dlquiz。",
    },
    "exercises.ok": {"en": "{count} exercise(s) load", "zh": "{count} 个练习加载正常"},
    "prune.question": {
        "en": "Delete {count} orphaned card state row(s) of {decks}? The review log is kept.",
        "zh": "删除 {decks} 的 {count} 条孤立卡片状态？复习记录会保留。",
    },
    "prune.done": {
        "en": "deleted {count} orphaned card state row(s); the review log is untouched",
        "zh": "已删除 {count} 条孤立卡片状态；复习记录未改动",
    },
    "prune.declined": {"en": "Nothing deleted.", "zh": "没有删除任何内容。"},
    "prune.nothing": {"en": "Nothing to prune.", "zh": "没有需要清理的内容。"},
    "prune.kept": {
        "en": "Kept the card states of {decks}: they may belong to a deck file that failed to load. "
        "Fix it, then run `dlquiz doctor` again.",
        "zh": "保留了 {decks} 的卡片状态：它们可能属于一个加载失败的卡组文件。修好后再运行 `dlquiz doctor`。",
    },
    "all.good": {"en": "All good.", "zh": "一切正常。"},
}


def say(key: str, lang: str, **values: object) -> str:
    """The doctor's text ``key`` in ``lang`` ('zh' or 'en'), with ``values`` filled in."""
    return WORDS[key]["zh" if lang == "zh" else "en"].format(**values)


def show_checkup(checkup: Any, console: Console, lang: str) -> None:
    """Print one ✓ or ✗ line per check of ``checkup`` (a review.doctor.Checkup), with details and what to do."""
    from dlquiz.review.store import SALVAGE_HINT, SALVAGE_HINT_ZH

    def good(text: str) -> None:
        console.print(f"[green]✓[/] {escape(text)}", markup=True)

    def bad(text: str, details: list[str], advice: str) -> None:
        console.print(f"[red]✗[/] {escape(text)}", markup=True)
        for line in details:
            console.print(f"    {escape(line)}", soft_wrap=True)
        console.print(f"  [bold]→[/] {escape(advice)}", markup=True)

    def first_lines(lines: list[str]) -> list[str]:
        extra = len(lines) - DETAIL_LINES
        return lines[:DETAIL_LINES] + ([say("more", lang, count=extra)] if extra > 0 else [])

    where = checkup.database
    if checkup.database_error is not None:
        message, hint = checkup.database_error.in_language(lang)
        bad(message, [], hint or say("database.move_aside", lang))
    elif not checkup.database_exists:
        good(say("no.database", lang, where=where))
    elif checkup.integrity or checkup.foreign_keys:
        lines = checkup.integrity + checkup.foreign_keys
        advice = SALVAGE_HINT_ZH if lang == "zh" else SALVAGE_HINT
        if all("index" in line for line in lines):  # only an index is inconsistent: the rows themselves are fine
            advice = say("database.reindex", lang, where=where)
        bad(say("database.damaged", lang, where=where), first_lines(lines), advice)
    else:
        good(
            say(
                "database.ok",
                lang,
                where=where,
                schema=checkup.schema_version,
                reviews=checkup.review_rows,
                states=checkup.state_rows,
            )
        )
    if checkup.unreadable_rows:
        rows = checkup.unreadable_rows
        bad(say("unreadable", lang, count=len(rows)), first_lines(rows), say("unreadable.advice", lang))
    orphans = checkup.orphans
    if orphans.states:
        details = [
            say(
                "orphans.line",
                lang,
                deck=deck_id,
                states=orphans.states[deck_id],
                reviews=orphans.reviews.get(deck_id, 0),
            )
            for deck_id in sorted(orphans.states)
        ]
        advice = say("orphans.advice", lang)
        if orphans.held_back:
            advice += say("orphans.held_back", lang, decks=", ".join(sorted(orphans.held_back)))
        bad(say("orphans", lang, count=sum(orphans.states.values())), details, advice)
    if orphans.reviews:
        listed = ", ".join(f"{deck_id} ({count})" for deck_id, count in sorted(orphans.reviews.items()))
        text = say("orphan.reviews", lang, count=sum(orphans.reviews.values()), listed=listed)
        console.print(f"[dim]i[/] {escape(text)}", markup=True)
    if checkup.deck_problems:
        bad(
            say("decks.broken", lang, count=len(checkup.broken_decks)),
            [problem.show(lang) for problem in checkup.deck_problems],
            say("decks.advice", lang),
        )
    else:
        good(say("decks.ok", lang, count=len(checkup.decks)))
    if checkup.broken_exercises:
        bad(
            say("exercises.broken", lang, count=len(checkup.broken_exercises)),
            [f"{name}: {error.in_language(lang)[0]}" for name, error in checkup.broken_exercises],
            say("exercises.advice", lang),
        )
    else:
        good(say("exercises.ok", lang, count=checkup.exercises))
