"""CLI commands over the knowledge base: guide search, ingest, questions."""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

from agent.cli.json_output import print_json
from agent.interview.interviewer import check_user
from agent.services import Services
from knowledge.errors import UsageError
from knowledge.taxonomy import ROLE_TITLES, TOPIC_TITLES, parse_role, parse_topic

PREVIEW_CHARS = 420


def guide_search(services: Services, args: argparse.Namespace) -> int:
    if not args.query.strip():
        raise UsageError("the search query is empty")
    passages = services.knowledge.retriever.search(args.query, args.k, user=check_user(args.user), mode=args.mode)
    if args.json:
        print_json([p.as_json() for p in passages])
        return 0
    if not passages:
        print("No passages matched.")
        return 0
    for rank, p in enumerate(passages, start=1):
        origin = "guide" if p.source == "guide" else f"your file {p.source}"
        print(f"{rank}. {p.section}  [{origin} · score {p.score:.4f}]")
        text = " ".join(p.text.split())
        if len(text) > PREVIEW_CHARS:
            text = text[: PREVIEW_CHARS - 1].rstrip() + "…"
        print(textwrap.indent(textwrap.fill(text, width=96), "   "))
        print()
    return 0


def ingest(services: Services, args: argparse.Namespace) -> int:
    user = check_user(args.user)
    done = services.knowledge.material.ingest(user, [Path(p) for p in args.paths])
    for f in done:
        unchanged = f.chunks - f.added
        note = f" ({unchanged} unchanged)" if unchanged else ""
        print(f"Ingested {f.name}: {f.chunks} chunk{'s' if f.chunks != 1 else ''}{note}")
    print(f'Searchable now with: mock-interview guide search "..." --user {args.user}')
    return 0


def questions(services: Services, args: argparse.Namespace) -> int:
    topic = parse_topic(args.topic) if args.topic else None
    role = parse_role(args.role) if args.role else None
    found = services.question_bank.filter(topic=topic, role=role)
    if args.json:
        print_json([q.model_dump(mode="json") for q in found])
        return 0
    scope = [TOPIC_TITLES[topic]] if topic else []
    scope += [f"for {ROLE_TITLES[role]}"] if role else []
    print(f"{len(found)} question{'s' if len(found) != 1 else ''}" + (f" ({', '.join(scope)})" if scope else ""))
    for q in found:
        stars = "★" * q.difficulty + "☆" * (3 - q.difficulty)
        print(f"\n{q.id}  [{q.topic} · {stars}]")
        print(textwrap.indent(textwrap.fill(q.question, width=96), "   "))
    return 0


def material_list(services: Services, args: argparse.Namespace) -> int:
    user = check_user(args.user)
    files = services.knowledge.material.files(user)
    if args.json:
        print_json([{"name": f.name, "path": f.path, "chunks": f.chunks} for f in files])
        return 0
    if not files:
        print(f"No ingested files for {user}.")
    for f in files:
        print(f"{f.name}\t{f.chunks} chunk{'s' if f.chunks != 1 else ''}\t{f.path}")
    return 0


def material_delete(services: Services, args: argparse.Namespace) -> int:
    user = check_user(args.user)
    if (args.name is None) == (not args.all):
        raise UsageError("name one file to delete, or give --all to delete every file of this user")
    gone = services.knowledge.material.delete(user, None if args.all else args.name)
    for f in gone:
        print(f"Deleted {f.name} ({f.chunks} chunk{'s' if f.chunks != 1 else ''})")
    if not gone:
        print(f"No ingested files for {user}.")
    return 0
