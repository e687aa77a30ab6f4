"""`dlquiz optimize`: fit FSRS to the learner's review log, show how well each parameter set predicts it, and
suggest a desired retention. Parsing and rendering only: the work is in ``dlquiz.review.optimize``. Imported when
the CLI starts, so only typer at module level (torch and pandas load inside the command, when a fit runs).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Optional

import typer

from dlquiz.console import echo_json, make_console

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

    from dlquiz.review.optimize import Fit, Optimization, Retention

OPTIMIZE_HELP = (
    "Fit the FSRS parameters to your own reviews (py-fsrs's optimizer), store them when they predict your answers "
    "better than those in use, and suggest the desired retention with the least study time."
)

WORDS = {
    "head": {
        "en": "FSRS fitted to your review log: {reviews} answers on {cards} cards; the {counted} given a day or more "
        "after the card's previous answer are scored.",
        "zh": "已按你的复习记录拟合 FSRS：{cards} 张卡片共 {reviews} 次作答，其中距该卡片上一次作答至少一天的 {counted} "
        "次用于评分。",
    },
    "col.parameters": {"en": "parameters", "zh": "参数"},
    "col.log_loss": {"en": "log loss", "zh": "对数损失"},
    "col.rmse": {"en": "RMSE (bins)", "zh": "RMSE（分箱）"},
    "row.default": {"en": "default", "zh": "默认"},
    "row.before": {"en": "in use before", "zh": "之前使用"},
    "row.fitted": {"en": "fitted", "zh": "拟合"},
    "lower": {"en": "Lower is better in both columns.", "zh": "两列都是越低越好。"},
    "stored": {
        "en": "Stored: the scheduler uses the fitted parameters from now on. `dlquiz config fsrs-parameters` shows "
        "them; `dlquiz config fsrs-parameters --reset` goes back to the defaults.",
        "zh": "已保存：从现在起调度使用拟合的参数。`dlquiz config fsrs-parameters` 查看；"
        "`dlquiz config fsrs-parameters --reset` 恢复默认。",
    },
    "kept": {
        "en": "Not stored: the fitted parameters predict your answers no better than those in use, which stay.",
        "zh": "未保存：拟合的参数对你的作答预测得不比当前参数好，当前参数不变。",
    },
    "retention": {
        "en": "Suggested desired retention: {value} (the least study time per card remembered over a simulated "
        "year; yours is {current}). Not applied: `dlquiz config desired-retention {value}` applies it.",
        "zh": "建议的目标记忆保持率：{value}（模拟一年，每记住一张卡片所花时间最少；你现在是 {current}）。"
        "未自动应用：运行 `dlquiz config desired-retention {value}` 来应用。",
    },
    "retention.same": {
        "en": "Your desired retention {current} already needs the least study time per card remembered.",
        "zh": "你现在的目标记忆保持率 {current} 已经是每记住一张卡片所花时间最少的。",
    },
    "retention.durations": {
        "en": "No retention suggestion yet: it needs {needed} answers with their durations; your log has {timed}.",
        "zh": "暂无保持率建议：需要 {needed} 次记录了用时的作答，你的记录里有 {timed} 次。",
    },
    "retention.no-recall": {
        "en": "No retention suggestion yet: no card was recalled after its first answer.",
        "zh": "暂无保持率建议：还没有卡片在第一次作答之后被记住。",
    },
    "too_few": {
        "en": "too few reviews to fit FSRS: {counted} of the {needed} needed, {missing} more. Only answers given a day "
        "or more after the card's previous answer count.",
        "zh": "复习记录太少，无法拟合 FSRS：需要 {needed} 次，现有 {counted} 次，还差 {missing} 次。"
        "只有距该卡片上一次作答至少一天的作答才算。",
    },
    "too_few.hint": {
        "en": "Keep studying for a few more weeks, then run `dlquiz optimize` again.",
        "zh": "继续学习几周，然后再运行 `dlquiz optimize`。",
    },
    "progress.fit": {"en": "Fitting FSRS", "zh": "正在拟合 FSRS"},
    "progress.retention": {"en": "Simulating retentions", "zh": "正在模拟保持率"},
}


def say(key: str, lang: str, **values: object) -> str:
    from dlquiz.text import pick

    return pick(WORDS[key], lang, separator=" / ").format(**values)


def optimize(
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON (stable keys) for scripts."),
    lang: Optional[str] = typer.Option(None, "--lang", "-l", help="Language: zh, en or both (default: your locale)."),
) -> None:
    from dlquiz.errors import DlquizError
    from dlquiz.review import optimize as fitting
    from dlquiz.review.repository import ProgressRepository
    from dlquiz.review.settings import StudySettings
    from dlquiz.review.store import open_store
    from dlquiz.text import resolve_lang

    language = resolve_lang(lang)
    store = open_store()
    try:
        history = fitting.load_history(ProgressRepository(store))
        if history.counted < fitting.MIN_COUNTED_REVIEWS:  # checked here to word it in the learner's language
            needed = fitting.MIN_COUNTED_REVIEWS
            if json_output:
                echo_json(
                    {
                        "error": "too_few_reviews",
                        "counted": history.counted,
                        "needed": needed,
                        "reviews": len(history.logs),
                    }
                )
            raise DlquizError(
                say("too_few", language, counted=history.counted, needed=needed, missing=needed - history.counted),
                say("too_few.hint", language),
            )
        with _ProgressDisplay(make_console(stderr=True), language) as display:
            result = fitting.optimize(store, history, display.epochs if display.shown else None)
            with display.phase(say("progress.retention", language)):
                retention = fitting.optimal_retention(history, result.in_use)
        desired = StudySettings(store.settings())["desired-retention"]
    finally:
        store.close()
    if json_output:
        echo_json(_as_json(result, retention, desired))
    else:
        _render(make_console(), result, retention, desired, language)


def _fit_json(fit: Fit) -> dict[str, float]:
    return {"log_loss": fit.log_loss, "rmse_bins": fit.rmse}


def _as_json(result: Optimization, retention: Retention, desired: float) -> dict[str, Any]:
    from dlquiz.review.optimize import MIN_COUNTED_REVIEWS, MIN_RETENTION_REVIEWS

    history = result.history
    return {
        "reviews": len(history.logs),
        "cards": history.cards,
        "counted": history.counted,
        "needed": MIN_COUNTED_REVIEWS,
        "default": _fit_json(result.default),
        "before": None if result.current is None else _fit_json(result.current),
        "fitted": _fit_json(result.fitted),
        "fitted_parameters": list(result.fitted_parameters),
        "stored": result.stored,
        "parameters_in_use": list(result.in_use),
        "desired_retention": desired,
        "optimal_retention": retention.value,
        "optimal_retention_problem": retention.reason or None,
        "timed_answers": retention.timed,
        "timed_answers_needed": MIN_RETENTION_REVIEWS,
    }


def _render(console: Console, result: Optimization, retention: Retention, desired: float, language: str) -> None:
    from rich.table import Table

    from dlquiz.review.optimize import MIN_RETENTION_REVIEWS

    history = result.history
    console.print(say("head", language, reviews=len(history.logs), cards=history.cards, counted=history.counted))
    table = Table(show_edge=False, pad_edge=False, box=None, padding=(0, 2, 0, 0))
    table.add_column(say("col.parameters", language))
    table.add_column(say("col.log_loss", language), justify="right", no_wrap=True)
    table.add_column(say("col.rmse", language), justify="right", no_wrap=True)
    rows = [("row.default", result.default), ("row.before", result.current), ("row.fitted", result.fitted)]
    for key, fit in rows:
        if fit is not None:
            table.add_row(say(key, language), f"{fit.log_loss:.4f}", f"{fit.rmse * 100:.2f}%")
    console.print()
    console.print(table)
    console.print(say("lower", language), style="dim")
    console.print()
    console.print(say("stored" if result.stored else "kept", language))
    if retention.value is None:
        console.print(
            say(f"retention.{retention.reason}", language, needed=MIN_RETENTION_REVIEWS, timed=retention.timed)
        )
    elif abs(retention.value - desired) < 1e-9:
        console.print(say("retention.same", language, current=f"{desired:g}"))
    else:
        console.print(say("retention", language, value=f"{retention.value:g}", current=f"{desired:g}"))


class _ProgressDisplay:
    """A transient rich progress bar on stderr while the fit runs, when stderr is a terminal; nothing on a pipe."""

    def __init__(self, console: Console, language: str) -> None:
        self.shown = console.is_terminal
        self.language = language
        self.progress: Progress | None = None
        if self.shown:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
            from rich.progress import TimeElapsedColumn

            self.progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            )

    def __enter__(self) -> _ProgressDisplay:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def epochs(self, items: Iterable[Any], total: int) -> Iterator[Any]:
        """py-fsrs's epochs, one step of the bar each."""
        assert self.progress is not None
        task = self.progress.add_task(say("progress.fit", self.language), total=total)
        for item in items:
            yield item
            self.progress.advance(task)

    def phase(self, description: str) -> _Phase:
        return _Phase(self.progress, description)


class _Phase:
    """A step of unknown length: a pulsing bar while it runs."""

    def __init__(self, progress: Progress | None, description: str) -> None:
        self.progress = progress
        self.description = description
        self.task: Any = None

    def __enter__(self) -> None:
        if self.progress is not None:
            self.task = self.progress.add_task(self.description, total=None)

    def __exit__(self, *_exc: object) -> None:
        if self.progress is not None:
            self.progress.remove_task(self.task)


def register(app: typer.Typer) -> None:
    """Add `optimize` to ``app`` (once, however often it is called)."""
    if "optimize" not in {info.name for info in app.registered_commands}:
        app.command("optimize", help=OPTIMIZE_HELP)(optimize)
