"""The ``mock-interview`` command line: parse, build the services once, dispatch.

Commands import what they need inside their handlers, so ``--help`` and light commands
start fast and nothing here imports Gradio.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from pydantic import ValidationError

from knowledge.taxonomy import ROLES, TOPICS

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


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: the message and where to look, no usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="A mock interviewer for Generative-AI and ML job interviews.")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        type=Path,
        help="where the index, sessions and caches live "
        "(env MOCK_INTERVIEW_HOME; default ~/.local/share/mock-interview)",
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
    search.set_defaults(handler="agent.cli_knowledge:guide_search")

    ingest = commands.add_parser("ingest", help="index your own Markdown/text files (job description, notes)")
    ingest.add_argument("paths", nargs="+", metavar="PATH")
    ingest.add_argument("--user", default="local", help="whose material this is (default: local)")
    ingest.set_defaults(handler="agent.cli_knowledge:ingest")

    questions = commands.add_parser("questions", help="list the question bank")
    questions.add_argument("--topic", choices=TOPICS, metavar="TOPIC", help=f"one of: {', '.join(TOPICS)}")
    questions.add_argument("--role", choices=ROLES, metavar="ROLE", help=f"one of: {', '.join(ROLES)}")
    questions.add_argument("--json", action="store_true", help="print a JSON array with every field")
    questions.set_defaults(handler="agent.cli_knowledge:questions")
    return parser


def _resolve(handler: str) -> Handler:
    from importlib import import_module

    module, name = handler.split(":")
    resolved: Handler = getattr(import_module(module), name)
    return resolved


def _fail(message: str, status: int = 1) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0

    from agent.services import Services, StartupError
    from agent.settings import Settings
    from knowledge.errors import EmbeddingUnavailable, IngestError, QuestionBankError, TokenizerUnavailable

    try:
        overrides = {"home": args.data_dir} if args.data_dir else {}
        settings = Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        return _fail(f"invalid setting {field}: {first['msg']}", 2)

    services = Services(settings)
    try:
        return _resolve(args.handler)(services, args)
    except (StartupError, EmbeddingUnavailable, TokenizerUnavailable, QuestionBankError) as exc:
        return _fail(str(exc), 2)
    except (IngestError, ValueError) as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
