"""CLI commands for looking back: sessions, progress, weak areas."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from agent.cli.json_output import print_json
from agent.interview.interviewer import check_user
from agent.services import Services
from agent.store.export import session_json, session_markdown
from agent.store.transcripts import SessionNotFound
from knowledge.errors import UsageError
from knowledge.taxonomy import ROLE_TITLES, TOPIC_TITLES, TOPICS


def _session(services: Services, session_id: str) -> dict[str, Any]:
    try:
        return services.transcripts.session(session_id)
    except SessionNotFound:
        raise UsageError(f"no session {session_id!r}; see: mock-interview sessions list") from None


def sessions_list(services: Services, args: argparse.Namespace) -> int:
    user = check_user(args.user) if args.user else None
    rows = services.transcripts.sessions(user=user)
    if args.json:
        keys = ("id", "user", "role", "created_at", "status", "questions", "backend", "overall")
        print_json([{k: r[k] for k in keys} for r in rows])
        return 0
    if not rows:
        print("No sessions yet." if user is None else f"No sessions for {user} yet.")
        return 0
    for r in rows:
        overall = f"{r['overall']:g}/10" if r["overall"] is not None else "—"
        print(
            f"{r['id']}  {r['created_at'][:16].replace('T', ' ')}  {r['user']:<12} "
            f"{ROLE_TITLES[r['role']]:<20} {r['status']:<9} {overall}"
        )
    return 0


def sessions_show(services: Services, args: argparse.Namespace) -> int:
    _session(services, args.session_id)
    print(session_markdown(services.transcripts, args.session_id))
    return 0


def sessions_export(services: Services, args: argparse.Namespace) -> int:
    _session(services, args.session_id)
    if args.format == "json":
        print_json(session_json(services.transcripts, args.session_id))
    else:
        print(session_markdown(services.transcripts, args.session_id))
    return 0


def progress(services: Services, args: argparse.Namespace) -> int:
    user = check_user(args.user)
    sessions = services.transcripts.sessions(user=user)
    data: dict[str, Any] = {
        "user": user,
        "sessions": len(sessions),
        "mastery": {t: round(v, 1) for t, v in sorted(services.memory.mastery(user).items())},
        "weak_areas": [a.as_json() for a in services.memory.weak_areas(user)],
    }
    if args.json:
        print_json(data)
        return 0
    print(f"{user}: {data['sessions']} session{'s' if data['sessions'] != 1 else ''}")
    for topic, value in data["mastery"].items():
        print(f"  {TOPIC_TITLES[topic]:<55} {value:>4g}/10  {'█' * round(value)}{'░' * (10 - round(value))}")
    _print_weak(data["weak_areas"])
    return 0


def _print_weak(areas: list[dict[str, Any]]) -> None:
    if not areas:
        print("No weak areas right now.")
        return
    print("Weak areas (dismiss one with: mock-interview weak-areas --user U --dismiss TOPIC):")
    for area in areas:
        print(f"  {area['topic']}: mastery {area['mastery']:g}/10")
        for point in area["missed_points"][:3]:
            print(f"     missed: {point}")


def weak_areas(services: Services, args: argparse.Namespace) -> int:
    user = check_user(args.user)
    if args.dismiss:
        if args.dismiss not in TOPICS:
            raise UsageError(f"unknown topic {args.dismiss!r}; choose one of: {', '.join(TOPICS)}")
        if not services.memory.dismiss(user, args.dismiss):
            raise UsageError(f"{args.dismiss} is not among {user}'s weak areas")
        notice = f"Dismissed {args.dismiss}; it comes back only if a later answer on it is weak."
        print(notice, file=sys.stderr if args.json else sys.stdout)
    areas = [a.as_json() for a in services.memory.weak_areas(user)]
    if args.json:
        print_json(areas)
    elif not args.dismiss:
        _print_weak(areas)
    return 0
