"""CLI commands for looking back: sessions, progress, weak areas."""

from __future__ import annotations

import argparse
import sys

from agent.cli.json_output import print_json
from agent.interview.interviewer import check_user
from agent.records import SessionRow
from agent.services import Services
from agent.store.export import session_json, session_markdown
from agent.store.memory import WeakAreaRecord
from agent.store.transcripts import SessionNotFound
from agent.store.trend import change_line, session_trend
from knowledge.errors import UsageError
from knowledge.taxonomy import ROLE_TITLES, TOPIC_TITLES, TOPICS


def _session(services: Services, session_id: str) -> SessionRow:
    try:
        return services.transcripts.session(session_id)
    except SessionNotFound:
        raise UsageError(f"no session {session_id!r}; see: mock-interview sessions list") from None


def sessions_end(services: Services, args: argparse.Namespace) -> int:
    session = _session(services, args.session_id)
    if session["status"] != "active":
        raise UsageError(f"session {args.session_id!r} has already ended")
    view = services.interviewer.command(args.session_id, "end")
    print(view.note or f"Session {args.session_id} ended; see: mock-interview sessions show {args.session_id}")
    return 0


def sessions_list(services: Services, args: argparse.Namespace) -> int:
    user = check_user(args.user) if args.user else None
    rows = services.transcripts.sessions(user=user)
    if args.json:
        listed = [
            {
                "id": r["id"],
                "user": r["user"],
                "role": r["role"],
                "created_at": r["created_at"],
                "status": r["status"],
                "questions": r["questions"],
                "backend": r["backend"],
                "overall": r["overall"],
            }
            for r in rows
        ]
        print_json(listed)
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


def _markdown(services: Services, session_id: str) -> str:
    from agent.interview.model_answer import export_writer

    bank = services.question_bank
    return session_markdown(services.transcripts, session_id, bank, export_writer(bank, services.citer))


def sessions_show(services: Services, args: argparse.Namespace) -> int:
    _session(services, args.session_id)
    print(_markdown(services, args.session_id))
    return 0


def sessions_export(services: Services, args: argparse.Namespace) -> int:
    _session(services, args.session_id)
    if args.format == "json":
        print_json(session_json(services.transcripts, args.session_id))
    else:
        print(_markdown(services, args.session_id))
    return 0


def progress(services: Services, args: argparse.Namespace) -> int:
    user = check_user(args.user)
    sessions = len(services.transcripts.sessions(user=user))
    mastery = {t: round(v, 1) for t, v in sorted(services.memory.mastery(user).items())}
    weak = [a.as_json() for a in services.memory.weak_areas(user)]
    trend = session_trend(services.transcripts, user)
    change = change_line(trend)
    if args.json:
        print_json(
            {
                "user": user,
                "sessions": sessions,
                "mastery": mastery,
                "weak_areas": weak,
                "trend": trend,
                "change": change,
            }
        )
        return 0
    print(f"{user}: {sessions} session{'s' if sessions != 1 else ''}")
    for topic, value in mastery.items():
        print(f"  {TOPIC_TITLES[topic]:<55} {value:>4g}/10  {'█' * round(value)}{'░' * (10 - round(value))}")
    if trend:
        print("Overall score by session:")
        for point in trend:
            print(
                f"  {point['session']:>3}  {point['date']}  {point['overall']:>4g}/10  {'█' * round(point['overall'])}"
            )
        print(change or "One completed session so far: the change shows after the next one.")
    _print_weak(weak)
    return 0


def _print_weak(areas: list[WeakAreaRecord]) -> None:
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
