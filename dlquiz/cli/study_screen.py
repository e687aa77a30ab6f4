"""The interactive study screen (rich). It only shows things and reads keys; StudySession decides."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable

from fsrs import Rating
from rich.console import Console, Group, RenderableType
from rich.markdown import Markdown
from rich.panel import Panel
from rich.text import Text

from dlquiz.review import clock
from dlquiz.cards.challenge import CHOICE, CODE, REVEAL, Challenge, Verdict
from dlquiz.cli.codeblock import CodeBlock
from dlquiz.cli.editor import edit_text
from dlquiz.cli.hintline import fit, fit_hint
from dlquiz.cli.intervals import format_interval
from dlquiz.cli.intervals import duration as _duration
from dlquiz.cli.intervals import when as _when
from dlquiz.cli.keys import ENTER, SPACE, Quit
from dlquiz.cli.study_text import HELP, UI
from dlquiz.errors import DlquizError
from dlquiz.review.session import PendingAnswer, StudySession, Turn
from dlquiz.review.store import StoreBusy, StoreError
from dlquiz.text import locale_language, pick

if TYPE_CHECKING:
    from dlquiz.grading.snippet import SnippetResult

# Grades a code card: (exercise id, the whole filled code) -> the verdict. The CLI wires in grading.snippet.
GradeCode = Callable[[str, str], "SnippetResult"]

BUSY_RETRIES = 2  # automatic tries (each waits the store's busy timeout) before asking the learner
RATING_UI = {
    Rating.Again: ("重来", "Again"),
    Rating.Hard: ("困难", "Hard"),
    Rating.Good: ("良好", "Good"),
    Rating.Easy: ("简单", "Easy"),
}


class _Restart(Exception):
    """Leave the current card (after undo, suspend, bury) and fetch the next one."""


class _NotRecorded(Exception):
    """An answer could not be saved: the session ends (after its summary) with the store's message."""

    def __init__(self, error: StoreError) -> None:
        super().__init__(str(error))
        self.error = error


class StudyScreen:
    def __init__(
        self, session: StudySession, console: Console, keys, lang: str, grade_code: GradeCode | None = None
    ) -> None:
        self.session = session
        self.grade_code = grade_code
        self.console = console
        self.keys = keys
        self.lang = lang
        # Screen chrome in one language: with --lang both the cards show both, the keys the locale's.
        self.ui_lang = lang if lang != "both" else locale_language()

    def t(self, key: str | Rating) -> str:
        zh, en = RATING_UI[key] if isinstance(key, Rating) else UI[key]
        return zh if self.ui_lang == "zh" else en

    # -- the loop ---------------------------------------------------------------------------

    def run(self) -> None:
        first = True
        try:
            while True:
                turn = self.session.next_turn()
                if turn is None:
                    self.console.print(Text(self.t("done" if not first else "nothing"), style="bold green"))
                    if not self.session.limit_reached():
                        self._print_reasons()
                    break
                first = False
                try:
                    self._show(turn)
                except _Restart:
                    continue
        except (Quit, KeyboardInterrupt):
            self.console.print()
        except _NotRecorded as stop:
            self.print_summary()
            raise stop.error from None
        self.print_summary()

    def _show(self, turn: Turn) -> None:
        if self.keys.interactive:
            self.console.clear()
        self._header()
        self.console.print(self._card_panel(turn))
        shown_at = time.monotonic()
        mode = turn.challenge.mode
        feedback: list[RenderableType] = []
        if mode == REVEAL:
            self._wait_for_reveal(turn)
            verdict = None
        elif mode == CHOICE:
            verdict = self._ask_choice(turn)
        elif mode == CODE:
            verdict, feedback = self._ask_code(turn)
        else:
            verdict = self._ask_input(turn)
        suggested = None if verdict is None else Rating.Good if verdict.correct else Rating.Again
        self._show_answer(turn, verdict, feedback)
        rating = self._ask_rating(turn, suggested)
        duration_ms = int((time.monotonic() - shown_at) * 1000)
        self._save(PendingAnswer(turn, rating, duration_ms, None if verdict is None else verdict.correct, clock.now()))

    def _save(self, pending: PendingAnswer) -> None:
        """Save the answer; the verdict is already on screen, whatever happens here. A lock held by another dlquiz
        is waited for and the same answer tried again; anything else ends the session saying it was not recorded."""
        tries = 0
        while True:
            try:
                self.session.save(pending)
            except StoreBusy as error:
                tries += 1
                if tries == 1:
                    self.console.print(Text(self.t("busy"), style="yellow"))
                if tries >= BUSY_RETRIES and not self._try_again():
                    self._not_recorded(pending, error)
                continue
            except StoreError as error:
                self._not_recorded(pending, error)
            if tries:
                self.console.print(Text(self.t("saved_late"), style="green"))
            return

    def _try_again(self) -> bool:
        self.console.print(Text(self.t("still_busy"), style="yellow"))
        while True:
            try:
                key = self.keys.key()
            except (Quit, KeyboardInterrupt):
                return False
            if key in (ENTER, SPACE):
                return True
            if key in ("q", "Q"):
                return False

    def _not_recorded(self, pending: PendingAnswer, error: StoreError) -> None:
        # The reason and what to do follow as the command's error, after the session's summary.
        self.console.print(Text(self.t("not_recorded").format(rating=self.t(pending.rating)), style="bold red"))
        raise _NotRecorded(error)

    # -- pieces of the screen ---------------------------------------------------------------

    def _header(self) -> None:
        counts = self.session.counts()
        line = Text()
        line.append(f"{self.t('new')} {counts.new}", style="bold blue")
        line.append("  ·  ")
        line.append(f"{self.t('learning')} {counts.learning}", style="bold red")
        line.append("  ·  ")
        line.append(f"{self.t('review')} {counts.review}", style="bold green")
        self.console.print(line)

    def _card_panel(self, turn: Turn) -> Panel:
        challenge = turn.challenge
        body: list[RenderableType] = [Markdown(challenge.question)]
        if challenge.mode == CHOICE:
            options = "\n".join(f"{i + 1}. {text}" for i, text in enumerate(challenge.options))
            body.append(Text(""))
            body.append(Text(options))
        if challenge.mode == CODE:
            body += [Text(""), _code(challenge.code)]
        card = turn.item.card
        # Text, not str: rich parses a str title as markup, and ids and tags come from the deck.
        title = Text(f"{card.deck_id} · {card.id}" + (f" · {turn.item.variant}" if turn.item.variant else ""))
        subtitle = Text(" ".join(f"#{tag}" for tag in card.tags)) if card.tags else None
        return Panel(Group(*body), title=title, subtitle=subtitle, title_align="left", border_style="cyan")

    def _command(self, key: str, turn: Turn) -> None:
        """Keys that work at every stage. Raises _Restart or Quit when the card is left."""
        if key in ("q", "Q"):
            raise Quit()
        if key == "?":
            self.console.print(Panel(HELP[self.ui_lang]))
            return
        if key == "u":
            undone = self.session.undo()
            self.console.print(Text(self.t("undone" if undone else "nothing_to_undo"), style="yellow"))
            if undone:
                raise _Restart()
            return
        if key == "s":
            self.session.suspend(turn)
            self.console.print(Text(self.t("suspended"), style="yellow"))
            raise _Restart()
        if key == "b":
            self.session.bury(turn)
            self.console.print(Text(self.t("buried"), style="yellow"))
            raise _Restart()

    def _hint(self, *keys: str) -> None:
        self.console.print(fit_hint("  ".join(self.t(k) for k in keys), self.console.width))

    def _wait_for_reveal(self, turn: Turn) -> None:
        self._hint("reveal", "other_keys")
        while True:
            key = self.keys.key()
            if key in (ENTER, SPACE):
                return
            self._command(key, turn)

    def _ask_choice(self, turn: Turn) -> Verdict:
        challenge = turn.challenge
        self._hint("choose_many" if challenge.multiple else "choose_one", "other_keys")
        last_problem = None
        while True:
            if challenge.multiple or not self.keys.interactive:
                response = self.keys.line(f"{self.t('answer_prompt')}: " if self.keys.interactive else "")
            else:
                response = self.keys.key()
            if response == ENTER or not response.strip():  # Enter alone: "don't know", as on typed cards
                return Verdict(False, challenge.answer)
            stripped = response.strip().lstrip(":")
            if stripped in ("q", "Q", "u", "s", "b", "?"):
                self._command(stripped, turn)
                continue
            if challenge.parse_choice(response) is not None:
                return challenge.judge(response)
            problem = self._choice_problem(challenge, response)
            if problem != last_problem:  # the same message again would only stack up on the screen
                self.console.print(Text(problem, style="yellow"))
                last_problem = problem

    def _choice_problem(self, challenge: Challenge, response: str) -> str:
        missing = challenge.missing_options(response)
        if not missing:
            return self.t("bad_choice")
        numbers = "、".join(map(str, missing)) if self.ui_lang == "zh" else ", ".join(map(str, missing))
        return self.t("no_option").format(numbers=numbers, count=len(challenge.options))

    def _ask_input(self, turn: Turn) -> Verdict:
        self._hint("input_keys")
        while True:
            response = self.keys.line(f"{self.t('answer_prompt')}: ")
            if response.strip() in (":q", ":u", ":s", ":b", ":?"):
                self._command(response.strip()[1:], turn)
                continue
            return turn.challenge.judge(response)

    def _ask_code(self, turn: Turn) -> tuple[Verdict | None, list[RenderableType]]:
        """The fill (one line), or the whole code edited in $EDITOR with ``:e``; then its grading.

        Returns no verdict when the code could not be graded (e.g. no PyTorch): the learner rates it themselves.
        """
        challenge = turn.challenge
        self._hint("code_keys")
        while True:
            response = self.keys.line(f"{self.t('fill_prompt')}: ")
            command = response.strip()
            if command in (":q", ":u", ":s", ":b", ":?"):
                self._command(command[1:], turn)
                continue
            if not command:  # "don't know": nothing to run
                return Verdict(False, challenge.answer), []
            if command == ":e":
                source = self._edit(challenge)
                if source is None:
                    continue
            else:
                source = challenge.filled(command)
            return self._grade(challenge, source)

    def _edit(self, challenge: Challenge) -> str | None:
        """The whole code as the learner saved it in their editor; None (said why) when there is nothing to grade."""
        try:
            source = edit_text(challenge.code, terminal=self.keys.interactive)
        except DlquizError as error:
            message, hint = error.in_language(self.ui_lang)
            self.console.print(Text(message, style="yellow"))
            if hint:
                self.console.print(Text(f"→ {hint}", style="yellow"))
            return None
        if source.strip() == challenge.code.strip():
            self.console.print(Text(self.t("unchanged"), style="yellow"))
            return None
        return source

    def _grade(self, challenge: Challenge, source: str) -> tuple[Verdict | None, list[RenderableType]]:
        assert challenge.exercise is not None
        try:
            if self.grade_code is None:
                raise DlquizError("code cards are graded by `dlquiz study`")
            if self.keys.interactive:
                with self.console.status(self.t("grading")):
                    result = self.grade_code(challenge.exercise, source)
            else:
                result = self.grade_code(challenge.exercise, source)
        except DlquizError as error:
            return None, [Text(f"{self.t('cannot_grade')}: {error}", style="yellow")]
        verdict = Verdict(result.passed, challenge.answer)
        if result.passed:
            return verdict, [Text(f"{result.cases_passed}/{result.cases_total} {self.t('cases_pass')}", style="dim")]
        feedback: list[RenderableType] = []
        if result.diagnosis:
            feedback.append(Text(pick(result.diagnosis, self.lang, separator="\n")))
        if result.failure:
            feedback.append(Text(pick(result.failure, self.lang, separator="\n"), style="dim"))
        return verdict, feedback

    def _show_answer(self, turn: Turn, verdict: Verdict | None, feedback: list[RenderableType] | None = None) -> None:
        challenge = turn.challenge
        parts: list[RenderableType] = []
        if verdict is not None:
            parts.append(
                Text(
                    self.t("right" if verdict.correct else "wrong"),
                    style="bold green" if verdict.correct else "bold red",
                )
            )
        parts += feedback or []
        if challenge.mode == CODE and len(parts) > 1:
            parts.append(Text(""))
        parts.append(_code(challenge.answer) if challenge.mode == CODE else Markdown(challenge.answer))
        if challenge.extra:
            parts.append(Text(""))
            parts.append(Markdown(challenge.extra))
        title = self.t("expected")
        self.console.print(Panel(Group(*parts), title=title, title_align="left", border_style="green"))

    def _ask_rating(self, turn: Turn, suggested: Rating | None) -> Rating:
        default = suggested or Rating.Good
        buttons: list[Text] = []
        labels = [format_interval(outcome.interval, self.ui_lang) for outcome in turn.outcomes.values()]
        if len(set(labels)) < len(labels):  # 45 and 46 days both read 1.5mo: show days so longer reads longer
            labels = [
                format_interval(outcome.interval, self.ui_lang, in_days=True) for outcome in turn.outcomes.values()
            ]
        for rating, interval in zip(turn.outcomes, labels, strict=True):
            style = "bold reverse" if rating == default else "bold"
            buttons.append(Text.assemble((f" {int(rating)} {self.t(rating)} {interval} ", style), " "))
        self.console.print(fit(buttons, self.console.width))  # a button never splits across lines
        self.console.print(
            fit_hint(f"{self.t('accept')}{self.t(default)}   " + self.t("other_keys"), self.console.width)
        )
        while True:
            key = self.keys.key()
            if key in ("1", "2", "3", "4"):
                return Rating(int(key))
            if key in (ENTER, SPACE):
                return default
            self._command(key, turn)

    # -- the end ----------------------------------------------------------------------------

    def _print_reasons(self) -> None:
        """Why the queue ran dry: a daily limit, buried siblings, or everything is studied."""
        outlook = self.session.outlook()
        reasons = []
        if outlook.new_held:
            key = "new_limit" if outlook.new_limit else "new_off"
            reasons.append(self.t(key).format(limit=outlook.new_limit, held=outlook.new_held))
        if outlook.reviews_held:
            reasons.append(self.t("review_limit").format(limit=outlook.review_limit, held=outlook.reviews_held))
        if outlook.buried_by_siblings:
            reasons.append(self.t("siblings").format(count=outlook.buried_by_siblings))
        for reason in reasons or [self.t("all_studied")]:
            self.console.print(Text(reason))

    def _outlook_lines(self) -> list[str]:
        """How many cards are due now (when any are), then when the next one comes."""
        outlook = self.session.outlook()
        lines = []
        due = outlook.due_now
        total = due.new + due.learning + due.review
        if total:
            parts = [
                f"{self.t(kind)} {count}"
                for kind, count in (("new", due.new), ("learning", due.learning), ("review", due.review))
                if count
            ]
            lines.append(f"{self.t('due_now')}: {total} ({' · '.join(parts)})")
        when = _when(outlook.next_due, self.ui_lang) if outlook.next_due else self.t("none_due")
        lines.append(f"{self.t('next_due')}: {when}")
        return lines

    def print_summary(self) -> None:
        summary = self.session.summary
        if summary.reviewed == 0 and not self.session.can_undo():
            for line in self._outlook_lines():
                self.console.print(Text(line))
            return
        percent = f" ({100 * summary.correct // summary.reviewed}%)" if summary.reviewed else ""
        elapsed = _duration(summary.duration_ms / 1000, self.ui_lang)
        lines = [
            f"{self.t('reviewed')}: {summary.reviewed}",
            f"{self.t('correct')}: {summary.correct}{percent}",
            f"{self.t('time')}: {elapsed}",
            *self._outlook_lines(),
        ]
        summary_title = Text(self.t("summary"))
        self.console.print(
            Panel(Text("\n".join(lines)), title=summary_title, title_align="left", border_style="magenta")
        )


def _code(source: str) -> CodeBlock:
    """Python code as the screen shows it: highlighted on a terminal, plain text elsewhere; long lines keep their
    indentation when they wrap."""
    return CodeBlock(source)
