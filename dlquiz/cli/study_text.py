"""The words of the study screen, in Chinese and English: one table, so both languages say the same things.

Each entry is ``(zh, en)``; the screen picks one per ``--lang`` (both: Chinese / English).
"""

from __future__ import annotations

UI = {
    "new": ("新", "New"),
    "learning": ("学习中", "Learning"),
    "review": ("复习", "Review"),
    "reveal": ("空格/回车 显示答案", "space/enter: show answer"),
    "other_keys": ("s 暂停  b 搁置到明天  u 撤销  q 退出  ? 帮助", "s suspend  b bury  u undo  q quit  ? help"),
    "input_keys": (
        "回车(空) = 不会；:u 撤销  :s 暂停  :b 搁置  :q 退出",
        "empty Enter = don't know; :u undo  :s suspend  :b bury  :q quit",
    ),
    "answer_prompt": ("你的答案", "Your answer"),
    "code_keys": (
        "回车 提交；回车(空) = 不会；:e 用编辑器写（可多行）；:u 撤销  :s 暂停  :b 搁置  :q 退出",
        "Enter submits; empty Enter = don't know; :e edit in $EDITOR (several lines); "
        ":u undo  :s suspend  :b bury  :q quit",
    ),
    "fill_prompt": ("填空 ___", "Fill ___"),
    "grading": ("正在用练习的用例运行，并与 PyTorch 对比…", "Running the exercise's cases, compared with PyTorch…"),
    "cannot_grade": ("无法评分", "Could not grade it"),
    "unchanged": ("代码没有改动：输入填空内容，或再用 :e", "The code is unchanged: type the fill, or :e again"),
    "cases_pass": ("个用例全部通过", "cases pass"),
    "choose_one": ("按选项的数字；回车 = 不会", "press the number of your answer; Enter = don't know"),
    "choose_many": (
        "输入所有正确选项的数字（如 13）再回车；只按回车 = 不会",
        "type the numbers of every correct option (e.g. 13), then Enter; Enter alone = don't know",
    ),
    "bad_choice": ("请输入选项的数字", "please give option numbers"),
    "no_option": (
        "没有第 {numbers} 个选项：选项是 1–{count}",
        "there is no option {numbers}: the options are 1–{count}",
    ),
    "rate": ("评分", "Rate"),
    "accept": ("回车 = ", "Enter = "),
    "right": ("✓ 正确", "✓ Correct"),
    "wrong": ("✗ 不对", "✗ Not quite"),
    "expected": ("正确答案", "Answer"),
    "suspended": ("已暂停这张卡片（dlquiz unsuspend 可恢复）", "Card suspended (dlquiz unsuspend brings it back)"),
    "buried": ("已搁置到明天", "Card buried until tomorrow"),
    "undone": ("已撤销", "Undone"),
    "nothing_to_undo": ("没有可撤销的操作", "Nothing to undo"),
    "done": ("今天的卡片已学完 🎉", "All done for now 🎉"),
    "nothing": ("现在没有要学的卡片。", "Nothing is due right now."),
    "new_limit": (
        "今天的 {limit} 张新卡片已学完（`dlquiz config new-per-day` 可调整），还有 {held} 张明天再学。",
        "Today's {limit} new cards are done (`dlquiz config new-per-day` changes the limit); "
        "{held} more wait for tomorrow.",
    ),
    "new_off": (
        "新卡片已关闭（new-per-day = 0；`dlquiz config new-per-day 20` 可打开），还有 {held} 张新卡片。",
        "New cards are off (new-per-day = 0; `dlquiz config new-per-day 20` turns them on); {held} are waiting.",
    ),
    "review_limit": (
        "今天的 {limit} 次复习已做完（`dlquiz config reviews-per-day` 可调整），还有 {held} 张明天再复习。",
        "Today's {limit} reviews are done (`dlquiz config reviews-per-day` changes the limit); "
        "{held} more wait for tomorrow.",
    ),
    "siblings": (
        "{count} 张卡片与今天答过的卡片同属一张（其他填空或反向），搁置到明天（`dlquiz config bury-siblings off` 可关闭）。",
        "{count} siblings of cards answered today (other cloze deletions, reverse sides) are buried until "
        "tomorrow (`dlquiz config bury-siblings off` shows them today).",
    ),
    "all_studied": ("全部学完了。", "Everything is studied."),
    "summary": ("本次学习", "This session"),
    "reviewed": ("复习", "reviewed"),
    "correct": ("答对", "correct"),
    "time": ("用时", "time"),
    "due_now": ("现在到期", "due now"),
    "next_due": ("下一张到期", "next card due"),
    "none_due": ("没有已排期的卡片", "no cards scheduled yet"),
    "busy": (
        "进度数据库正被另一个 dlquiz 占用。你的答案已保留，正在重试……",
        "The progress database is locked by another dlquiz. Your answer is kept; trying again…",
    ),
    "still_busy": (
        "仍被占用。回车 = 再试一次；q = 退出（这次答案不会被记录）",
        "Still locked. Enter: try again · q: quit (this answer will not be recorded)",
    ),
    "saved_late": ("已保存（重试后成功）", "Saved (after waiting for the lock)"),
    "not_recorded": ("这次答案（{rating}）没有被记录。", "This answer ({rating}) was NOT recorded."),
}

HELP = {
    "zh": "空格/回车 显示答案 · 1 重来 2 困难 3 良好 4 简单 · u 撤销上一次 · s 暂停此卡 · b 搁置到明天 · q 退出 · ? 帮助\n"
    "输入题/数值题：输入答案后回车；用 :q :u :s :b 执行命令。选择题：按选项数字。代码题：输入填空内容后回车，:e 用编辑器写多行。只按回车 = 不会。",
    "en": "space/enter show answer · 1 Again 2 Hard 3 Good 4 Easy · u undo the last answer · s suspend · b bury until tomorrow · q quit · ? help\n"
    "Typed/numeric cards: type the answer and press Enter; :q :u :s :b are the commands there. Choice cards: press the option numbers.\n"
    "Code cards: type the fill and press Enter; :e opens the code in $EDITOR for a fill of several lines. Enter alone = don't know.",
}
