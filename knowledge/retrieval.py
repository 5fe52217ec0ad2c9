"""Hybrid retrieval: dense (Chroma) and lexical (BM25) rankings fused by reciprocal rank.

Chroma's own hybrid ``search()`` does not run on a local client, so BM25 runs in-process
over the same chunks. Reciprocal rank fusion needs no score calibration between the
two: each list contributes ``weight / (RRF_K + rank)`` for every chunk it ranks.

The constants were chosen on the tuning query set (``benchmarks/retrieval_set.yaml``)
and then checked once on the held-out set: the offline static embeddings are the weaker
signal on paraphrased questions, so the dense list counts half, and a small ``RRF_K``
lets the top of each list decide.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from knowledge.lexical import LexicalIndex, QueryExpander
from knowledge.markdown_chunks import search_text

if TYPE_CHECKING:
    from knowledge.shared_chroma import SharedCollection

# The guide is the primary source: a passage of the team's supplement counts this much of a
# guide passage at the same rank, so it surfaces where the guide has nothing to say
# (serving, post-training, agents) rather than displacing the guide's own sections.
SUPPLEMENT_WEIGHT = 0.6  # chosen on the tuning query set (0.4-0.6 tried)
RRF_K = 5
DENSE_WEIGHT = 0.5
LEXICAL_WEIGHT = 1.0
Mode = Literal["hybrid", "dense", "bm25"]


@dataclass(frozen=True)
class Record:
    """One indexed chunk as retrieval sees it."""

    id: str
    text: str
    metadata: dict[str, Any]


@dataclass(frozen=True)
class Passage:
    section: str
    text: str
    score: float
    source: str

    def as_json(self) -> dict[str, Any]:
        return {"section": self.section, "text": self.text, "score": round(self.score, 6), "source": self.source}


@dataclass(frozen=True)
class Corpus:
    """A collection and the records it holds for one scope (``where``)."""

    collection: SharedCollection
    records: list[Record]
    where: dict[str, Any] | None = None


ExpanderFactory = Callable[[set[str]], QueryExpander]


def lexical_index(records: Sequence[Record], expander_factory: ExpanderFactory | None) -> LexicalIndex:
    texts = [search_text(str(r.metadata.get("section", "")), r.text) for r in records]
    return LexicalIndex(texts, expander_factory)


def _matches(meta: dict[str, Any], section: str | None, topic: str | None) -> bool:
    if section is not None and meta.get("section") != section:
        return False
    return topic is None or topic in (meta.get("topics") or [])


def _where(base: dict[str, Any] | None, section: str | None, topic: str | None) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = [base] if base else []
    if section is not None:
        clauses.append({"section": section})
    if topic is not None:
        clauses.append({"topics": {"$contains": topic}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class HybridRetriever:
    """Search the guide and, optionally, one user's own material."""

    def __init__(
        self,
        guide: Corpus,
        material_for: Callable[[str], Corpus | None] | None = None,
        expander_factory: ExpanderFactory | None = None,
        candidates: int = 20,
    ) -> None:
        self.guide = guide
        self.material_for = material_for
        self.expander_factory = expander_factory
        self.candidates = candidates
        self._guide_lexical = lexical_index(guide.records, expander_factory)
        # BM25 over the guide plus one user's files, so IDF is shared and scores compare.
        self._user_lexical: dict[str, tuple[Corpus, LexicalIndex, list[Record]]] = {}

    def _lexical_scope(self, corpora: Sequence[Corpus], user: str | None) -> tuple[LexicalIndex, list[Record]]:
        if len(corpora) == 1 or user is None:
            return self._guide_lexical, self.guide.records
        extra = corpora[1]
        cached = self._user_lexical.get(user)
        if cached is None or cached[0] is not extra:
            records = [r for corpus in corpora for r in corpus.records]
            cached = (extra, lexical_index(records, self.expander_factory), records)
            self._user_lexical[user] = cached
        return cached[1], cached[2]

    def _corpora(self, user: str | None) -> list[Corpus]:
        corpora = [self.guide]
        if user is not None and self.material_for is not None:
            extra = self.material_for(user)
            if extra is not None and extra.records:
                corpora.append(extra)
        return corpora

    def _dense(self, corpora: Sequence[Corpus], query: str, section: str | None, topic: str | None) -> list[str]:
        scored: list[tuple[float, str]] = []
        for corpus in corpora:
            allowed = sum(1 for r in corpus.records if _matches(r.metadata, section, topic))
            if allowed == 0:
                continue
            result = corpus.collection.query(
                query_texts=[query],
                n_results=min(self.candidates, allowed),
                where=_where(corpus.where, section, topic),
                include=["distances"],
            )
            scored.extend(zip(result["distances"][0], result["ids"][0], strict=True))  # type: ignore[index]
        scored.sort()
        return [record_id for _, record_id in scored]

    def _lexical(
        self, corpora: Sequence[Corpus], user: str | None, query: str, section: str | None, topic: str | None
    ) -> list[str]:
        index, records = self._lexical_scope(corpora, user)
        ranked = [records[i] for i, _ in index.rank(query, len(records))]
        return [r.id for r in ranked if _matches(r.metadata, section, topic)][: self.candidates]

    def section_passages(self, section: str) -> list[Passage]:
        """Every indexed guide passage of one section, in document order."""
        records = [r for r in self.guide.records if r.metadata.get("section") == section]
        records.sort(key=lambda r: int(r.metadata.get("position", 0)))
        return [Passage(section, r.text, 1.0, str(r.metadata["source"])) for r in records]

    def search(
        self,
        query: str,
        k: int = 5,
        *,
        user: str | None = None,
        section: str | None = None,
        topic: str | None = None,
        mode: Mode = "hybrid",
    ) -> list[Passage]:
        if not query.strip() or k <= 0:
            return []
        corpora = self._corpora(user)
        rankings: list[tuple[float, list[str]]] = []
        if mode in ("hybrid", "dense"):
            rankings.append((DENSE_WEIGHT, self._dense(corpora, query, section, topic)))
        if mode in ("hybrid", "bm25"):
            rankings.append((LEXICAL_WEIGHT, self._lexical(corpora, user, query, section, topic)))
        by_id = {r.id: r for corpus in corpora for r in corpus.records}
        fused: dict[str, float] = {}
        for weight, ranking in rankings:
            for rank, record_id in enumerate(ranking, start=1):
                record = by_id.get(record_id)
                scale = (
                    SUPPLEMENT_WEIGHT if record is not None and record.metadata.get("source") == "supplement" else 1.0
                )
                fused[record_id] = fused.get(record_id, 0.0) + scale * weight / (RRF_K + rank)
        best = sorted(fused.items(), key=lambda item: -item[1])[:k]
        return [
            Passage(
                section=by_id[i].metadata["section"],
                text=by_id[i].text,
                score=score,
                source=by_id[i].metadata["source"],
            )
            for i, score in best
            if i in by_id
        ]
