"""Which question an answer is really about, for the off-topic check.

Each bank question is one document (its text and its model answer) embedded by the
sentence encoder. An answer answers another question when its best sentences are far from
its own question (below ``OWN_BELOW``) and clearly closer to another bank question (by
``MARGIN``), of its topic or another: a positional-encoding speech given to "self- versus
cross-attention" is as off the question as a GAN answer is. Fitted on the tune half of the
rated set, where genuine answers with low rubric coverage stay under the margin.
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

    def answered_instead(self, sentences: list[str], own: Question) -> Question | None:
        """The bank question ``sentences`` clearly answer, if it is not ``own``."""
        if not sentences:
            return None
        sims = self.encoder.encode(sentences) @ self._docs().T  # sentences x questions
        closeness = np.sort(sims, axis=0)[::-1][:TOP_SENTENCES].mean(axis=0)
        row = self.index.get(own.id)
        mine = float(closeness[row]) if row is not None else float(closeness.max())
        others = [i for i, q in enumerate(self.questions) if q.id != own.id]
        if not others:
            return None
        best = max(others, key=lambda i: float(closeness[i]))
        return self.questions[best] if mine < OWN_BELOW and float(closeness[best]) - mine >= MARGIN else None
