"""Launching the web app on a free loopback port for tests and benchmarks."""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING, Any

from agent.services import Services

if TYPE_CHECKING:
    from ui.auth import UsersFile


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def launch(services: Services, auth: UsersFile | None = None) -> tuple[Any, str]:
    """(app, url) of a running app on a free loopback port; call ``app.close()`` when done."""
    from ui.serve import launch as serve

    return serve(services, "127.0.0.1", free_port(), auth)
