"""The composition root: settings in, the product's long-lived parts out.

Each entry point (CLI, later the UI) builds one :class:`Services` and passes its parts
down. Parts are built on first use, so a command that does not search never pays for
Chroma, and one that does not chat never imports an LLM client.
"""

from __future__ import annotations

import logging
from functools import cached_property
from typing import TYPE_CHECKING

from agent.settings import Settings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

    from knowledge.embeddings import StaticEmbedder
    from knowledge.knowledge_base import KnowledgeBase
    from knowledge.question_bank import QuestionBank
    from knowledge.tokens import TokenCounter
    from knowledge.vector_index import NamedEmbeddingFunction


class StartupError(RuntimeError):
    """The program cannot start with this configuration; the message is one line."""


class Services:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def _ensure_home(self) -> None:
        try:
            self.settings.home.mkdir(parents=True, exist_ok=True)
            probe = self.settings.home / ".write-test"
            probe.write_text("ok")
            probe.unlink()
        except OSError as exc:
            raise StartupError(f"cannot write to the data directory {self.settings.home}: {exc.strerror}") from None

    @cached_property
    def chroma(self) -> ClientAPI:
        self._ensure_home()
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        # Chroma logs telemetry failures at ERROR level even with telemetry off; keep them out of the CLI.
        logging.getLogger("chromadb.telemetry").setLevel(logging.CRITICAL)
        try:
            return chromadb.PersistentClient(
                path=str(self.settings.chroma_dir),
                settings=ChromaSettings(anonymized_telemetry=False),
            )
        except Exception as exc:  # noqa: BLE001 - Chroma raises many types for a broken store
            raise StartupError(f"cannot open the index in {self.settings.chroma_dir}: {exc}") from None

    @cached_property
    def static_embedder(self) -> StaticEmbedder:
        from knowledge.embeddings import StaticEmbedder

        return StaticEmbedder()

    @cached_property
    def embedding_function(self) -> NamedEmbeddingFunction:
        from knowledge.embeddings import (
            OpenAIEmbeddingFunction,
            WordLlamaEmbeddingFunction,
        )

        choice = self.settings.embeddings
        if choice == "wordllama":
            return WordLlamaEmbeddingFunction(embedder=self.static_embedder)
        if self.settings.openai_api_key is None:
            raise StartupError(f"MOCK_INTERVIEW_EMBEDDINGS={choice} needs OPENAI_API_KEY to be set")
        return OpenAIEmbeddingFunction(
            choice.removeprefix("openai:"),
            api_key=self.settings.openai_api_key.get_secret_value(),
            base_url=self.settings.openai_base_url,
        )

    @cached_property
    def knowledge(self) -> KnowledgeBase:
        from knowledge.knowledge_base import KnowledgeBase

        return KnowledgeBase(self.chroma, self.embedding_function, self.static_embedder)

    @cached_property
    def question_bank(self) -> QuestionBank:
        from knowledge.question_bank import load_bank

        return load_bank()

    @cached_property
    def token_counter(self) -> TokenCounter:
        from knowledge.tokens import TokenCounter

        self._ensure_home()
        return TokenCounter(self.settings.cache_dir / "tiktoken")
