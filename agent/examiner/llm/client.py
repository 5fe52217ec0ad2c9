"""Building the chat model from settings, and checking the endpoint before a session."""

from __future__ import annotations

from typing import Any

from agent.examiner.llm.errors import describe_failure
from agent.settings import Settings

PROBE_TIMEOUT = 10.0
HOSTED_DEADLINE = 30.0  # api.openai.com: a reply takes a few seconds, a retry fits
LOCAL_DEADLINE = 120.0  # a CPU server writes tens of tokens a second; a 900-token reply can take a minute


class LLMUnavailable(RuntimeError):
    """The configured endpoint cannot be used; the message is one line without the key."""


def call_deadline(settings: Settings) -> float:
    """Seconds for one answer's model calls: the setting, or the default for this kind of endpoint."""
    if settings.llm_timeout is not None:
        return settings.llm_timeout
    return LOCAL_DEADLINE if is_self_hosted(settings) else HOSTED_DEADLINE


def build_chat_model(settings: Settings) -> Any:
    """A ChatOpenAI client. Its own retries are off: ``calls.ModelCalls`` is the one retry
    layer, within one deadline per answer (each request gets what is left of it)."""
    from langchain_openai import ChatOpenAI

    assert settings.openai_api_key is not None
    return ChatOpenAI(
        model=settings.model,
        api_key=settings.openai_api_key,
        base_url=settings.openai_base_url,
        temperature=settings.temperature,
        timeout=call_deadline(settings),
        max_retries=0,
        max_completion_tokens=settings.max_reply_tokens,
        stream_usage=True,
    )


def probe(settings: Settings) -> None:
    """One cheap request (list models) so a wrong URL or key is reported at start."""
    import openai

    assert settings.openai_api_key is not None
    secret = settings.openai_api_key.get_secret_value()
    client = openai.OpenAI(
        api_key=secret,
        base_url=settings.openai_base_url,
        timeout=min(PROBE_TIMEOUT, call_deadline(settings)),
        max_retries=0,
    )
    where = endpoint_host(settings)
    try:
        client.models.list()
    except openai.NotFoundError:
        raise LLMUnavailable(f"LLM endpoint {where} has no /models: check that OPENAI_BASE_URL ends with /v1") from None
    except Exception as exc:  # noqa: BLE001 - every failure becomes one line
        raise LLMUnavailable(f"LLM endpoint {where} unusable: {describe_failure(exc, secret)}") from None
    finally:
        client.close()


def endpoint_host(settings: Settings) -> str:
    """host[:port] of the endpoint, never the user:password a URL may carry."""
    from urllib.parse import urlparse

    if not settings.openai_base_url:
        return "api.openai.com"
    url = urlparse(settings.openai_base_url)
    return f"{url.hostname}:{url.port}" if url.port else str(url.hostname)


def endpoint_label(settings: Settings) -> str:
    return f"{settings.model} at {endpoint_host(settings)}"


def is_self_hosted(settings: Settings) -> bool:
    return bool(settings.openai_base_url) and "api.openai.com" not in (settings.openai_base_url or "")
