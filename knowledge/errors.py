"""Errors a user can cause or fix, each carrying a one-line message.

Kept free of heavy imports so an entry point can catch them without loading Chroma.
"""

from __future__ import annotations

import re


class KnowledgeError(Exception):
    """Base class: the message is one line, fit to show as it is."""


class EmbeddingUnavailable(KnowledgeError, RuntimeError):
    """The embedding model's files are missing or unusable."""


class TokenizerUnavailable(KnowledgeError, RuntimeError):
    """The shipped encoding file is missing or does not match tiktoken's hash."""


class QuestionBankError(KnowledgeError, ValueError):
    """A question file is missing, unreadable or does not match the schema."""


class IngestError(KnowledgeError, ValueError):
    """A file cannot be ingested; the message names the file."""


class UsageError(KnowledgeError, ValueError):
    """The request itself is unusable (an empty query, say)."""


_KEY_LIKE = re.compile(r"\b(sk-[A-Za-z0-9_\-*]{6,}|Bearer\s+\S+)")


def redact(text: str, secret: str | None = None) -> str:
    """Remove an API key (and anything shaped like one) from a message."""
    if secret:
        text = text.replace(secret, "***")
    return _KEY_LIKE.sub("***", text)
