"""Launching the web app on a free loopback port for tests and benchmarks."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from typing import Any

from agent.services import Services


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def launch(services: Services, auth: Callable[[str, str], bool] | None = None) -> tuple[Any, str]:
    """(app, url) of a running app; call ``app.close()`` when done."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    from ui.app import build_app
    from ui.render import CSS

    app = build_app(services, auth_enabled=auth is not None)
    app.queue(default_concurrency_limit=8)
    port = free_port()
    app.launch(
        prevent_thread_lock=True,
        server_name="127.0.0.1",
        server_port=port,
        quiet=True,
        auth=auth,
        css=CSS,
        allowed_paths=[str(services.settings.home / "exports")],
    )
    return app, f"http://127.0.0.1:{port}/"
