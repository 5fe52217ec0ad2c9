"""The shared false-belief lexicon: its signals catch the claim and never the truth."""

from __future__ import annotations

import pytest

from agent.examiner.answer_text import AnswerText, is_explanatory, split_sentences
from agent.examiner.phrases import MatchText, signal_parts
from eval.rated import load_items
from knowledge.guide_source import guide_sections
from knowledge.misbeliefs import Misbelief, MisbeliefLexicon
from knowledge.question_bank import load_bank
from knowledge.taxonomy import TOPICS

COMMON = frozenset({"model", "data", "better", "use", "is", "it", "good", "bad", "the", "more", "less", "always"})


@pytest.fixture(scope="module")
def lexicon() -> MisbeliefLexicon:
    return MisbeliefLexicon.load()


def _asserted_in(misbelief: Misbelief, texts: list[str]) -> list[tuple[str, str]]:
    out = []
    for text in texts:
        for sentence in split_sentences(text):
            match = MatchText(sentence)
            out.extend((signal, sentence) for signal in misbelief.signals if match.asserts(signal))
    return out


def test_the_lexicon_is_large_and_grounded(lexicon: MisbeliefLexicon) -> None:
    assert len(lexicon.misbeliefs) >= 100
    ids = [m.id for m in lexicon.misbeliefs]
    assert len(ids) == len(set(ids))
    sections = set(guide_sections())
    assert {m.section for m in lexicon.misbeliefs} <= sections


def test_no_signal_part_is_a_lone_common_word(lexicon: MisbeliefLexicon) -> None:
    bad = [(m.id, s) for m in lexicon.misbeliefs for s in m.signals for p in signal_parts(s) if p.lower() in COMMON]
    assert not bad, bad[:5]


def test_every_false_belief_is_caught_in_one_of_its_own_assertions(lexicon: MisbeliefLexicon) -> None:
    missed = [m.id for m in lexicon.misbeliefs if not _asserted_in(m, m.false_examples)]
    assert not missed, missed


def test_no_signal_fires_on_a_true_sentence_of_the_lexicon(lexicon: MisbeliefLexicon) -> None:
    truths = [t for m in lexicon.misbeliefs for t in (*m.correct_examples, m.correction)]
    hits = [(m.id, *hit) for m in lexicon.misbeliefs for hit in _asserted_in(m, truths)]
    assert not hits, hits[:5]


def test_no_signal_fires_on_what_the_bank_says_is_true() -> None:
    """The model answers, key points, corrections and pinned true examples of every question of a
    belief's topics are correct statements: a signal that fires on them would tell a good
    candidate they are wrong."""
    lexicon, bank = MisbeliefLexicon.load(), load_bank()
    hits = []
    for m in lexicon.misbeliefs:
        texts = [
            t
            for q in bank.questions
            if q.topic in m.topics
            for t in (
                *q.model_answer,
                *(kp.point for kp in q.key_points),
                *(c.correction for c in q.misconceptions),
                *(e for c in q.misconceptions for e in c.correct_examples),
            )
        ]
        hits.extend((m.id, *hit) for hit in _asserted_in(m, texts))
    assert not hits, hits[:5]


def test_no_shared_belief_fires_on_a_genuine_tuning_answer(lexicon: MisbeliefLexicon) -> None:
    """Answers of the rated set's tuning half that the raters scored 5 or more are right in
    substance: a shared false belief found in one (on any topic, so widening a belief's topics
    stays safe) would pull a good candidate down. The examiner's own sentence splitting and
    explanatory filter are used; ``eval/misbelief_check.py`` runs the full evidence step."""
    genuine = [i for i in load_items() if i.split == "tune" and i.consensus >= 5]
    assert len(genuine) >= 100
    texts = [MatchText(s) for i in genuine for s in AnswerText.prepare(i.answer).sentences if is_explanatory(s)]
    hits = [
        (m.id, signal, text.text)
        for text in texts
        for m in lexicon.misbeliefs
        for signal in m.signals
        if text.asserts(signal)
    ]
    assert not hits, hits[:5]


def test_every_topic_listens_for_shared_false_beliefs(lexicon: MisbeliefLexicon) -> None:
    """Each topic, the newer ones too (serving, post-training, agents, experimentation, product
    sense, behavioural, coding), is tagged with enough shared beliefs to be checked above."""
    per_topic = {t: len(lexicon.for_topic(t)) for t in TOPICS}
    assert min(per_topic.values()) >= 5, sorted(per_topic.items(), key=lambda kv: kv[1])[:3]
