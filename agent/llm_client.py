"""Building the chat model from settings, and checking the endpoint before a session."""

from __future__ import annotations

from typing import Any

from agent.llm_errors import describe_failure
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
    where = settings.openai_base_url or "api.openai.com"
    try:
        client.models.list()
    except openai.NotFoundError:
        return  # some OpenAI-compatible servers have no /models; the key and URL answered
    except Exception as exc:  # noqa: BLE001 - every failure becomes one line
        raise LLMUnavailable(f"LLM endpoint {where} unusable: {describe_failure(exc, secret)}") from None
    finally:
        client.close()


def endpoint_label(settings: Settings) -> str:
    from urllib.parse import urlparse

    host = urlparse(settings.openai_base_url).netloc if settings.openai_base_url else "api.openai.com"
    return f"{settings.model} at {host}"


def is_self_hosted(settings: Settings) -> bool:
    return bool(settings.openai_base_url) and "api.openai.com" not in (settings.openai_base_url or "")
