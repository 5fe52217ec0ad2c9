"""BM25 over chunk texts (bm25s), with a small tokenizer that needs no downloads.

Paraphrased questions rarely share words with the passage that answers them, so a
query is expanded before BM25 scores it, in two ways, both weighted below the
words the user typed:

- a glossary of interview jargon and abbreviations (``glossary.yaml``: "PM" → product,
  "critic" → discriminator) maps the user's words onto the guide's vocabulary;
- every query word also brings the corpus words closest to it in the static embedding
  space ("picture" → image, "converging" → convergence).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np

from knowledge.yaml_files import load_yaml

TOKEN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
    ]
)
GLOSSARY_PATH = Path(__file__).with_name("glossary.yaml")
NEIGHBOURS = 3
NEIGHBOUR_MIN_SIMILARITY = 0.6
EXPANSION_WEIGHT = 0.5

Embed = Callable[[list[str]], np.ndarray]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix strip so 'embeddings'/'embedding', 'models'/'model' meet."""
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)] + keep
    return word


def words(text: str) -> list[str]:
    return [t for t in TOKEN.findall(text.lower()) if t not in STOPWORDS]


def tokenize(text: str) -> list[str]:
    return [stem(t) for t in words(text)]


def load_glossary(path: Path = GLOSSARY_PATH) -> dict[str, list[str]]:
    """Phrase (lower case) → guide terms it stands for."""
    raw = load_yaml(path.read_text(encoding="utf-8")) or {}
    return {" ".join(TOKEN.findall(str(k).lower())): [str(v) for v in vs] for k, vs in raw.items()}


class QueryExpander:
    """Extra BM25 terms for a query: glossary entries and embedding neighbours."""

    def __init__(self, vocabulary: set[str], embed: Embed, glossary: dict[str, list[str]]) -> None:
        self.vocabulary = sorted(w for w in vocabulary if len(w) > 2)
        self._embed = embed
        self._matrix = embed(self.vocabulary) if self.vocabulary else np.zeros((0, 1), dtype=np.float32)
        self.glossary = glossary

    def expand(self, query: str) -> list[str]:
        lowered = f" {' '.join(TOKEN.findall(query.lower()))} "
        extra: list[str] = []
        for phrase, terms in self.glossary.items():
            if f" {phrase} " in lowered:
                extra.extend(t for term in terms for t in tokenize(term))
        typed = [w for w in words(query) if len(w) > 2]
        if typed and self.vocabulary:
            sims = self._embed(typed) @ self._matrix.T
            for row, word in zip(sims, typed, strict=True):
                for i in np.argsort(-row)[:NEIGHBOURS]:
                    neighbour = self.vocabulary[i]
                    if row[i] >= NEIGHBOUR_MIN_SIMILARITY and stem(neighbour) != stem(word):
                        extra.append(stem(neighbour))
        own = set(tokenize(query))
        return list(dict.fromkeys(t for t in extra if t not in own))


class LexicalIndex:
    """BM25 ranking over a fixed list of documents."""

    def __init__(
        self, documents: list[str], expander_factory: Callable[[set[str]], QueryExpander] | None = None
    ) -> None:
        import bm25s

        self.size = len(documents)
        self._bm25 = bm25s.BM25()
        if documents:
            # A placeholder token keeps documents with no content words indexable.
            self._bm25.index([tokenize(d) or ["\x00"] for d in documents], show_progress=False)
        vocabulary = {w for d in documents for w in words(d)}
        self.expander = expander_factory(vocabulary) if expander_factory else None

    def rank(self, query: str, k: int) -> list[tuple[int, float]]:
        """Indices of the best ``k`` documents with their BM25 scores (only scores > 0)."""
        if self.size == 0:
            return []
        tokens = tokenize(query)
        scores = self._bm25.get_scores(tokens) if tokens else np.zeros(self.size)
        extra = self.expander.expand(query) if self.expander else []
        if extra:
            scores = scores + EXPANSION_WEIGHT * self._bm25.get_scores(extra)
        top = np.argsort(-scores, kind="stable")[: min(k, self.size)]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]
