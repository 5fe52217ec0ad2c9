"""Short, key-free descriptions of what went wrong talking to a model."""

from __future__ import annotations

from knowledge.errors import redact


def describe_failure(exc: BaseException, secret: str | None = None) -> str:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return "no reply within the time limit"
    if isinstance(exc, openai.AuthenticationError):
        return "the API key was rejected"
    if isinstance(exc, openai.RateLimitError):
        return "rate limited (HTTP 429)"
    if isinstance(exc, openai.NotFoundError):
        return "model or endpoint not found (HTTP 404)"
    if isinstance(exc, openai.APIStatusError):
        kind = "server error" if exc.status_code >= 500 else "request rejected"
        return f"{kind} (HTTP {exc.status_code})"
    if isinstance(exc, openai.APIConnectionError):
        return "could not connect to the endpoint"
    name = type(exc).__name__
    if "Pars" in name or "Validation" in name or "JSON" in name or "OutputParser" in name:
        return "the reply was not valid structured output"
    first_line = (str(exc).splitlines() or [""])[0][:160]
    return redact(f"{name}: {first_line}", secret)
