"""A deterministic embedding function implementing Chroma's real interface.

Used to prove that switching the embedding model re-indexes a collection: it hashes
words into a fixed-size vector, so results are exact and need no model files.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function


@register_embedding_function
class HashingEmbeddingFunction(EmbeddingFunction[Documents]):
    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.calls = 0
        self.embedded = 0

    def __call__(self, input: Documents) -> Embeddings:
        self.calls += 1
        self.embedded += len(input)
        out = []
        for text in input:
            vec = np.zeros(self.dim, dtype=np.float32)
            for word in text.lower().split():
                vec[int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
            norm = np.linalg.norm(vec)
            out.append(vec / norm if norm else vec)
        return out

    @staticmethod
    def name() -> str:
        return "test-hashing"

    def get_config(self) -> dict[str, Any]:
        return {"dim": self.dim}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> HashingEmbeddingFunction:
        return HashingEmbeddingFunction(int(config.get("dim", 64)))

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    @property
    def model_id(self) -> str:
        return f"test/hashing-{self.dim}"
