"""A job description, read for what the job stresses: topics with weights, and its product.

Offline, with the examiner's own phrase matcher (``agent.examiner.phrases``): each sentence
of the job description is matched against the topics' own terms (``knowledge/topic_terms.yaml``,
worth ``TERM_WEIGHT``) and the domain concept lexicon (``knowledge/concepts.yaml``, a
concept's point shared among its topics), so "vector search", "retrieval augmented
generation" and "RAG" all count for the same topic. The topics with the most weight,
within ``SHARE`` of the top one, are what the job stresses.

The product or domain is a short phrase found by the verbs job descriptions use to say
what the team builds ("We are building a claims assistant for an insurer, …").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.examiner.phrases import MatchText, PhraseIndex
from agent.records import JobRecord
from knowledge.concepts import ConceptLexicon
from knowledge.taxonomy import Topic
from knowledge.topic_terms import TopicTerms

TERM_WEIGHT = 2.0
GENERIC = {"behavioural": 0.5, "role_fit": 0.5, "coding": 0.5}  # every job asks for these a little
MIN_WEIGHT = 3.0  # less than this is a passing mention
SHARE = 0.25  # a stressed topic has at least this share of the top topic's weight
MAX_TOPICS = 5
MAX_PRODUCT_WORDS = 12
SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
BUILDS = re.compile(
    r"\b(?:we(?:'re| are)? (?:building|build|developing|develop|creating)|(?:the|our|this) team (?:builds|is building|"
    r"owns|works on|develops)|you(?:'ll| will) (?:build|help build|work on|own)|(?:is|are) building|builds)\s+"
    r"(?P<product>[^.;:!?\n]+)",
    re.IGNORECASE,
)
STOP_AT = re.compile(
    r",|\s(?:that|which|who|where|using|used by|so that|so|to help|helping|powered by|and you|and we|while)\s",
    re.IGNORECASE,
)
LEADING = re.compile(r"^(?:our|their|its|the next generation of|next-generation)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class JobProfile:
    emphasis: dict[Topic, float]  # stressed topics → share of the session's new questions (sums to 1)
    product: str | None  # "a claims assistant for an insurer"; None when the text names none

    @property
    def stressed(self) -> list[Topic]:
        return sorted(self.emphasis, key=lambda t: -self.emphasis[t])

    def record(self, name: str) -> JobRecord:
        return JobRecord(name=name, emphasis=dict(self.emphasis), product=self.product)


class JobReader:
    def __init__(self, concepts: ConceptLexicon, terms: list[TopicTerms]) -> None:
        self.topic_terms = PhraseIndex((term, entry.topic) for entry in terms for term in entry.terms)
        self.concept_topics = {c.concept: tuple(c.topics) for c in concepts.concepts}
        self.concepts = PhraseIndex((phrase, c.concept) for c in concepts.concepts for phrase in c.phrases)

    def weights(self, text: str) -> dict[Topic, float]:
        """Each topic's weight in ``text``: its terms and concepts named, sentence by sentence."""
        out: dict[Topic, float] = {}
        for sentence in SENTENCE.split(text):
            if not sentence.strip():
                continue
            prepared = MatchText(sentence)
            for topic in self.topic_terms.found(prepared):
                out[topic] = out.get(topic, 0.0) + TERM_WEIGHT
            for concept in self.concepts.found(prepared):
                topics = self.concept_topics[concept]
                for topic in topics:
                    out[topic] = out.get(topic, 0.0) + 1.0 / len(topics)
        return {t: w * GENERIC.get(t, 1.0) for t, w in out.items()}

    def read(self, text: str) -> JobProfile:
        weights = self.weights(text)
        top = max(weights.values(), default=0.0)
        stressed = sorted(
            (t for t, w in weights.items() if w >= MIN_WEIGHT and w >= SHARE * top), key=lambda t: -weights[t]
        )[:MAX_TOPICS]
        total = sum(weights[t] for t in stressed)
        return JobProfile({t: round(weights[t] / total, 3) for t in stressed}, find_product(text))


def find_product(text: str) -> str | None:
    """The product or domain the job's team builds, as a short phrase; None if not said."""
    for match in BUILDS.finditer(text):
        phrase = STOP_AT.split(match.group("product"), maxsplit=1)[0].strip()
        phrase = LEADING.sub("a ", phrase).strip()
        words = phrase.split()
        if 2 <= len(words) <= MAX_PRODUCT_WORDS and not phrase.lower().startswith(("and ", "with ", "on ", "to ")):
            return phrase[0].lower() + phrase[1:] if not words[0].isupper() else phrase
    return None
