"""Precompute the sentence-encoder vectors of the bank's own texts (key points and the
follow-ups asked when they are missed, model answers, questions, probes, the off-topic
check's question documents) and of the filler prototypes, shipped as
``knowledge/encoder_references.npz`` so a new install does not spend ~10 s encoding them on
its first answers: ``python -m eval.build_references`` after editing the bank.
``tests/test_sentence_encoder.py`` fails while the file is out of date."""

from __future__ import annotations

from agent.examiner.offline.evidence import FILLER, reference_texts
from agent.examiner.topics import question_document
from knowledge.question_bank import QuestionBank, load_bank
from knowledge.sentence_encoder import SHIPPED, SentenceEncoder


def bank_texts(bank: QuestionBank) -> list[str]:
    texts = [t for q in bank.questions for t in [*reference_texts(q), question_document(q)]]
    # The follow-up writer compares each missed point's probe with what the thread said.
    texts += [kp.probe for q in bank.questions for kp in q.key_points]
    return list(dict.fromkeys([*texts, *FILLER]))


def main() -> None:
    texts = bank_texts(load_bank())
    # Vectors already shipped are kept as they are (a rebuild adds the new texts and drops
    # the retired ones; it does not move the others by float rounding).
    SentenceEncoder(shipped=SHIPPED).write(SHIPPED, texts)
    print(f"{len(texts)} texts → {SHIPPED} ({SHIPPED.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
