"""What an answer shows, in the candidate's own words: the evidence the score is fitted on.

For each key point: the sentence that makes it (an alias in an explanatory sentence, or a
sentence close to it in meaning by the sentence encoder) or the sentence that contradicts
it (an alias under a negator). For the answer as a whole: how much of it is on the
question (similarity to the question's model answer), how specific it is (distinct domain
concepts and numbers), how much it explains (words in explanatory sentences that are not filler), and which
known misconceptions it asserts. Sentences aimed at the grader were removed before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from agent.examiner.answer_text import WORD, is_explanatory
from agent.examiner.gaming import RELATION
from agent.examiner.phrases import MatchText, PhraseIndex, says_not, signal_parts
from knowledge.concepts import ConceptLexicon
from knowledge.lexical import STOPWORDS
from knowledge.misbeliefs import MisbeliefLexicon
from knowledge.question_bank import KeyPoint, Misconception, Question
from knowledge.sentence_encoder import TextEncoder

# Sentence-encoder similarity between a key point and a sentence: at FULL the point is made,
# below SOME it is not there at all, in between it earns part credit.
SIMILARITY_FULL = 0.62
SIMILARITY_SOME = 0.42
# A sentence this close to one of the filler prototypes says nothing checkable.
FILLER_SIMILARITY = 0.4
# Interview filler, written for this product (not taken from any rated answer): sentences that
# sound relevant on any question and commit to nothing.
FILLER = (
    "It is important to consider the tradeoffs and balance them carefully.",
    "We should leverage best practices to build a robust and scalable solution.",
    "It depends on the use case and the business requirements.",
    "I would work with the stakeholders to align on the right approach.",
    "This is a key challenge that every team needs to address.",
    "The answer is a holistic strategy across the whole pipeline.",
    "It matters because it has a big impact on quality and performance.",
    "We need to make sure the system is accurate, reliable and safe.",
    "There are many different factors to take into account.",
    "Overall, it is about finding the right balance for your specific situation.",
    "This is a very important topic in modern AI.",
    "I am not really sure, but I think it could probably work somehow.",
)
NAMED_ONLY = 0.5  # credit for a point named in a fragment (a bullet) rather than explained
NUMBER = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:%|x\b|ms\b|k\b|m\b|b\b)?", re.I)
# Notation: a token that carries a relation or a quantity ("recall@k", "p(y|x)", "A/B", "->",
# "≈ 20 tok/param", "$2", "50%", "lookup_contact()"). Practitioners write it when they are
# specific; it is counted as a share of the answer's tokens, so it cannot be bought by length.
NOTATION = re.compile(r"[@_/()=<>≈→⇒∝·%$×^|]|->")
# Ways of speaking the score reads, each as the share of the answer's words that are its
# phrases, saturating at one in twenty (``features.HABIT_FULL``). Hedges commit to nothing checkable (written for this
# product: the vague answer's words).
HEDGES = re.compile(
    r"\b(?:basically|probably|maybe|somehow|it depends|pros and cons|stakeholders?|make sure|the usual"
    r"|some (?:kind of )?metric|figure (?:it )?out|as close to|best practices?|industry[- ]standard"
    r"|robust|holistic|leverage|i think|i guess|not sure|things?|stuff|various|etc)\b",
    re.I,
)
# Overclaiming: absolutes that deny a tradeoff or a risk ("fully off-policy", "doesn't matter",
# "no real cost", "won't miss anything", "by design"). A confident wrong answer leans on them;
# a careful one rarely does (on the tune half they appear in 5 % of the answers rated 5 or more
# and 13 % of those rated under 3), so they lower the score a little, never flag it.
OVERCLAIMS = re.compile(
    r"\b(?:fully|completely|entirely|guarantee[sd]?|no need|(?:doesn'?t|don'?t|does not|do not) matter|no real"
    r"|at all|won'?t miss|all of it|obviously|of course|by design|the only|100 ?%|perfectly|totally"
    r"|never fails?|can'?t fail|no risk|no downside|no cost)\b",
    re.I,
)
# Generic praise instead of a mechanism ("attention is important and powerful", "strong
# guardrails", "test it a lot"): on the tune half's short answers, what most separates a vague
# one (about one word in ten) from a plain correct one (one in fifty).
# Words with a domain meaning are left out ("key" of QKV, "statistically significant", "strong
# consistency", "critical path", "higher is better", "best-of-n", "big-O").
GENERIC = re.compile(
    r"\b(?:important|powerful|good|great|a lot|lots of|crucial|essential|properly|correctly|proper"
    r"|overall|really|very|huge)\b",
    re.I,
)
HABITS = {"hedged": HEDGES, "overclaimed": OVERCLAIMS, "generic": GENERIC}


@dataclass(frozen=True)
class PointEvidence:
    key_point: KeyPoint
    credit: float  # 0..1: 1.0 made, in between partly, 0.0 absent
    sentence: str | None
    matched: str | None  # the alias, or "paraphrased"
    contradicted: bool = False  # an alias of it appears under a negator

    @property
    def covered(self) -> bool:
        return self.credit >= 1.0

    @property
    def named(self) -> bool:
        """Made by one of its aliases rather than by a paraphrase."""
        return self.matched not in (None, "paraphrased")


@dataclass(frozen=True)
class AssertedMisconception:
    misconception: Misconception
    sentence: str


@dataclass(frozen=True)
class Prepared:
    """An answer's sentences as key points are matched against them, kept so the same answer can
    be read against another question's rubric (``EvidenceFinder.coverage_for``)."""

    explained: list[str]
    notes: list[str]  # terse lines that relate their terms
    fragments: list[str]  # the lines that do not explain, when some do
    texts: dict[str, MatchText]
    said: np.ndarray  # the explained sentences' vectors
    noted: np.ndarray  # the notes' vectors


def coverage_of(points: list[PointEvidence]) -> float:
    """The share of the key points' weight that ``points`` credit."""
    total = sum(e.key_point.weight for e in points)
    return sum(e.key_point.weight * e.credit for e in points) / total if total else 0.0


@dataclass(frozen=True)
class Evidence:
    points: list[PointEvidence]
    misconceptions: list[AssertedMisconception]
    relevance: float  # 0..1: how close the answer's best sentences are to the model answer
    concepts: frozenset[str]  # distinct domain concepts named in explanatory sentences
    numbers: int
    explained: list[str]  # the sentences that explain rather than list
    words: int  # all the answer's words (after grader-aimed sentences were removed)
    explained_words: int  # words of the explanatory sentences that are not filler
    filler_words: int  # words of the explanatory sentences that are filler
    negated_words: int  # words of the explanatory sentences that mostly say "not"
    content_words: int = 0  # words that are not function words, in all sentences
    tokens: int = 0  # whitespace-separated tokens, in all sentences
    notation: int = 0  # tokens that carry notation (NOTATION)
    habits: dict[str, tuple[str, ...]] = field(default_factory=dict)  # HABITS' phrases said, as said, in order
    encoded: tuple[str, ...] = ()  # every sentence, in the order of ``vectors``' rows
    vectors: np.ndarray | None = field(default=None, compare=False, repr=False)  # their sentence-encoder vectors
    prepared: Prepared | None = field(default=None, compare=False, repr=False)

    @property
    def wording(self) -> np.ndarray | None:
        """The answer's wording as one vector: the mean of its sentences' vectors (None for an
        answer with no sentence)."""
        return mean_vector(self.vectors)

    @property
    def coverage(self) -> float:
        return coverage_of(self.points)

    @property
    def named_coverage(self) -> float:
        """Coverage by aliases alone (the point named in an explanatory, non-negated sentence)."""
        total = sum(e.key_point.weight for e in self.points)
        named = sum(e.key_point.weight for e in self.points if e.named)
        return named / total if total else 0.0


def mean_vector(vectors: np.ndarray | None) -> np.ndarray | None:
    """The mean of ``vectors``' rows (None for none)."""
    return vectors.mean(axis=0) if vectors is not None and len(vectors) else None


def content_words(text: str) -> int:
    """Words that are not function words (nor single letters)."""
    return sum(1 for w in WORD.findall(text.lower()) if len(w) > 1 and w not in STOPWORDS)


def _tidy(text: str) -> str:
    """A sentence with words cut out of it, without the spaces and commas they leave behind."""
    text = re.sub(r"\s+([,.;:!?])", r"\1", " ".join(text.split()))
    return re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text).strip(" ,;:")


def reference_texts(question: Question) -> list[str]:
    """The texts of ``question`` the evidence finder compares answers with."""
    return [
        *(kp.point for kp in question.key_points),
        *question.model_answer,
        question.question,
        *(p.text for p in question.probes),
    ]


def _soft(similarity: float) -> float:
    if similarity >= SIMILARITY_FULL:
        return 1.0
    if similarity <= SIMILARITY_SOME:
        return 0.0
    return (similarity - SIMILARITY_SOME) / (SIMILARITY_FULL - SIMILARITY_SOME)


class EvidenceFinder:
    def __init__(self, encoder: TextEncoder, concepts: ConceptLexicon, misbeliefs: MisbeliefLexicon) -> None:
        self.encoder = encoder
        self.concepts = PhraseIndex((phrase, c.concept) for c in concepts.concepts for phrase in c.phrases)
        self.misbeliefs = misbeliefs

    def find(
        self, question: Question, sentences: list[str], targets: list[str] | None = None, wording: bool = True
    ) -> Evidence:
        """Evidence in ``sentences`` for ``question``; ``targets`` replaces the model answer as
        what relevance is measured against (a follow-up's own question). With ``wording`` off the
        lines that neither explain nor relate terms are not encoded and ``vectors`` holds only
        the others' (for a caller that reads no likeness)."""
        explained = [s for s in sentences if is_explanatory(s)]
        # Terse notes ("Cost: $/request, tokens in/out per feature -> cap max_tokens"): lines
        # without grammar that relate their terms. A point they make in other words is credited
        # (for the critique, the follow-ups and the memory; the score's features do not read it).
        notes = [s for s in sentences if s not in explained and len(WORD.findall(s)) >= 5 and RELATION.search(s)]
        texts = {s: MatchText(s) for s in sentences}
        # Every other line (bullets, bare lists) too, for the answer's wording as a whole (likeness),
        # in the same encoder call.
        rest = [s for s in sentences if s not in explained and s not in notes] if wording else []
        every = explained + notes + rest
        vectors = self.encoder.encode(every) if every else np.zeros((0, 1), dtype=np.float32)
        said, noted = vectors[: len(explained)], vectors[len(explained) : len(explained) + len(notes)]
        # A labelled bullet ("- Fixes: Wasserstein loss, spectral norm") names points without
        # explaining them: half credit, and none at all when the whole answer is such a list.
        fragments = [s for s in sentences if s not in explained] if explained else []
        prepared = Prepared(explained, notes, fragments, texts, said, noted)
        evidence = self._points(question, prepared)
        wanted = targets if targets is not None else [*question.model_answer, question.question]
        relevance = 0.0
        if explained and wanted:
            sims = (self.encoder.reference(wanted) @ said.T).max(axis=0)
            top = np.sort(sims)[::-1][:3]
            relevance = float(top.mean())
        filler = set()
        if explained:
            closeness = (self.encoder.reference(list(FILLER)) @ said.T).max(axis=0)
            filler = {s for s, sim in zip(explained, closeness, strict=True) if sim >= FILLER_SIMILARITY}
        named_concepts = {s: self.concepts.found(texts[s]) for s in sentences}
        concepts = frozenset(c for s in explained for c in named_concepts[s])
        misconceptions = self._misconceptions(question, explained, texts)
        # Notation counts where it is about something: a sentence that names a domain concept
        # or gives a number ("(really) matters / a lot -> iterate" is punctuation, not notation).
        grounded = [s for s in sentences if NUMBER.search(s) or named_concepts[s]]
        return Evidence(
            points=evidence,
            misconceptions=misconceptions,
            relevance=relevance,
            concepts=concepts,
            numbers=sum(len(NUMBER.findall(s)) for s in explained),
            explained=explained,
            words=sum(len(WORD.findall(s)) for s in sentences),
            explained_words=sum(len(WORD.findall(s)) for s in explained if s not in filler),
            filler_words=sum(len(WORD.findall(s)) for s in filler),
            negated_words=sum(len(WORD.findall(s)) for s in explained if texts[s].negated),
            content_words=sum(content_words(s) for s in sentences),
            tokens=sum(len(s.split()) for s in sentences),
            notation=sum(1 for s in grounded for t in s.split() if NOTATION.search(t)),
            habits={
                name: tuple(m.group(0) for s in sentences for m in pattern.finditer(s))
                for name, pattern in HABITS.items()
            },
            encoded=tuple(every),
            vectors=vectors if every else None,
            prepared=prepared,
        )

    def _points(self, question: Question, prepared: Prepared) -> list[PointEvidence]:
        """Each key point of ``question`` as the prepared sentences make it."""
        p = prepared
        points = self.encoder.reference([kp.point for kp in question.key_points])
        point_sims = points @ p.said.T if p.explained else np.zeros((len(question.key_points), 0))
        note_sims = points @ p.noted.T if p.notes else np.zeros((len(question.key_points), 0))
        return [
            self._point(kp, p.explained, p.fragments, p.texts, point_sims[row], p.notes, note_sims[row])
            for row, kp in enumerate(question.key_points)
        ]

    def coverage_for(self, question: Question, evidence: Evidence) -> float:
        """``Evidence.coverage`` of the same answer for another question's key points, from the
        sentences ``evidence`` prepared (no encoding, and none of the other measures)."""
        if evidence.prepared is None:
            raise ValueError("this evidence was not found by EvidenceFinder.find: it has no prepared sentences")
        return coverage_of(self._points(question, evidence.prepared))

    def wording_without(
        self, evidence: Evidence, patterns: dict[str, re.Pattern[str]]
    ) -> dict[str, tuple[np.ndarray | None, int]]:
        """The answer's wording (``Evidence.wording``) and its content words with each pattern's
        phrases deleted, by name: what it would read like without that habit. Only the sentences
        that change are encoded again, all in one call; one that was nothing but the habit is gone."""
        if evidence.vectors is None:
            return dict.fromkeys(patterns, (None, 0))
        plans: dict[str, tuple[set[int], list[str]]] = {}
        for name, pattern in patterns.items():
            changed = {i for i, s in enumerate(evidence.encoded) if pattern.search(s)}
            rewritten = [_tidy(pattern.sub(" ", evidence.encoded[i])) for i in sorted(changed)]
            plans[name] = (changed, [t for t in rewritten if WORD.search(t)])
        texts = list(dict.fromkeys(t for _, rewritten in plans.values() for t in rewritten))
        vector_of = dict(zip(texts, self.encoder.encode(texts), strict=True)) if texts else {}
        out: dict[str, tuple[np.ndarray | None, int]] = {}
        for name, (changed, rewritten) in plans.items():
            kept = [i for i in range(len(evidence.encoded)) if i not in changed]
            rows = [evidence.vectors[i] for i in kept] + [vector_of[t] for t in rewritten]
            words = sum(content_words(evidence.encoded[i]) for i in kept) + sum(content_words(t) for t in rewritten)
            out[name] = (mean_vector(np.array(rows)) if rows else None, words)
        return out

    @staticmethod
    def _point(
        kp: KeyPoint,
        explained: list[str],
        fragments: list[str],
        texts: dict[str, MatchText],
        sims: np.ndarray,
        notes: list[str],
        note_sims: np.ndarray,
    ) -> PointEvidence:
        contradicted = False
        for sentence in explained:
            for alias in kp.aliases:
                found = texts[sentence].find(alias)
                if found is None:
                    continue
                if not found.negated:
                    return PointEvidence(kp, 1.0, sentence, alias)
                contradicted = True
        if sims.size:
            # Similarity does not see polarity: a sentence that says "not" earns nothing by it
            # for a point that is stated positively. A point that says "not" itself ("use thumbs
            # ratings for triage, not as the success metric") can be made by such a sentence.
            point_negated = says_not(kp.point)
            plain = [i for i, s in enumerate(explained) if point_negated or not texts[s].negated]
            if plain:
                best = max(plain, key=lambda i: float(sims[i]))
                credit = _soft(float(sims[best]))
                if credit > 0:
                    return PointEvidence(kp, credit, explained[best], "paraphrased", contradicted)
        for sentence in fragments:
            for alias in kp.aliases:
                if texts[sentence].has(alias):
                    return PointEvidence(kp, NAMED_ONLY, sentence, alias, contradicted)
        if note_sims.size and not contradicted:
            best = int(np.argmax(note_sims))
            if (credit := _soft(float(note_sims[best]))) > 0:
                return PointEvidence(kp, credit, notes[best], "paraphrased")
        return PointEvidence(kp, 0.0, None, None, contradicted)

    def _misconceptions(
        self, question: Question, explained: list[str], texts: dict[str, MatchText]
    ) -> list[AssertedMisconception]:
        """Misconceptions asserted in so many words (a signal phrase, or all the parts of a
        "A ... B" signal, in one sentence and not negated). Sentence
        similarity is not used here: on the rated set it could not tell a claim from its
        correction (both sit in the same topic), so it flagged genuine answers. The question's
        own misconceptions come first, then the shared false beliefs of its topic."""
        candidates = [*question.misconceptions, *self.misbeliefs.for_topic(question.topic)]
        parts = PhraseIndex((part, part) for m in candidates for signal in m.signals for part in signal_parts(signal))
        standing = [(s, parts.found(texts[s])) for s in explained]  # the parts each sentence asserts
        out = []
        for misconception in candidates:
            hit = next(
                (
                    s
                    for s, found in standing
                    for signal in misconception.signals
                    if all(part in found for part in signal_parts(signal))
                ),
                None,
            )
            if hit is not None:
                out.append(AssertedMisconception(misconception, hit))
        return out
