"""BM25 over chunk texts (bm25s), with a small tokenizer that needs no downloads."""

from __future__ import annotations

import re

import numpy as np

TOKEN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself just
    me more most my no nor not now of off on once only or other our out over own same she
    should so some such than that the their them then there these they this those through to
    too under until up very was we were what when where which while who whom why will with
    would you your yours""".split()
)


def stem(word: str) -> str:
    """A light suffix strip so 'embeddings'/'embedding', 'models'/'model' meet."""
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)] + keep
    return word


def tokenize(text: str) -> list[str]:
    return [stem(t) for t in TOKEN.findall(text.lower()) if t not in STOPWORDS]


class LexicalIndex:
    """BM25 ranking over a fixed list of documents."""

    def __init__(self, documents: list[str]) -> None:
        import bm25s

        self.size = len(documents)
        self._bm25 = bm25s.BM25()
        if documents:
            # An empty-token placeholder keeps documents with no content words indexable.
            self._bm25.index([tokenize(d) or ["\x00"] for d in documents], show_progress=False)

    def rank(self, query: str, k: int) -> list[tuple[int, float]]:
        """Indices of the best ``k`` documents with their BM25 scores (only scores > 0)."""
        tokens = tokenize(query)
        if not tokens or self.size == 0:
            return []
        scores = self._bm25.get_scores(tokens)
        top = np.argsort(-scores, kind="stable")[: min(k, self.size)]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]
