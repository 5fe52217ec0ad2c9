"""The ``mock-interview`` command line: parse, build the services once, dispatch.

The command modules are light: each imports what it needs inside its handlers, so ``--help``
and light commands start fast, and only ``agent.cli.web`` imports the UI (lazily).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from pydantic import ValidationError

from agent.cli import assess as assess_commands
from agent.cli import doctor as doctor_commands
from agent.cli import interview as interview_commands
from agent.cli import knowledge as knowledge_commands
from agent.cli import migrate as migrate_commands
from agent.cli import sessions as sessions_commands
from agent.cli import web as web_commands
from knowledge.taxonomy import ROLES, TOPICS

MAX_QUESTIONS = 20  # as agent.interview.interviewer.MAX_QUESTIONS (not imported: it loads LangGraph)

PROG = "mock-interview"
Handler = Callable[..., int]


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _bounded_int(low: int, high: int, what: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = _positive_int(text) if low >= 1 else int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{what} must be between {low} and {high}, got {value}")
        return value

    return parse


def _data_dir(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("is empty; give a folder (or leave the option out for the default)")
    return Path(text)


PRACTICE_COMMANDS = (
    "/done (send the answer), /skip (next question), /retry (answer the current question again), "
    "/model (a strong answer to the question just assessed), /end (finish with the report)"
)


def _user_name(text: str) -> str:
    from agent.interview.interviewer import check_user
    from knowledge.errors import UsageError

    try:
        return check_user(text)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


_port = _bounded_int(1, 65535, "a port")
_question_count = _bounded_int(1, MAX_QUESTIONS, "the number of questions")


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: the message and where to look, no usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _tailoring_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--jd",
        metavar="FILE",
        help="a job description (a path, or the name of a file you ingested): the session weights its topics",
    )
    parser.add_argument(
        "--projects", metavar="FILE", help="your CV or project notes (Markdown/text): the session ends with a deep dive"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="A mock interviewer for Generative-AI and ML job interviews.")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        type=_data_dir,
        help="where the index, sessions and caches live "
        "(env MOCK_INTERVIEW_HOME; default ~/.local/share/mock-interview)",
    )
    parser.add_argument("--offline", action="store_true", help="use the offline examiner even if an API key is set")
    parser.add_argument(
        "--require-llm", action="store_true", help="exit with status 2 instead of falling back to the offline examiner"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    guide = commands.add_parser("guide", help="work with the interview guide")
    guide_commands = guide.add_subparsers(dest="guide_command", metavar="ACTION", required=True)
    search = guide_commands.add_parser("search", help="search the guide (and your ingested files)")
    search.add_argument("query", metavar="QUERY")
    search.add_argument("--k", type=_positive_int, default=5, help="number of passages (default 5)")
    search.add_argument("--json", action="store_true", help="print a JSON array")
    search.add_argument("--user", default="local", help="also search this user's ingested files (default: local)")
    search.add_argument("--mode", choices=("hybrid", "dense", "bm25"), default="hybrid", help=argparse.SUPPRESS)
    search.set_defaults(handler=knowledge_commands.guide_search)

    ingest = commands.add_parser("ingest", help="index your own Markdown/text files (job description, notes)")
    ingest.add_argument("paths", nargs="+", metavar="PATH")
    ingest.add_argument("--user", default="local", help="whose material this is (default: local)")
    ingest.set_defaults(handler=knowledge_commands.ingest)

    questions = commands.add_parser("questions", help="list the question bank")
    questions.add_argument("--topic", choices=TOPICS, metavar="TOPIC", help=f"one of: {', '.join(TOPICS)}")
    questions.add_argument("--role", choices=ROLES, metavar="ROLE", help=f"one of: {', '.join(ROLES)}")
    questions.add_argument("--json", action="store_true", help="print a JSON array with every field")
    questions.set_defaults(handler=knowledge_commands.questions)

    practice = commands.add_parser(
        "practice",
        help="a mock interview in the terminal",
        description="A mock interview in the terminal. While answering, a line holding only one of these "
        f"is a command: {PRACTICE_COMMANDS}.",
    )
    practice.add_argument("--user", required=True, type=_user_name, help="your profile name")
    practice.add_argument(
        "--role", choices=ROLES, default="ml_engineer", metavar="ROLE", help=f"one of: {', '.join(ROLES)}"
    )
    practice.add_argument(
        "--questions", type=_question_count, default=5, help=f"number of questions (default 5, at most {MAX_QUESTIONS})"
    )
    practice.add_argument("--difficulty", type=int, choices=(1, 2, 3), help="prefer this difficulty (1-3)")
    practice.add_argument("--resume", action="store_true", help="continue your last unfinished session")
    _tailoring_arguments(practice)
    practice.set_defaults(handler=interview_commands.practice)

    simulate = commands.add_parser("simulate", help="run a whole interview against a scripted candidate")
    simulate.add_argument("--user", required=True, type=_user_name)
    simulate.add_argument("--role", choices=ROLES, required=True, metavar="ROLE", help=f"one of: {', '.join(ROLES)}")
    simulate.add_argument("--candidate", required=True, metavar="FILE", help="YAML/JSON: topic -> {answer, follow_ups}")
    simulate.add_argument("--questions", type=_question_count, default=5)
    simulate.add_argument("--seed", type=int)
    simulate.add_argument("--json", action="store_true")
    _tailoring_arguments(simulate)
    simulate.set_defaults(handler=interview_commands.simulate)

    material = commands.add_parser("material", help="list or delete your ingested files (job descriptions, CVs, notes)")
    material_commands = material.add_subparsers(dest="material_command", required=True, metavar="COMMAND")
    listed = material_commands.add_parser("list", help="your ingested files")
    listed.add_argument("--user", required=True, type=_user_name)
    listed.add_argument("--json", action="store_true")
    listed.set_defaults(handler=knowledge_commands.material_list)
    delete = material_commands.add_parser("delete", help="delete one of your ingested files, or all with --all")
    delete.add_argument("name", nargs="?", metavar="NAME", help="the file's name (as `material list` shows it)")
    delete.add_argument("--user", required=True, type=_user_name)
    delete.add_argument("--all", action="store_true", help="delete every file of this user")
    delete.set_defaults(handler=knowledge_commands.material_delete)

    assess = commands.add_parser("assess", help="assess one answer, or a batch of answers")
    assess.add_argument("--question", metavar="TEXT")
    assess.add_argument("--answer-file", metavar="FILE")
    assess.add_argument(
        "--batch", metavar="FILE", help="JSONL or YAML list of {question or question_id, answer}: one result per answer"
    )
    assess.add_argument("--role", choices=ROLES, metavar="ROLE", help="accepted for symmetry; scoring is role-neutral")
    assess.add_argument("--json", action="store_true")
    assess.set_defaults(handler=assess_commands.assess)

    sessions = commands.add_parser("sessions", help="past sessions: list, show, export")
    session_commands = sessions.add_subparsers(dest="sessions_command", metavar="ACTION", required=True)
    listing = session_commands.add_parser("list", help="list sessions")
    listing.add_argument("--user")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=sessions_commands.sessions_list)
    show = session_commands.add_parser("show", help="print a session as Markdown")
    show.add_argument("session_id", metavar="ID")
    show.set_defaults(handler=sessions_commands.sessions_show)
    export = session_commands.add_parser("export", help="export a session")
    export.add_argument("session_id", metavar="ID")
    export.add_argument("--format", choices=("md", "json"), default="md")
    export.set_defaults(handler=sessions_commands.sessions_export)

    end = session_commands.add_parser("end", help="end an unfinished session (one whose checkpoint is gone, too)")
    end.add_argument("session_id", metavar="ID")
    end.set_defaults(handler=sessions_commands.sessions_end)

    progress = commands.add_parser("progress", help="your mastery per topic and weak areas")
    progress.add_argument("--user", required=True)
    progress.add_argument("--json", action="store_true")
    progress.set_defaults(handler=sessions_commands.progress)

    weak = commands.add_parser("weak-areas", help="list or dismiss your weak areas")
    weak.add_argument("--user", required=True)
    weak.add_argument("--dismiss", metavar="TOPIC", help="take a topic off the list")
    weak.add_argument("--json", action="store_true")
    weak.set_defaults(handler=sessions_commands.weak_areas)

    web = commands.add_parser("ui", help="the web app (http://127.0.0.1:7860)")
    web.add_argument("--host", default="127.0.0.1", help="interface to serve on (default 127.0.0.1)")
    web.add_argument("--port", type=_port, default=7860)
    web.set_defaults(handler=web_commands.ui)

    move = commands.add_parser("migrate", help="copy the data folder onto Postgres (and a Chroma server)")
    move.add_argument("--to", required=True, metavar="POSTGRES_URL", help="postgresql://user:password@host:port/db")
    move.add_argument("--chroma", metavar="CHROMA_URL", help="http://host:port[/database] of a Chroma server")
    move.set_defaults(handler=migrate_commands.migrate, uses_stores=False)

    doctor = commands.add_parser("doctor", help="check the data folder's files; --repair damaged ones")
    doctor.add_argument("--repair", action="store_true", help="back up damaged files and start fresh ones")
    doctor.set_defaults(handler=doctor_commands.doctor)

    password = commands.add_parser("hash-password", help="print a users-file line for the web app's login")
    password.add_argument("name", metavar="NAME", type=_user_name)
    password.set_defaults(handler=web_commands.hash_password, uses_stores=False)
    return parser


def _fail(message: str, status: int = 1) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0

    from agent.services import Services
    from agent.settings import Settings, invalid_setting
    from knowledge.errors import UserError

    try:
        overrides: dict[str, Any] = {"home": args.data_dir} if args.data_dir else {}  # Settings keywords
        if args.offline:
            overrides["offline"] = True
        settings = Settings.from_values(**overrides)
    except ValidationError as exc:
        return _fail(invalid_setting(exc), 2)

    if args.offline and args.require_llm:
        return _fail("--offline and --require-llm contradict each other", 2)
    services = Services(settings, require_llm=args.require_llm)
    try:
        if getattr(args, "uses_stores", True):
            services.check_servers()  # a bad or unreachable server is one line, before anything starts
        handler: Handler = args.handler
        return handler(services, args)
    except UserError as exc:
        return _fail(str(exc), exc.exit_status)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except BrokenPipeError:
        return 0
    finally:
        services.close()


if __name__ == "__main__":
    sys.exit(main())
