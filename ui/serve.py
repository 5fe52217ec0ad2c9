"""Launching the web app: where Gradio keeps its files, the request guard, the queue.

Gradio copies every file it serves or receives into its cache folder (``GRADIO_TEMP_DIR``,
by default a world-readable folder under /tmp). Here that folder is ``<data>/web-files``
(mode 0700), so exports and uploads stay in the data folder, and the guard serves each
one only to its owner.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.services import Services
from knowledge.errors import StartupError

if TYPE_CHECKING:
    from ui.auth import UsersFile


def private_folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def check_port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise StartupError(f"cannot serve on {host}:{port}: {exc.strerror}; choose another --port") from None


def launch(services: Services, host: str, port: int, users: UsersFile | None = None) -> tuple[Any, str]:
    """(app, url) of the running app, not blocking; call ``app.close()`` when done."""
    home = services.settings.home
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # no calls home
    os.environ["GRADIO_TEMP_DIR"] = str(private_folder(home / "web-files"))
    private_folder(home / "exports")
    check_port_free(host, port)
    from starlette.middleware import Middleware

    from ui.app import build_app
    from ui.guard import PrivateFiles, RequestGuard
    from ui.render import CSS

    files = PrivateFiles()
    app = build_app(services, auth_enabled=users is not None, private=files)
    app.queue(default_concurrency_limit=8)
    try:
        app.launch(
            server_name=host,
            server_port=port,
            auth=users.check if users is not None else None,
            css=CSS,
            allowed_paths=[str(home / "exports")],
            show_error=True,
            quiet=True,
            prevent_thread_lock=True,
            app_kwargs={"middleware": [Middleware(RequestGuard, files=files, login=users is not None)]},
        )
    except OSError as exc:  # the port was taken between the check and the launch
        raise StartupError(f"cannot serve on {host}:{port}: {exc}") from None
    return app, f"http://{host}:{port}/"
