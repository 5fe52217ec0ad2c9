"""Embedding functions for Chroma that never download anything.

The offline default is WordLlama's 256-dim static token embeddings, shipped inside the
``wordllama`` wheel. WordLlama's own loader looks for its tokenizer in a folder the wheel
does not have and then tries the network, so the bundled tokenizer and weights are read
directly here. Inference is WordLlama's: mean of the token vectors under the attention
mask, then L2 normalisation (a test checks it matches ``WordLlamaInference`` exactly);
importing the wordllama package itself is avoided because it costs a second and
reconfigures the root logger.

Both functions are registered with Chroma under their own names, so a persisted
collection knows which function built it and reopens with the same one.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from knowledge.errors import EmbeddingUnavailable

WORDLLAMA_CONFIG = "l2_supercat"
WORDLLAMA_DIM = 256


def _wordllama_dir() -> Path:
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingUnavailable("the wordllama package is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


class StaticEmbedder:
    """WordLlama inference over the bundled files: tokenize, average, normalise."""

    def __init__(self, config: str = WORDLLAMA_CONFIG, dim: int = WORDLLAMA_DIM) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        root = _wordllama_dir()
        tokenizer_path = root / "tokenizers" / f"{config}_tokenizer_config.json"
        weights_path = root / "weights" / f"{config}_{dim}.safetensors"
        try:
            self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
            self.matrix = np.ascontiguousarray(load_file(str(weights_path))["embedding.weight"], dtype=np.float32)
        except Exception as exc:  # noqa: BLE001 - any unreadable file means a broken install
            raise EmbeddingUnavailable(f"cannot load the bundled WordLlama model: {exc}") from None
        self.tokenizer.enable_padding()
        self.tokenizer.no_truncation()
        self.dim = self.matrix.shape[1]

    def embed(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            batch = self.tokenizer.encode_batch(texts[start : start + batch_size], add_special_tokens=False)
            ids = np.array([e.ids for e in batch], dtype=np.int64)
            if ids.shape[1] == 0:  # every text in the batch tokenized to nothing
                out[start : start + len(batch)] = 0.0
                continue
            mask = np.array([e.attention_mask for e in batch], dtype=np.float32)
            np.clip(ids, 0, self.matrix.shape[0] - 1, out=ids)
            summed = (self.matrix[ids] * mask[:, :, None]).sum(axis=1)
            pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[start : start + len(batch)] = pooled / np.where(norms == 0, 1.0, norms)
        return out


@register_embedding_function
class WordLlamaEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma embedding function over :class:`StaticEmbedder` (offline, 256-dim)."""

    def __init__(
        self, config: str = WORDLLAMA_CONFIG, dim: int = WORDLLAMA_DIM, embedder: StaticEmbedder | None = None
    ) -> None:
        self._config = config
        self._dim = dim
        self.embedder = embedder or StaticEmbedder(config, dim)

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.embedder.embed(list(input)))

    @staticmethod
    def name() -> str:
        return "mock-interview-wordllama"

    def get_config(self) -> dict[str, Any]:
        return {"config": self._config, "dim": self._dim}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> WordLlamaEmbeddingFunction:
        return WordLlamaEmbeddingFunction(config.get("config", WORDLLAMA_CONFIG), int(config.get("dim", WORDLLAMA_DIM)))

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    @property
    def model_id(self) -> str:
        return f"wordllama/{self._config}-{self._dim}"


@register_embedding_function
class OpenAIEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma embedding function over langchain-openai's ``OpenAIEmbeddings``.

    The API key is passed in by the composition root and is never part of the
    persisted config.
    """

    def __init__(self, model: str, api_key: str | None = None, base_url: str | None = None) -> None:
        from langchain_openai import OpenAIEmbeddings
        from pydantic import SecretStr

        self._model = model
        self._base_url = base_url
        self._client = OpenAIEmbeddings(
            model=model,
            api_key=SecretStr(api_key) if api_key else None,
            base_url=base_url,
            check_embedding_ctx_length=False,
        )

    def __call__(self, input: Documents) -> Embeddings:
        return [np.asarray(v, dtype=np.float32) for v in self._client.embed_documents(list(input))]

    @staticmethod
    def name() -> str:
        return "mock-interview-openai"

    def get_config(self) -> dict[str, Any]:
        return {"model": self._model, "base_url": self._base_url}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> OpenAIEmbeddingFunction:
        return OpenAIEmbeddingFunction(config["model"], base_url=config.get("base_url"))

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    @property
    def model_id(self) -> str:
        return f"openai/{self._model}"
