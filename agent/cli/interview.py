"""CLI commands that run interviews: practice (interactive), simulate (scripted), assess (one answer)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from agent.cli.fallbacks import require_llm, session_fallbacks
from agent.cli.json_output import print_json
from agent.interview.interviewer import Interviewer, TurnView, check_user, parse_command
from agent.interview.tailoring import Tailored
from agent.services import Services
from knowledge.errors import UsageError
from knowledge.question_bank import QuestionBank
from knowledge.taxonomy import parse_role

DONE = "/done"
MODEL = "/model"


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False)


def _show(console: Any, view: TurnView, bank: QuestionBank, streamed: str = "") -> None:
    """The full feedback box once per question (after its first answer), one line after a
    follow-up reply, then the interviewer's next words."""
    from agent.cli import terminal
    from agent.interview.notes import feedback_notes, reply_line

    if view.assessment and view.answered == "follow_up":
        terminal.reply_note(console, reply_line(view.assessment), view.note)
    elif view.assessment:
        if view.change:
            console.print(f"[bold]{view.change}[/]")
        terminal.feedback_panel(console, view.assessment, feedback_notes(view.assessment, bank), view.note)
    for message in view.messages:
        if message["role"] != "assistant" or (streamed and message["content"].strip() == streamed.strip()):
            continue
        if view.assessment and message["kind"] == "note" and message["content"] == view.note:
            continue  # already in the feedback panel
        terminal.interviewer_message(console, message)
    if view.report:
        terminal.report_panel(console, view.report)


def _show_model_answer(console: Any, interviewer: Interviewer, session_id: str) -> None:
    from rich.markdown import Markdown

    from agent.interview.model_answer import model_answer_markdown

    try:
        answer = interviewer.model_answer(session_id)
    except UsageError as exc:
        console.print(f"[yellow]{exc}[/]")
        return
    console.print(Markdown(model_answer_markdown(answer)))
    console.print()


def examiner_ready(services: Services) -> str:
    """Pick the examiner now (probing the LLM endpoint) and tell the user about any fallback."""
    examiner = services.examiner
    for warning in services.warnings:
        print(f"mock-interview: {warning}", file=sys.stderr)
    if examiner.name == "llm":
        from agent.examiner.llm.client import endpoint_label

        return f"LLM examiner: {endpoint_label(services.settings)}"
    return "Offline examiner (no API key needed)"


class LiveText:
    """Prints the model's reply as it streams, remembering it so it is not printed twice."""

    def __init__(self, console: Any) -> None:
        self.console = console
        self.text = ""

    def __call__(self, piece: str) -> None:
        if not self.text:
            self.console.print("[bold magenta]Interviewer:[/] ", end="")
        self.text += piece
        self.console.print(piece, end="", markup=False, highlight=False)

    def finish(self) -> str:
        if self.text:
            self.console.print()
        text, self.text = self.text, ""
        return text


class AnswerReader:
    """Reads one answer: lines until an empty line or /done; a lone /skip or /end is a command.

    ``partial`` holds what has been typed of the current answer, so Ctrl-C can save it.
    """

    def __init__(self, console: Any) -> None:
        self.console = console
        self.partial: list[str] = []

    def read(self, draft: list[str]) -> str | None:
        """The answer, or None when input has ended with nothing typed."""
        self.partial = list(draft)
        if draft:
            self.console.print("[dim]Your unsent draft was restored; keep typing (an empty line sends it).[/]")
            self.console.print("\n".join(draft), markup=False, highlight=False)
        self.console.print("[dim]Answer (empty line or /done to send; /skip, /retry, /model, /end):[/]")
        warned_empty = False
        while True:
            line = sys.stdin.readline()
            if line == "":
                return self._take() if self.partial else None
            line = line.rstrip("\n")
            if not self.partial and (parse_command(line) is not None or line.strip().lower() == MODEL):
                return line.strip().lower()
            if line.strip().lower() == DONE or not line.strip():
                if self.partial or warned_empty:
                    return self._take()
                self.console.print("[yellow]That would send an empty answer. Press Enter again to send it, or type.[/]")
                warned_empty = True
                continue
            self.partial.append(line)

    def _take(self) -> str:
        """The answer typed so far; once sent it is no longer an unsent draft."""
        text, self.partial = "\n".join(self.partial), []
        return text


def tailored(services: Services, user: str, args: argparse.Namespace) -> Tailored:
    """The job and projects a session is tailored to (--jd, --projects), notices printed."""
    from agent.interview.tailoring import tailor

    if not (args.jd or args.projects):
        return Tailored()
    found = tailor(services.knowledge.material, services.job_reader, user, args.jd, args.projects)
    for notice in found.notices:
        print(f"mock-interview: {notice}", file=sys.stderr)
    return found


def practice(services: Services, args: argparse.Namespace) -> int:
    interviewer = services.interviewer
    user = check_user(args.user)
    console = _console()
    console.print(f"[dim]{examiner_ready(services)}[/]")
    if args.resume:
        session_id = interviewer.latest_unfinished(user)
        if session_id is None:
            raise UsageError(f"no unfinished session for {user}; start one without --resume")
        view = interviewer.history(session_id)
        console.print(f"[dim]Resuming session {session_id}.[/]")
        for message in view.messages[-3:]:
            if message["role"] == "assistant":
                from agent.cli import terminal

                terminal.interviewer_message(console, message)
        draft = services.transcripts.session(session_id)["draft"].splitlines()
    else:
        fit = tailored(services, user, args)
        view = interviewer.start(
            user, parse_role(args.role), args.questions, difficulty=args.difficulty, job=fit.job, projects=fit.projects
        )
        session_id = view.session_id
        console.print(
            f"[dim]Session {session_id}. Commands: /skip, /retry, /model, /end. Ctrl-C saves; resume with --resume.[/]"
        )
        _show(console, view, services.question_bank)
        draft = []
    reader = AnswerReader(console)
    live = LiveText(console)
    try:
        while not view.done:
            answer = reader.read(draft)
            draft = []
            if answer is None:
                console.print(f"[yellow]Input ended. Session saved: mock-interview practice --user {user} --resume[/]")
                return 0
            if answer == MODEL:
                _show_model_answer(console, interviewer, session_id)
                continue
            command = parse_command(answer)
            if command == "retry":
                try:
                    view = interviewer.command(session_id, command)
                except UsageError as exc:  # nothing assessed yet: say so and keep the interview going
                    console.print(f"[yellow]{exc}[/]")
                    continue
            elif command is not None:
                view = interviewer.command(session_id, command)
            else:
                view = interviewer.send(session_id, answer, on_text=live)
            _show(console, view, services.question_bank, live.finish())
    except KeyboardInterrupt:
        services.transcripts.save_draft(session_id, "\n".join(reader.partial))
        console.print(f"\n[yellow]Saved. Resume with: mock-interview practice --user {user} --resume[/]")
        return 130
    require_llm(services.require_llm, *session_fallbacks(services.transcripts, session_id))
    return 0


def simulate(services: Services, args: argparse.Namespace) -> int:
    from agent.interview.simulation import load_script
    from agent.interview.simulation import simulate as run

    script = load_script(Path(args.candidate))
    user = check_user(args.user)
    fit = tailored(services, user, args)
    examiner_ready(services)
    result = run(
        services.interviewer, user, parse_role(args.role), script, args.questions, args.seed, fit.job, fit.projects
    )
    fell_back, answers = session_fallbacks(services.transcripts, result["session_id"])
    if args.json:
        print_json(result)
        require_llm(services.require_llm, fell_back, answers)
        return 0
    console = _console()
    from agent.cli import terminal

    for turn in result["turns"]:
        label = "Q" if turn["kind"] == "question" else "  follow-up"
        score = turn["assessment"]["score"] if turn["assessment"] else "-"
        console.print(f"{label} [{turn['topic']}] {turn['question'][:90]}  → {score}", markup=False)
    if result["report"] is not None:
        terminal.report_panel(console, result["report"])
    console.print(f"[dim]Session {result['session_id']} saved.[/]")
    require_llm(services.require_llm, fell_back, answers)
    return 0
