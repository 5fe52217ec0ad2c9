"""Which question an answer is really about, for the off-topic check.

Each bank question is one document (its text and its model answer) embedded by the
sentence encoder. An answer answers another question when its best sentences are far from
its own question (below ``OWN_BELOW``) and clearly closer to another bank question (by
``MARGIN``), of its topic or another: a positional-encoding speech given to "self- versus
cross-attention" is as off the question as a GAN answer is. Fitted on the tune half of the
rated set, where genuine answers with low rubric coverage stay under the margin.

The same closeness names an answer's neighbours (``neighbours``): the few other bank questions
its sentences are closest to, whose rubrics the examiner then reads the answer against (an
answer that makes more of a neighbour's key points than of its own answers the neighbour).
"""

from __future__ import annotations

import threading

import numpy as np

from knowledge.question_bank import Question, QuestionBank
from knowledge.sentence_encoder import TextEncoder

OWN_BELOW = 0.3
MARGIN = 0.25
TOP_SENTENCES = 3


def question_document(question: Question) -> str:
    return " ".join([question.question, *question.model_answer])


class TopicGuesser:
    def __init__(self, bank: QuestionBank, encoder: TextEncoder) -> None:
        self.questions = bank.questions
        self.index = {q.id: i for i, q in enumerate(self.questions)}
        self.encoder = encoder
        self._documents: np.ndarray | None = None  # embedded on first use, then read from the cache
        self._lock = threading.Lock()

    def _docs(self) -> np.ndarray:
        with self._lock:
            if self._documents is None:
                self._documents = self.encoder.reference([question_document(q) for q in self.questions])
            return self._documents

    def _closeness(self, vectors: np.ndarray) -> np.ndarray:
        """Per bank question, the mean similarity of its ``TOP_SENTENCES`` closest sentences."""
        sims = vectors @ self._docs().T  # sentences x questions
        return np.asarray(np.sort(sims, axis=0)[::-1][:TOP_SENTENCES].mean(axis=0))

    def neighbours(
        self, vectors: np.ndarray, own: Question, count: int, leave_out: frozenset[str] = frozenset()
    ) -> list[Question]:
        """The ``count`` bank questions other than ``own`` (and not of a topic in ``leave_out``)
        that the sentences with these encoder ``vectors`` are closest to, closest first."""
        if not len(vectors):
            return []
        closeness = self._closeness(vectors)
        order = [
            int(i)
            for i in np.argsort(-closeness, kind="stable")
            if self.questions[int(i)].id != own.id and self.questions[int(i)].topic not in leave_out
        ]
        return [self.questions[i] for i in order[:count]]

    def answered_instead(self, sentences: list[str], own: Question) -> Question | None:
        """The bank question ``sentences`` clearly answer, if it is not ``own``."""
        if not sentences:
            return None
        closeness = self._closeness(self.encoder.encode(sentences))
        row = self.index.get(own.id)
        mine = float(closeness[row]) if row is not None else float(closeness.max())
        others = [i for i, q in enumerate(self.questions) if q.id != own.id]
        if not others:
            return None
        best = max(others, key=lambda i: float(closeness[i]))
        return self.questions[best] if mine < OWN_BELOW and float(closeness[best]) - mine >= MARGIN else None
