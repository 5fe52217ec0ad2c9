"""``mock-interview ui`` and ``hash-password``: the web app's entry point (the only one that imports Gradio)."""

from __future__ import annotations

import argparse
import getpass
import ipaddress
import sys

from agent.interview.interviewer import check_user
from agent.services import Services
from knowledge.errors import UsageError


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def ui(services: Services, args: argparse.Namespace) -> int:
    users = None
    if services.settings.users_file is not None:
        from ui.auth import UsersFile

        users = UsersFile(services.settings.users_file)
    elif not _is_loopback(args.host):
        raise UsageError(
            f"refusing to serve on {args.host} without login; set MOCK_INTERVIEW_USERS to a users file "
            "(see mock-interview hash-password) or use the default 127.0.0.1"
        )
    from ui.serve import launch

    app, _url = launch(services, args.host, args.port, users)
    print(f"mock-interview: serving http://{args.host}:{args.port} (data in {services.settings.home})", file=sys.stderr)
    warm_up(services)  # the page is already served; the first interview should not wait for this
    try:
        app.block_thread()
    except KeyboardInterrupt:
        pass
    finally:
        app.close()
    return 0


def warm_up(services: Services) -> None:
    """Open the index, pick the examiner and compile the graph while nobody is waiting."""
    services.knowledge  # noqa: B018
    examiner = services.examiner
    services.interviewer  # noqa: B018
    for warning in services.warnings:
        print(f"mock-interview: {warning}", file=sys.stderr)
    print(f"mock-interview: {examiner.name} examiner ready", file=sys.stderr)


def hash_password(services: Services, args: argparse.Namespace) -> int:
    from ui.auth import hash_line

    name = check_user(args.name)
    password = getpass.getpass(f"Password for {name}: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    if len(password) < 8:
        raise UsageError("use a password of at least 8 characters")
    print(hash_line(name, password))
    return 0
