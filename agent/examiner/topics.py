"""Which question an answer is really about, for the off-topic check.

Each bank question is one document (its text and its model answer) embedded by the
sentence encoder. An answer is about another topic when its best sentences are far from
its own question (below ``OWN_BELOW``) and clearly closer to a question of another topic
(by ``MARGIN``). Fitted on the tune half of the rated set, where genuine answers with low
rubric coverage stay under the margin.
"""

from __future__ import annotations

import threading

import numpy as np

from knowledge.question_bank import Question, QuestionBank
from knowledge.sentence_encoder import TextEncoder
from knowledge.taxonomy import Topic

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

    def other_topic(self, sentences: list[str], own: Question) -> Topic | None:
        """The topic ``sentences`` are clearly about, if it is not ``own``'s."""
        if not sentences:
            return None
        sims = self.encoder.encode(sentences) @ self._docs().T  # sentences x questions
        closeness = np.sort(sims, axis=0)[::-1][:TOP_SENTENCES].mean(axis=0)
        row = self.index.get(own.id)
        mine = float(closeness[row]) if row is not None else float(closeness.max())
        others = [(float(closeness[i]), q.topic) for i, q in enumerate(self.questions) if q.topic != own.topic]
        best, topic = max(others)
        return topic if mine < OWN_BELOW and best - mine >= MARGIN else None
