"""Errors a user can cause or fix, each carrying a one-line message.

Kept free of heavy imports so an entry point can catch them without loading Chroma.
"""

from __future__ import annotations

import re


class UserError(Exception):
    """The root of every error a user can cause or fix: the message is one line, fit to show
    as it is. Caught once by the CLI's ``main`` (which exits with ``exit_status``) and once
    by the web app (which shows it as a notice)."""

    exit_status = 1


class StartupError(UserError, RuntimeError):
    """The program cannot start with this configuration or these files."""

    exit_status = 2


class KnowledgeError(UserError):
    """A problem with the guide, the question bank or the user's material."""


class EmbeddingUnavailable(KnowledgeError, StartupError):
    """The embedding model's files are missing or unusable."""


class TokenizerUnavailable(KnowledgeError, StartupError):
    """The shipped encoding file is missing or does not match tiktoken's hash."""


class QuestionBankError(KnowledgeError, StartupError, ValueError):
    """A question file is missing, unreadable or does not match the schema."""


class IngestError(KnowledgeError, ValueError):
    """A file cannot be ingested; the message names the file."""


class UsageError(UserError, ValueError):
    """The request itself is unusable: an empty query, an unknown session, a bad user name."""


class NotFound(UsageError, LookupError):
    """What the request names does not exist (a session id, say)."""


_KEY_LIKE = re.compile(r"\b(sk-[A-Za-z0-9_\-*]{6,}|Bearer\s+\S+)")


def redact(text: str, secret: str | None = None) -> str:
    """Remove an API key (and anything shaped like one) from a message."""
    if secret:
        text = text.replace(secret, "***")
    return _KEY_LIKE.sub("***", text)
