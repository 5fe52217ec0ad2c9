"""What went wrong talking to a model: a short name for tools, one key-free line for people.

Every failure of an answer's model call becomes a :class:`ModelFailure` with a reason from
``FallbackReason`` (``timeout``, ``token_limit``, ``nonsense_reply`` ...) and a detail written
here, never an exception's own text: a server's message can be long, carry the request, or
echo the key.
"""

from __future__ import annotations

from typing import get_args

from agent.records import CallUsage, FallbackReason
from knowledge.errors import redact

# Worth another request: the same request may well succeed a moment later.
TRANSIENT: frozenset[FallbackReason] = frozenset({"rate_limited", "server_error", "connection"})
# The reply arrived but is unusable: asked for once more (a sampled reply differs each time).
BAD_REPLY: frozenset[FallbackReason] = frozenset({"token_limit", "schema_mismatch", "nonsense_reply"})
REASONS: tuple[FallbackReason, ...] = get_args(FallbackReason)


class ModelFailure(Exception):
    def __init__(self, reason: FallbackReason, detail: str, retry_after: float | None = None) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason: FallbackReason = reason
        self.detail = detail
        self.retry_after = retry_after  # seconds the server asked us to wait (429, 503)

    @property
    def line(self) -> str:
        return f"{self.reason}: {self.detail}"


def _retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    value = getattr(response, "headers", {}).get("retry-after") if response is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: treated as "no advice"


def classify(exc: BaseException) -> ModelFailure:
    """The named reason for an exception raised by the OpenAI client or LangChain."""
    import httpx
    import openai

    if isinstance(exc, ModelFailure):
        return exc
    if isinstance(exc, openai.APITimeoutError):
        return ModelFailure("timeout", "no reply within the time limit")
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return ModelFailure("rejected_key", "the API key was rejected")
    if isinstance(exc, openai.RateLimitError):
        return ModelFailure("rate_limited", "rate limited (HTTP 429)", _retry_after(exc))
    if isinstance(exc, openai.NotFoundError):
        return ModelFailure("not_found", "model or endpoint not found (HTTP 404)")
    if isinstance(exc, openai.APIStatusError):
        if exc.status_code >= 500:
            return ModelFailure("server_error", f"server error (HTTP {exc.status_code})", _retry_after(exc))
        return ModelFailure("request_rejected", f"request rejected (HTTP {exc.status_code})")
    if isinstance(exc, openai.APIConnectionError):
        return ModelFailure("connection", "could not connect to the endpoint")
    if isinstance(exc, httpx.TimeoutException):  # a streamed reply that stopped arriving
        return ModelFailure("timeout", "no reply within the time limit")
    if isinstance(exc, httpx.TransportError):
        return ModelFailure("connection", "the connection broke during the reply")
    if isinstance(exc, openai.LengthFinishReasonError):
        return ModelFailure("token_limit", "the reply stopped at the token cap")
    return ModelFailure("unexpected", f"unexpected {type(exc).__name__}")


def describe_failure(exc: BaseException, secret: str | None = None) -> str:
    """One key-free line for a failure outside an answer's call (the start-up probe)."""
    failure = classify(exc)
    return redact(failure.detail, secret)


def fallback_reason(usage: CallUsage | None) -> FallbackReason | None:
    """Why an answer the LLM examiner was asked about was assessed offline (None: it was not)."""
    if not usage:
        return None
    if "fallback_reason" in usage:
        return usage["fallback_reason"]
    return "unexpected" if usage.get("failed") else None  # recorded before reasons were named
