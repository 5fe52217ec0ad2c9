"""A local OpenAI-compatible server for tests and benchmarks: real HTTP on loopback.

It speaks the parts of the Chat Completions API the product uses — JSON-schema and
json_object replies, forced tool calls, plain text, SSE streaming with a usage chunk,
``/v1/models`` and bearer-key checks — and plays a script of behaviours, one per request, for
fault injection: a delay past the client's timeout, 429 with Retry-After, 500, malformed
JSON, a reply that violates the schema, a dropped connection, and the failure modes seen on
a real llama.cpp server with a tiny model: schema-valid nonsense, a length stop at the
reply cap (with the tokens it cost), a reply that trickles in slowly. With
``string_tool_choice_only`` it treats ``tool_choice`` as llama-server does: only a string is
understood, the object form is silently taken as "auto" and the model answers in text.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = dict[str, Any]
Responder = Callable[[dict[str, Any]], Reply]


def _user_text(request: dict[str, Any]) -> str:
    return "\n".join(str(m.get("content", "")) for m in request.get("messages", []) if m.get("role") == "user")


def _answer(text: str) -> str:
    return text.split("<<<ANSWER", 1)[-1].split("ANSWER>>>", 1)[0].strip()


def reply_name(request: dict[str, Any]) -> str | None:
    """The schema's name ("InterviewerTurn", "Judgement"), or None for a plain text request."""
    tools = request.get("tools") or []
    if tools:
        return str(tools[0]["function"]["name"])
    form = request.get("response_format") or {}
    if form.get("type") == "json_schema":
        return str(form["json_schema"]["name"])
    return "InterviewerTurn" if form.get("type") == "json_object" else None


def generous_grader(request: dict[str, Any]) -> Reply:
    """A model that loves every answer: all points covered (quoting the answer's opening as
    evidence), 10/10, a follow-up question. For the two-step mode's first call it returns the
    judgement alone, and for its plain-text call a question (``{"text": ...}``)."""
    text = _user_text(request)
    name = reply_name(request)
    if name is None:
        return {"text": "You said the core idea clearly. How would you measure it in production?"}
    answer = _answer(text)
    ids = re.findall(r"^- ([a-z0-9_]+): ", text, flags=re.M)
    passage = re.search(r"^\[(P\d+)\] [^\n]*\n([^\n]{20,})", text, flags=re.M)
    citations = [{"passage": passage.group(1), "quote": passage.group(2)[:40]}] if passage else []
    judgement: Reply = {
        "key_points": {i: {"covered": True, "evidence": " ".join(answer.split()[:8])} for i in ids},
        "dimensions": {"definition": 2, "intuition": 2, "example": 2, "tradeoffs": 2, "measurement": 2},
        "score": 10,
        "critique": "Excellent, complete answer: clear definition, a real example and the right metric.",
        "next_action": "follow_up",
    }
    if name == "Judgement":
        return judgement
    return {
        **judgement,
        "citations": citations,
        "message": "You mentioned the core idea clearly. How would you measure it in production?",
    }


def nonsense(request: dict[str, Any]) -> Reply:
    """What SmolLM2-135M wrote under a schema that did not bound it: every field of the right
    type, none of them meaningful."""
    ids = re.findall(r"^- ([a-z0-9_]+): ", _user_text(request), flags=re.M)
    return {
        "key_points": {i: {"covered": True, "evidence": ""} for i in ids},
        "dimensions": {"definition": -1000, "intuition": 0, "example": 0, "tradeoffs": 0, "measurement": 0},
        "score": -1,
        "critique": "2",
        "citations": [],
        "next_action": "follow_up",
        "message": "GANs",
    }


@dataclass
class Behaviour:
    kind: str = "reply"  # reply | delay | status | malformed | schema | drop | text | nonsense | length | slow
    reply: Reply | None = None
    seconds: float = 0.0  # delay: before the reply; slow: between streamed pieces
    status: int = 500
    retry_after: float | None = None
    text: str = ""


@dataclass
class StubState:
    api_key: str
    responder: Responder = generous_grader
    latency: float = 0.0
    string_tool_choice_only: bool = False  # as llama-server: an object tool_choice means "auto"
    script: list[Behaviour] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_behaviour(self) -> Behaviour:
        with self.lock:
            return self.script.pop(0) if self.script else Behaviour()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # keep test output clean
        return

    def _json(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _authorised(self) -> bool:
        if self.headers.get("Authorization") == f"Bearer {self.server.state.api_key}":
            return True
        provided = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        # Echo the key back, as careless servers do: the product must still never show it.
        message = f"Incorrect API key provided: {provided}."
        error = {"message": message, "type": "invalid_request_error", "code": "invalid_api_key"}
        self._json(401, {"error": error})
        return False

    def do_GET(self) -> None:
        if not self._authorised():
            return
        if self.path.rstrip("/").endswith("/models"):
            self._json(200, {"object": "list", "data": [{"id": "stub-model", "object": "model", "owned_by": "tests"}]})
        else:
            self._json(404, {"error": {"message": "not found"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        request = json.loads(self.rfile.read(length) or b"{}")
        state = self.server.state
        with state.lock:
            state.requests.append(request)
        if not self._authorised():
            return
        behaviour = state.next_behaviour()
        if state.latency:
            time.sleep(state.latency)
        if behaviour.kind == "delay":
            time.sleep(behaviour.seconds)
        if behaviour.kind == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if behaviour.kind == "status":
            headers = {"Retry-After": str(behaviour.retry_after)} if behaviour.retry_after is not None else {}
            self._json(
                behaviour.status,
                {"error": {"message": f"injected {behaviour.status}", "type": "server_error"}},
                headers,
            )
            return
        piece_delay = behaviour.seconds if behaviour.kind == "slow" else 0.0
        finish = "stop"
        if behaviour.kind == "malformed":
            content = '{"key_points": [ {"id": '
        elif behaviour.kind == "schema":
            content = json.dumps({"score": "high", "message": 42})
        elif behaviour.kind == "text":
            content = behaviour.text
        elif behaviour.kind == "nonsense":
            content = json.dumps(nonsense(request))
        elif behaviour.kind == "length":
            # A model that loops inside a string until the reply cap stops it.
            cap = int(request.get("max_completion_tokens") or request.get("max_tokens") or 900)
            content = '{"key_points": {}, "critique": "' + "and the generator " * cap
            content, finish = content[: cap * 4], "length"
        else:
            reply = behaviour.reply or state.responder(request)
            content = reply["text"] if set(reply) == {"text"} else json.dumps(reply)
        self._complete(request, content, finish, piece_delay)

    def _complete(self, request: dict[str, Any], content: str, finish_reason: str, piece_delay: float) -> None:
        tools = request.get("tools") or []
        if self.server.state.string_tool_choice_only and not isinstance(request.get("tool_choice"), str):
            tools = []  # "auto": this model answers in text instead of calling the tool
        prompt_tokens = sum(len(str(m.get("content", ""))) for m in request.get("messages", [])) // 4
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": len(content) // 4,
            "total_tokens": prompt_tokens + len(content) // 4,
        }
        base = {"id": "chatcmpl-stub", "created": int(time.time()), "model": request.get("model", "stub-model")}
        tool_name = tools[0]["function"]["name"] if tools else None
        if not request.get("stream"):
            message: dict[str, Any] = {"role": "assistant", "content": None if tool_name else content}
            if tool_name:
                message["tool_calls"] = [
                    {"id": "call_1", "type": "function", "function": {"name": tool_name, "arguments": content}}
                ]
            finish = "tool_calls" if tool_name and finish_reason == "stop" else finish_reason
            self._json(
                200,
                {
                    **base,
                    "object": "chat.completion",
                    "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                    "usage": usage,
                },
            )
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

        def send(chunk: dict[str, Any]) -> None:
            self.wfile.write(f"data: {json.dumps({**base, 'object': 'chat.completion.chunk', **chunk})}\n\n".encode())
            self.wfile.flush()

        send(
            {
                "choices": [
                    {
                        "index": 0,
                        "delta": {"role": "assistant", "content": "" if not tool_name else None},
                        "finish_reason": None,
                    }
                ]
            }
        )
        pieces = [content[i : i + 7] for i in range(0, len(content), 7)]
        for n, piece in enumerate(pieces):
            if tool_name:
                call: dict[str, Any] = {"index": 0, "function": {"arguments": piece}}
                if n == 0:
                    call.update(
                        {"id": "call_1", "type": "function", "function": {"name": tool_name, "arguments": piece}}
                    )
                delta: dict[str, Any] = {"tool_calls": [call]}
            else:
                delta = {"content": piece}
            send({"choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
            if piece_delay:
                time.sleep(piece_delay)
        last = "tool_calls" if tool_name and finish_reason == "stop" else finish_reason
        send({"choices": [{"index": 0, "delta": {}, "finish_reason": last}]})
        if (request.get("stream_options") or {}).get("include_usage"):
            send({"choices": [], "usage": usage})
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: StubState


class OpenAIStub:
    """``with OpenAIStub("sk-test") as stub:`` then point the client at ``stub.base_url``."""

    def __init__(
        self, api_key: str = "sk-test-stub-key", latency: float = 0.0, string_tool_choice_only: bool = False
    ) -> None:
        self.state = StubState(api_key=api_key, latency=latency, string_tool_choice_only=string_tool_choice_only)
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.state = self.state
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    @property
    def requests(self) -> list[dict[str, Any]]:
        return self.state.requests

    def script(self, *behaviours: Behaviour) -> None:
        with self.state.lock:
            self.state.script.extend(behaviours)

    def __enter__(self) -> OpenAIStub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
