"""Building the chat model from settings, and checking the endpoint before a session."""

from __future__ import annotations

from typing import Any

from agent.examiner.llm.errors import describe_failure
from agent.settings import Settings

MAX_REPLY_TOKENS = 900
PROBE_TIMEOUT = 10.0


class LLMUnavailable(RuntimeError):
    """The configured endpoint cannot be used; the message is one line without the key."""


def build_chat_model(settings: Settings, streaming: bool) -> Any:
    """A ChatOpenAI client. Streaming costs ~0.5 ms per chunk in the SDK and LangChain, so
    it is used only when someone is watching the reply arrive."""
    from langchain_openai import ChatOpenAI

    assert settings.openai_api_key is not None
    return ChatOpenAI(
        model=settings.model,
        api_key=settings.openai_api_key,
        base_url=settings.openai_base_url,
        temperature=settings.temperature,
        timeout=settings.llm_timeout,
        max_retries=settings.llm_retries,  # the only retry layer for transport faults
        max_completion_tokens=MAX_REPLY_TOKENS,
        streaming=streaming,
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
        timeout=min(PROBE_TIMEOUT, settings.llm_timeout),
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
