"""Citations for missed key points, shared by both examiners.

A citation quotes the guide section a key point names, taken from the indexed passages of
that section, so a critique never cites a section that does not hold the point.
"""

from __future__ import annotations

from agent.examiner.answer_text import phrase_in, split_sentences
from agent.examiner.models import Citation
from knowledge.lexical import tokenize
from knowledge.question_bank import KeyPoint
from knowledge.retrieval import HybridRetriever

QUOTE_CHARS = 240


class Citer:
    """Finds the sentence of a key point's own section that best states the point."""

    def __init__(self, retriever: HybridRetriever) -> None:
        self.retriever = retriever
        self._cache: dict[tuple[str, str], Citation | None] = {}

    def cite(self, point: KeyPoint) -> Citation | None:
        return self.cite_statement(point.section, point.point, tuple(point.aliases))

    def cite_statement(self, section: str, statement: str, phrases: tuple[str, ...] = ()) -> Citation | None:
        """The sentence of ``section`` that best states ``statement`` (or names ``phrases``)."""
        key = (section, statement)
        if key not in self._cache:
            self._cache[key] = self._find(section, statement, phrases)
        return self._cache[key]

    def _find(self, section: str, statement: str, phrases: tuple[str, ...]) -> Citation | None:
        passages = self.retriever.section_passages(section)
        wanted = set(tokenize(statement))
        best: tuple[float, str] | None = None
        for passage in passages:
            for sentence in split_sentences(passage.text):
                stems = tokenize(sentence)
                alias_hits = sum(1 for alias in phrases if phrase_in(alias, stems))
                overlap = len(wanted & set(stems)) / max(1, len(wanted))
                score = 2.0 * alias_hits + overlap
                if best is None or score > best[0]:
                    best = (score, sentence)
        if best is None:
            return None
        quote = best[1].lstrip("-> ").strip()
        if len(quote) > QUOTE_CHARS:
            quote = quote[: QUOTE_CHARS - 1].rstrip() + "…"
        return Citation(section=section, quote=quote)
