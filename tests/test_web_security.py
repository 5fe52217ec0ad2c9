"""Login throttling and private files, through the real endpoints of a launched app."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from gradio_client import Client
from ui_server import launch

from agent.services import Services
from ui.auth import UsersFile, hash_line
from ui.guard import LoginThrottle

PASSWORDS = {"asha": "correct horse battery", "ravi": "staple battery horse"}


@pytest.fixture
def users_file(tmp_path: Path) -> Path:
    path = tmp_path / "users.txt"
    path.write_text("".join(hash_line(u, p) + "\n" for u, p in PASSWORDS.items()), encoding="utf-8")
    return path


@pytest.fixture
def app_url(interview_services: Services, users_file: Path) -> Iterator[str]:
    app, url = launch(interview_services, auth=UsersFile(users_file))
    yield url
    app.close()


def _login(url: str, user: str, password: str) -> httpx.Response:
    return httpx.post(f"{url}login", data={"username": user, "password": password}, timeout=30)


def test_wrong_passwords_are_throttled_with_growing_waits(app_url: str) -> None:
    for _ in range(5):
        assert _login(app_url, "asha", "wrong password").status_code == 400
    refused = _login(app_url, "asha", PASSWORDS["asha"])  # even the right password must wait now
    assert refused.status_code == 429
    assert refused.json()["detail"] == "Too many login attempts: wait 1 s and try again."
    time.sleep(1.1)
    assert _login(app_url, "asha", PASSWORDS["asha"]).status_code == 200
    # The address keeps its count: the next wrong guess, at any name, waits twice as long.
    assert _login(app_url, "nobody", "guess").status_code == 400
    again = _login(app_url, "ravi", "guess")
    assert again.status_code == 429 and "wait 2 s" in again.json()["detail"]


def test_an_unknown_name_costs_the_same_work_as_a_known_one(users_file: Path) -> None:
    def timed(name: str) -> float:
        users = UsersFile(users_file, LoginThrottle())
        started = time.perf_counter()
        assert users.check(name, "wrong password") is False
        return time.perf_counter() - started

    known = [timed("asha") for _ in range(5)]
    unknown = [timed("no-such-user") for _ in range(5)]
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.5 < ratio < 2.0, (known, unknown)


def _file_url(update: dict[str, Any]) -> str:
    value = update["value"]
    return str(value["url"] if isinstance(value, dict) else value)


def test_another_user_cannot_fetch_or_ingest_my_files(
    app_url: str, interview_services: Services, tmp_path: Path
) -> None:
    asha = Client(app_url, verbose=False, auth=("asha", PASSWORDS["asha"]), download_files=False)
    asha.predict("asha", "product", 1, "mixed", api_name="/start")
    table = asha.predict("asha", api_name="/sessions")[0]
    session_id = (table["data"] if isinstance(table, dict) else table)[0][-1]
    _markdown, md_update, _json_update = asha.predict("asha", session_id, api_name="/transcript")
    url = _file_url(md_update)

    exports = interview_services.settings.home / "exports"
    written = sorted(exports.glob("asha-*/export-*/interview-*.md"))
    assert len(written) == 1 and written[0].stat().st_mode & 0o777 == 0o600
    assert (interview_services.settings.home / "web-files").stat().st_mode & 0o777 == 0o700

    cookies = {u: _login(app_url, u, p).cookies for u, p in PASSWORDS.items()}
    assert httpx.get(url, cookies=cookies["asha"], timeout=30).status_code == 200
    assert httpx.get(url, cookies=cookies["ravi"], timeout=30).status_code == 403
    direct = f"{app_url}gradio_api/file={written[0]}"  # the original, by its path in the data folder
    assert httpx.get(direct, cookies=cookies["ravi"], timeout=30).status_code == 403

    notes = tmp_path / "asha-notes.md"
    notes.write_text("# Asha's notes\n\nPrivate plans about Triton servers.\n", encoding="utf-8")
    with notes.open("rb") as handle:
        uploaded = httpx.post(
            f"{app_url}gradio_api/upload", files={"files": handle}, cookies=cookies["asha"], timeout=30
        ).json()[0]
    assert httpx.get(f"{app_url}gradio_api/file={uploaded}", cookies=cookies["ravi"], timeout=30).status_code == 403
    file_data = {"path": uploaded, "meta": {"_type": "gradio.FileData"}}
    # Ravi names Asha's uploaded file by its path (no upload of his own, which gradio_client would make).
    assert "Only files you uploaded can be added" in _call(app_url, "ingest", ["ravi", [file_data]], cookies["ravi"])
    assert "Added asha-notes.md" in _call(app_url, "ingest", ["asha", [file_data]], cookies["asha"])


def _call(url: str, api_name: str, data: list[Any], cookies: httpx.Cookies) -> str:
    """An event through Gradio's REST API (the queue), as any HTTP client can send it: the raw stream."""
    with httpx.Client(cookies=cookies, timeout=60) as http:
        event = http.post(f"{url}gradio_api/call/{api_name}", json={"data": data}).json()["event_id"]
        return http.get(f"{url}gradio_api/call/{api_name}/{event}").text
