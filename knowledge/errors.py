"""Errors a user can cause or fix, each carrying a one-line message.

Kept free of heavy imports so an entry point can catch them without loading Chroma.
"""

from __future__ import annotations


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
