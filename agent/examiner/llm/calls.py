"""One answer's requests to the model: the wire format per method, one deadline, one retry layer.

- **The wire format** is sent as the endpoint accepts it. ``json_schema`` and ``json_mode``
  go as ``response_format``; ``function_calling`` as one tool, forced with ``tool_choice``:
  the object form for api.openai.com, the string ``"required"`` elsewhere (llama.cpp's
  server takes only a string and silently treats the object as ``"auto"``).
  ``response_format`` travels in ``extra_body`` so LangChain makes the plain request: its
  parse helpers raise on a length stop and lose the reply's token counts.
- **One deadline per answer** (``MOCK_INTERVIEW_LLM_TIMEOUT``) covers every attempt: each
  request gets what is left of it as its timeout, and a streamed reply is abandoned when
  the deadline passes even if tokens still trickle in (a per-read timeout never fires then).
- **One retry layer**: the OpenAI client's own retries are off. Transient faults (429, 5xx,
  a dropped connection) are retried up to ``MOCK_INTERVIEW_LLM_RETRIES`` times while the
  deadline allows, honouring Retry-After; an unusable reply (a length stop, the wrong shape,
  nonsense) is asked for once more; a timeout is not retried (the deadline is spent), nor a
  rejected key or request (they would fail the same way).
- **Tokens are counted for every reply the server finished**, used or rejected.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from pydantic import BaseModel

from agent.examiner.llm.errors import BAD_REPLY, TRANSIENT, ModelFailure, classify
from agent.examiner.llm.streaming import JsonFieldStream
from agent.records import CallUsage

StructuredOutput = Literal["json_schema", "function_calling", "json_mode"]
Reply = TypeVar("Reply", bound=BaseModel)
T = TypeVar("T")
BAD_REPLY_ATTEMPTS = 2
BACKOFF = 0.5  # seconds before the first transient retry without Retry-After; doubles
MIN_ATTEMPT_SECONDS = 0.2  # not worth starting a request with less time than this left
HOLD_WORDS = 5  # a streamed message is shown once it has this many words (a one-word reply never is)


@dataclass(frozen=True)
class CallPolicy:
    method: StructuredOutput
    self_hosted: bool
    max_reply_tokens: int
    deadline: float  # seconds for all of one answer's requests
    retries: int  # extra requests after a transient fault


@dataclass
class _Raw:
    text: str
    finish_reason: str | None


class _HeldBack:
    """Forwards streamed text once it has a few words, so a reply of one word never shows."""

    def __init__(self, forward: Callable[[str], None]) -> None:
        self.forward = forward
        self.held = ""
        self.open = False

    def __call__(self, piece: str) -> None:
        if self.open:
            self.forward(piece)
            return
        self.held += piece
        if len(self.held.split()) > HOLD_WORDS:
            self.open = True
            self.forward(self.held)


class Deadline:
    def __init__(self, seconds: float, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.started = clock()
        self.at = self.started + seconds
        self.seconds = seconds

    def left(self) -> float:
        return self.at - self.clock()

    def expired(self) -> ModelFailure:
        return ModelFailure("timeout", f"no reply within the {self.seconds:g} s limit")


class ModelCalls:
    def __init__(
        self,
        chat_model: Any,
        policy: CallPolicy,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.chat_model = chat_model
        self.policy = policy
        self.clock = clock
        self.sleep = sleep

    def deadline(self) -> Deadline:
        return Deadline(self.policy.deadline, self.clock)

    # --- the two kinds of call --------------------------------------------------------

    def structured(
        self,
        messages: list[Any],
        name: str,
        schema: dict[str, Any],
        parse: Callable[[str], Reply],
        usage: CallUsage,
        deadline: Deadline,
        on_message: Callable[[str], None] | None = None,
    ) -> Reply:
        """A reply in ``schema``, parsed and checked by ``parse`` (which raises ModelFailure)."""
        return self._attempts(
            lambda first: self._send(
                messages, self._format(name, schema), usage, deadline, on_message if first else None
            ),
            parse,
            deadline,
        )

    def text(
        self,
        messages: list[Any],
        check: Callable[[str], str],
        usage: CallUsage,
        deadline: Deadline,
        max_tokens: int,
        on_text: Callable[[str], None] | None = None,
    ) -> str:
        """A short free-text reply (the two-step mode's message), checked by ``check``."""
        return self._attempts(
            lambda first: self._send(
                messages, {"max_completion_tokens": max_tokens}, usage, deadline, on_text if first else None, raw=True
            ),
            check,
            deadline,
        )

    # --- attempts -----------------------------------------------------------------------

    def _attempts(self, send: Callable[[bool], _Raw], parse: Callable[[str], T], deadline: Deadline) -> T:
        bad_replies, transient = 0, 0
        while True:
            if deadline.left() < MIN_ATTEMPT_SECONDS:
                raise deadline.expired()
            try:
                raw = send(bad_replies == 0 and transient == 0)  # only the first attempt streams
                if raw.finish_reason == "length":
                    raise ModelFailure("token_limit", "the reply stopped at the token cap")
                return parse(raw.text)
            except Exception as exc:  # noqa: BLE001 - every failure is named, then retried or raised
                failure = classify(exc)
            if failure.reason == "timeout":
                raise deadline.expired() from None
            if failure.reason in BAD_REPLY and bad_replies + 1 < BAD_REPLY_ATTEMPTS:
                bad_replies += 1
                continue
            if failure.reason in TRANSIENT and transient < self.policy.retries:
                wait = failure.retry_after if failure.retry_after is not None else BACKOFF * 2**transient
                if wait < deadline.left() - MIN_ATTEMPT_SECONDS:
                    transient += 1
                    self.sleep(wait)
                    continue
            raise failure

    def sent_schema(self, name: str, schema: dict[str, Any]) -> Any:
        """The part of a request that carries the reply schema, as this method sends it
        (a tool list, or a response_format; json_mode sends no schema)."""
        options = self._format(name, schema)
        return options.get("tools") or options["extra_body"]["response_format"]

    # --- one request ----------------------------------------------------------------------

    def _format(self, name: str, schema: dict[str, Any]) -> dict[str, Any]:
        policy = self.policy
        cap = {"max_completion_tokens": policy.max_reply_tokens}
        if policy.method == "json_mode":
            return {**cap, "extra_body": {"response_format": {"type": "json_object"}}}
        if policy.method == "json_schema":
            response_format = {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}
            return {**cap, "extra_body": {"response_format": response_format}}
        tool = {"type": "function", "function": {"name": name, "parameters": schema, "strict": True}}
        if policy.self_hosted:
            return {**cap, "tools": [tool], "tool_choice": "required"}
        return {
            **cap,
            "tools": [tool],
            "tool_choice": {"type": "function", "function": {"name": name}},
            "parallel_tool_calls": False,
        }

    def _send(
        self,
        messages: list[Any],
        options: dict[str, Any],
        usage: CallUsage,
        deadline: Deadline,
        forward: Callable[[str], None] | None,
        raw: bool = False,
    ) -> _Raw:
        usage["requests"] = usage.get("requests", 0) + 1
        options = {**options, "timeout": max(MIN_ATTEMPT_SECONDS, deadline.left())}
        tool = "tools" in options
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Pydantic serializer warnings", category=UserWarning)
            if forward is None:
                message = self.chat_model.invoke(messages, **options)
            else:
                message = self._stream(messages, options, deadline, forward, tool, raw)
        meta = message.usage_metadata or {}
        usage["input_tokens"] = usage.get("input_tokens", 0) + int(meta.get("input_tokens", 0))
        usage["output_tokens"] = usage.get("output_tokens", 0) + int(meta.get("output_tokens", 0))
        finish = (message.response_metadata or {}).get("finish_reason")
        if not tool:
            content = message.content if isinstance(message.content, str) else ""
            return _Raw(content, finish)
        calls = _tool_arguments(message)
        if calls is None:
            if finish == "length":
                return _Raw("", finish)
            raise ModelFailure("schema_mismatch", "the reply made no tool call")
        return _Raw(calls, finish)

    def _stream(
        self,
        messages: list[Any],
        options: dict[str, Any],
        deadline: Deadline,
        forward: Callable[[str], None],
        tool: bool,
        raw: bool,
    ) -> Any:
        shown = _HeldBack(forward)
        field = None if raw else JsonFieldStream("message")
        total = None
        chunks: Iterator[Any] = self.chat_model.stream(messages, **options)
        try:
            for chunk in chunks:
                total = chunk if total is None else total + chunk
                if deadline.left() <= 0:
                    raise deadline.expired()
                pieces = [c["args"] for c in chunk.tool_call_chunks if c.get("args")] if tool else [chunk.content]
                for piece in pieces:
                    if isinstance(piece, str) and piece:
                        text = piece if field is None else field.feed(piece)
                        if text:
                            shown(text)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()  # an abandoned stream closes its connection
        if total is None:
            raise ModelFailure("schema_mismatch", "the reply was empty")
        return total


def _tool_arguments(message: Any) -> str | None:
    """The JSON arguments of the reply's first tool call, as text (invoked or streamed)."""
    import json

    chunks = getattr(message, "tool_call_chunks", None) or []
    if chunks and isinstance(chunks[0].get("args"), str):
        return str(chunks[0]["args"])
    if message.tool_calls:  # LangChain parsed the arguments
        return json.dumps(message.tool_calls[0]["args"])
    for call in message.invalid_tool_calls:  # arguments that are not JSON
        return str(call.get("args") or "")
    return None
