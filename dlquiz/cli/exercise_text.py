"""The words of `dlquiz exercise`, in Chinese and English: one table, so both languages say the same things."""

from __future__ import annotations

T = {  # short bilingual strings of this screen; pick() chooses per --lang
    "status.new": {"en": "new", "zh": "未开始"},
    "status.attempted": {"en": "attempted", "zh": "尝试过"},
    "status.passed": {"en": "passed", "zh": "已通过"},
    "col.id": {"en": "exercise", "zh": "练习"},
    "col.title": {"en": "title", "zh": "标题"},
    "col.topic": {"en": "topic", "zh": "主题"},
    "col.status": {"en": "status", "zh": "状态"},
    "col.attempts": {"en": "attempts", "zh": "次数"},
    "col.last": {"en": "last result", "zh": "最近结果"},
    "col.due": {"en": "due", "zh": "到期"},
    "due.now": {"en": "due now", "zh": "已到期"},
    "next.none": {"en": "No exercise is due.", "zh": "没有到期的练习。"},
    "next.later": {"en": "The next one: {id} on {date}.", "zh": "下一个：{id}，{date} 到期。"},
    "next.start": {
        "en": "None has been passed yet: `dlquiz exercise` lists them, `dlquiz exercise NAME` starts one.",
        "zh": "还没有通过任何练习：`dlquiz exercise` 会列出所有练习，`dlquiz exercise 名称` 开始其中一个。",
    },
    "restarted": {
        "en": "Review time: your file starts again from the template — write it from memory. "
        "The version that passed before is kept in {previous} (`--previous` shows it).",
        "zh": "复习时间到了：你的文件已恢复为模板，请凭记忆重新实现。之前通过的版本保存在 {previous}（`--previous` 可查看）。",
    },
    "restarted.plain": {
        "en": "Review time: your file starts from the template — write it from memory.",
        "zh": "复习时间到了：你的文件从模板开始，请凭记忆重新实现。",
    },
    "previous.none": {
        "en": "No previous version of {id} is kept in {folder}.",
        "zh": "{folder} 中没有保存 {id} 之前的版本。",
    },
    "previous.title": {"en": "Your previous version: {path}", "zh": "你之前的版本：{path}"},
    "review.made": {
        "en": "Review recorded: {rating} ({why}). Next review: {date} (in {interval}).",
        "zh": "已记录复习：{rating}（{why}）。下次复习：{date}（{interval}后）。",
    },
    "review.practice": {
        "en": "Practice: not due until {date}, so the schedule stays as it is.",
        "zh": "练习：{date} 才到期，复习计划保持不变。",
    },
    "giveup.none": {
        "en": "{id} is not due until {date}: there is no review to give up.",
        "zh": "{id} 要到 {date} 才到期：没有可以放弃的复习。",
    },
    "rule.first-try": {"en": "passed on the first try", "zh": "第一次就通过"},
    "rule.clean": {"en": "passed without help", "zh": "没有借助提示通过"},
    "rule.hints": {"en": "passed after hints", "zh": "看了提示后通过"},
    "rule.solution": {"en": "passed after seeing the solution", "zh": "看了参考答案后通过"},
    "rule.gave-up": {"en": "gave up", "zh": "放弃"},
    "rating.1": {"en": "Again", "zh": "重来"},
    "rating.2": {"en": "Hard", "zh": "困难"},
    "rating.3": {"en": "Good", "zh": "良好"},
    "rating.4": {"en": "Easy", "zh": "简单"},
    "list.footer": {"en": "Start one with `dlquiz exercise NAME`.", "zh": "用 `dlquiz exercise 名称` 开始一个练习。"},
    "file": {"en": "Your file: {path}", "zh": "你的文件：{path}"},
    "created": {"en": "Created it from the template.", "zh": "已根据模板创建。"},
    "untouched": {
        "en": "Edit it, then run `dlquiz exercise {id}` again to grade it (or add --watch to grade on every save).",
        "zh": "编辑它，然后再次运行 `dlquiz exercise {id}` 评分（或加上 --watch，每次保存都会自动评分）。",
    },
    "hint.title": {"en": "Hint {n}/{total}", "zh": "提示 {n}/{total}"},
    "hint.none": {"en": "This exercise has no hints.", "zh": "这个练习没有提示。"},
    "hint.last": {
        "en": "That was the last hint. After you pass, `--solution` shows the reference solution.",
        "zh": "这是最后一条提示。通过之后，可以用 `--solution` 查看参考答案。",
    },
    "solution.ask": {
        "en": "You have not passed this review of the exercise yet. Show the solution anyway? "
        "Your pass will then count as Again.",
        "zh": "这次复习你还没有通过这个练习。仍然要查看参考答案吗？之后的通过将记为“重来”。",
    },
    "solution.kept": {
        "en": "Not shown. Keep going — `--hint` gives the next hint.",
        "zh": "未显示。继续加油——`--hint` 会给出下一条提示。",
    },
    "reset.ask": {
        "en": "Replace {path} with the template? Your changes there will be lost.",
        "zh": "用模板覆盖 {path} 吗？你在其中的修改将会丢失。",
    },
    "reset.done": {
        "en": "Restored the template (your previous version is in {backup}).",
        "zh": "已恢复为模板（之前的版本保存在 {backup}）。",
    },
    "reset.same": {"en": "{path} is already the untouched template.", "zh": "{path} 已经是未修改的模板。"},
    "reset.kept": {"en": "Left {path} as it was.", "zh": "{path} 保持不变。"},
    "watch.start": {
        "en": "Watching {path} — grading on every save. Ctrl-C stops.",
        "zh": "正在监视 {path}——每次保存都会评分。按 Ctrl-C 停止。",
    },
    "watch.stop": {"en": "Stopped watching.", "zh": "已停止监视。"},
    "passed.solution": {
        "en": "Compare your code with the reference solution:",
        "zh": "可以和参考答案对照一下：",
    },
    "passed.next": {"en": "Next exercise: {title}", "zh": "下一个练习：{title}"},
    "passed.all": {"en": "That was the last one: every exercise is passed.", "zh": "这是最后一个：所有练习都已通过。"},
    "watch.change": {"en": "— change saved at {time}, grading —", "zh": "— {time} 保存了修改，正在评分 —"},
    "prepare.task": {"en": "PyTorch references", "zh": "PyTorch 参考结果"},
    "prepare.cached": {"en": "{id}: already prepared", "zh": "{id}：已准备好"},
    "prepare.computed": {"en": "{id}: prepared ({seconds:.1f} s)", "zh": "{id}：已准备（{seconds:.1f} 秒）"},
    "prepare.uncacheable": {
        "en": "{id}: computed, but its references are not plain data; they are computed at every grading",
        "zh": "{id}：已计算，但其参考结果不是纯数据，每次评分都会重新计算",
    },
    "prepare.done": {
        "en": "{count} exercise(s) ready: grading them no longer waits for PyTorch.",
        "zh": "{count} 个练习已就绪：评分时不再等待 PyTorch 加载。",
    },
}

WIDE_LIST = 80  # below this many columns the exercise list is one block per exercise, not a table
WIDE_DUE_EXTRA = 20  # … and this many more once the due column is shown
EXERCISE_HELP = (
    "Coding exercises graded against PyTorch. Without NAME: list them. With NAME: show the task, create your file "
    "from the template and grade it once edited."
)


def say(key: str, lang: str, **values: object) -> str:
    """The string ``key`` in ``lang`` (``both``: Chinese / English), with ``values`` filled in."""
    from dlquiz.text import pick

    text = pick(T[key], lang, separator=" / ")
    return text.format(**values) if values else text
