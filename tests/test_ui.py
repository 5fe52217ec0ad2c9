"""The web app end to end through gradio_client against a launched app (real HTTP)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gradio_client import Client
from ui_server import launch

from agent.records import DIMENSIONS
from agent.services import Services

ANSWER = (
    "Tokenization splits text into subword pieces, so rare words still encode compactly. For example, in my "
    "project a long product name became five tokens. Token count drives latency and billing, so we budgeted the "
    "context and truncated old turns, at the cost of some recall; we measured cost per request and p95 latency."
)


@pytest.fixture
def web(interview_services: Services) -> Iterator[str]:
    app, url = launch(interview_services)
    yield url
    app.close()


def _text(message: dict[str, Any]) -> str:
    content = message["content"]
    return content if isinstance(content, str) else "".join(part.get("text", "") for part in content)


def _interview(url: str, user: str, tmp: Path, answers: int = 2) -> dict[str, Any]:
    client = Client(url, verbose=False, download_files=str(tmp))
    chat, *_rest = client.predict(user, "data_scientist", 2, "mixed", api_name="/start")
    assert "Data scientist mock interview" in _text(chat[0])
    out: Any = None
    for _ in range(answers):
        out = client.predict(ANSWER, chat, user, api_name="/send")
        chat = out[0]
    final = client.predict(chat, user, api_name="/end")
    sessions = client.predict(user, api_name="/sessions")
    return {
        "client": client,
        "chat": final[0],
        "feedback": out[2],
        "report": final[4],
        "status": final[7],
        "sessions": sessions,
    }


def test_a_whole_interview_with_feedback_report_and_export(web: str, tmp_path: Path) -> None:
    run = _interview(web, "asha", tmp_path)
    feedback = run["feedback"]
    assert 'class="mi-verdict"' in feedback and "<h4>Missing or wrong</h4>" in feedback
    assert "mi-citation" in feedback and "What worked" not in feedback and "<li>—</li>" not in feedback
    assert run["report"].startswith('<div class="mi-report"><h3>Report:')
    assert "Examiner: offline" in run["status"]
    assert any("end of the interview" in _text(m) for m in run["chat"])
    table = run["sessions"][0]
    rows = table["data"] if isinstance(table, dict) else table
    assert len(rows) == 1
    session_id = rows[0][-1]
    markdown, md_update, json_update = run["client"].predict("asha", session_id, api_name="/transcript")
    md_file, json_file = md_update["value"], json_update["value"]  # DownloadButton updates carry the file
    assert markdown.startswith(f"# Mock interview {session_id}")
    assert Path(md_file).read_text(encoding="utf-8").rstrip() == markdown.replace("&lt;", "<").rstrip()
    exported = json.loads(Path(json_file).read_text(encoding="utf-8"))
    assert exported["session_id"] == session_id and exported["user"] == "asha"
    assert exported["report"]["overall"] >= 0


def test_two_users_in_parallel_stay_apart(web: str, tmp_path: Path) -> None:
    results: dict[str, Any] = {}
    errors: list[BaseException] = []

    def run(user: str) -> None:
        try:
            results[user] = _interview(web, user, tmp_path / user, answers=3)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(u,)) for u in ("asha", "ravi")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert not errors, errors
    ids = {}
    for user in ("asha", "ravi"):
        table = results[user]["sessions"][0]
        rows = table["data"] if isinstance(table, dict) else table
        assert len(rows) == 1
        ids[user] = rows[0][-1]
    assert ids["asha"] != ids["ravi"]
    from gradio_client.exceptions import AppError

    # The page only offers ravi his own sessions, and the handler checks ownership as well.
    with pytest.raises(AppError, match=r"not in the list of choices|belongs to another profile"):
        results["ravi"]["client"].predict("ravi", ids["asha"], api_name="/transcript")


def test_handlers_refuse_another_users_session(interview_services: Services) -> None:
    from ui.handlers import Handlers, UIError

    handlers = Handlers(interview_services)
    session_id, _chat = handlers.start("asha", "product", 1, "mixed")
    with pytest.raises(UIError, match="belongs to another profile"):
        handlers.transcript("ravi", session_id)
    with pytest.raises(UIError, match="belongs to another profile"):
        list(handlers.send("ravi", session_id, "my answer"))
    with pytest.raises(UIError, match="invalid user name"):
        handlers.user("<script>", None)


def test_with_login_the_identity_comes_from_the_login(interview_services: Services, tmp_path: Path) -> None:
    from ui.auth import UsersFile, hash_line

    users = tmp_path / "users.txt"
    users.write_text(hash_line("asha", "correct horse battery") + "\n", encoding="utf-8")
    app, url = launch(interview_services, auth=UsersFile(users))
    try:
        with pytest.raises(Exception):  # noqa: B017 - the client raises for a refused login
            Client(url, verbose=False, auth=("asha", "wrong password"))
        client = Client(url, verbose=False, auth=("asha", "correct horse battery"), download_files=str(tmp_path))
        client.predict("mallory", "product", 1, "mixed", api_name="/start")  # the typed profile is ignored
        assert [s["user"] for s in interview_services.transcripts.sessions()] == ["asha"]
    finally:
        app.close()


def test_progress_dismiss_guide_search_and_upload(web: str, tmp_path: Path) -> None:
    client = Client(web, verbose=False, download_files=str(tmp_path))
    chat = client.predict("meera", "product", 2, "mixed", api_name="/start")[0]
    for _ in range(6):
        out = client.predict("I am not sure, something about models.", chat, "meera", api_name="/send")
        chat = out[0]
        if out[4]:  # the report appeared
            break
    assert out[4].startswith('<div class="mi-report">')
    mastery, overall, weak, choices, dimensions, change = client.predict("meera", api_name="/progress")
    assert mastery.count('class="mi-hbar"') >= 1 and "/10" in mastery  # one bar row per topic
    assert overall["data"][0][2] == float(out[4].split("Report: ")[1].split("/")[0])  # plotted
    assert overall["data"][0][0].startswith("1 · ")  # whole sessions, with their date
    assert {row[1] for row in dimensions["data"]} == set(DIMENSIONS) and change == ""  # one session: no change yet
    weak_rows = weak["data"] if isinstance(weak, dict) else weak
    assert weak_rows, "a struggling first session leaves weak areas"
    topic = choices["choices"][0][1]
    note, *_ = client.predict("meera", topic, api_name="/dismiss")
    assert note.startswith("Dismissed")
    results = client.predict("meera", "how do I fix mode collapse", api_name="/search")
    assert "Mode collapse" in results and "from the guide" in results

    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    notes = tmp_path / "jd.md"
    notes.write_text("# Role\n\nYou will run Triton inference servers.\n", encoding="utf-8")
    added = client.predict("meera", [handle_file(str(notes))], api_name="/ingest")
    assert added.startswith("Added jd.md")
    assert "your file jd.md" in client.predict("meera", "Triton inference servers", api_name="/search")
    empty = tmp_path / "empty.md"
    empty.write_text(" \n", encoding="utf-8")
    with pytest.raises(AppError, match="file is empty"):
        client.predict("meera", [handle_file(str(empty))], api_name="/ingest")


def test_only_uploaded_files_can_be_added(interview_services: Services, tmp_path: Path) -> None:
    from ui.handlers import Handlers, UIError

    secret = tmp_path / "users.txt"
    secret.write_text("asha:00:11\n", encoding="utf-8")
    uploads = tmp_path / "uploads"
    (uploads / "abc").mkdir(parents=True)
    (uploads / "abc" / "jd.md").write_text("# JD\n\nServe models with vLLM.\n", encoding="utf-8")
    handlers = Handlers(interview_services)
    with pytest.raises(UIError, match="Only files uploaded through this page"):
        handlers.ingest("mallory", [str(secret)], uploads)
    with pytest.raises(UIError, match="Only files uploaded through this page"):
        handlers.ingest("mallory", [str(uploads / "abc" / ".." / ".." / "users.txt")], uploads)
    assert handlers.ingest("mallory", [str(uploads / "abc" / "jd.md")], uploads).startswith("Added jd.md")


def test_the_app_with_an_llm_shows_the_model_and_streams(llm_services: Services, stub: Any, tmp_path: Path) -> None:
    app, url = launch(llm_services)
    try:
        client = Client(url, verbose=False, download_files=str(tmp_path))
        out = client.predict("asha", "ml_engineer", 1, "mixed", api_name="/start")
        assert "Examiner: LLM (gpt-4.1-mini at 127.0.0.1:" in out[6]
        job = client.submit(ANSWER, out[0], "asha", api_name="/send")
        final = job.result(timeout=60)
        updates = job.outputs()
        assert len(updates) > 3  # the reply arrived in pieces
        partial = [_text(m) for m in updates[1][0] if m["role"] == "assistant"][-1]
        assert 0 < len(partial) < len("You mentioned the core idea clearly. How would you measure it in production?")
        follow_up = [_text(m) for m in final[0] if m["role"] == "assistant"][-1]
        assert follow_up.startswith("You mentioned the core idea clearly.")
        assert stub.requests[-1]["stream"] is True  # the app asks for a streamed reply
        assert "tokens" in final[7]
    finally:
        app.close()
