"""Long-term weak-area memory, one Chroma collection for all users.

Every record carries the user id and every read filters by it. Three kinds of record:

- ``score``: one per (user, session, question): the question's final score. Mastery of a
  topic is a moving average of these in time order, so writing the same record twice (a
  step re-run after a crash) changes nothing.
- ``missed``: one per (user, question, key point) the user failed to make, with how
  often; the document is the key point itself, so "what does this user tend to miss
  about X" is a semantic query. Making the point later marks it resolved.
- ``dismissed``: the user said a topic is no longer weak; it stays off the weak list
  until a newer low score brings it back.

Chroma writes are slow here (~200 ms each), so results are queued in a durable outbox and
written behind the conversation; every read that must see them flushes the queue first.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from agent.examiner.models import WEAK_BELOW
from agent.store.outbox import Jobs, Outbox, Payload
from knowledge.errors import QuestionBankError
from knowledge.question_bank import Question, QuestionBank
from knowledge.taxonomy import Topic, stored_topic
from knowledge.vector_index import NamedEmbeddingFunction, open_collection

if TYPE_CHECKING:
    from knowledge.shared_chroma import ChromaStore

log = logging.getLogger(__name__)
COLLECTION = "weak_areas"
Metadata = dict[str, Any]  # free-form: a Chroma record's metadata, whose keys depend on its kind
SMOOTHING = 0.5  # weight of the newest score in the moving average


class WeakAreaRecord(TypedDict):
    """A weak area as ``progress --json`` and ``weak-areas --json`` print it."""

    topic: Topic
    mastery: float
    answered: int
    missed_points: list[str]
    sections: list[str]


@dataclass(frozen=True)
class WeakArea:
    topic: Topic
    mastery: float
    answered: int
    missed_points: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)

    def as_json(self) -> WeakAreaRecord:
        return WeakAreaRecord(
            topic=self.topic,
            mastery=round(self.mastery, 1),
            answered=self.answered,
            missed_points=self.missed_points,
            sections=self.sections,
        )


def _uid(user: str) -> str:
    return hashlib.sha1(user.encode()).hexdigest()[:16]


class WeakAreaMemory:
    def __init__(
        self, client: ChromaStore, embedding_function: NamedEmbeddingFunction, bank: QuestionBank, outbox: Jobs | Path
    ) -> None:
        self.collection, _ = open_collection(client, COLLECTION, embedding_function)
        self.bank = bank
        self.outbox = Outbox(outbox, self._apply)
        self.outbox.flush()  # anything a crash left queued

    def close(self) -> None:
        self.outbox.close()

    def _apply(self, jobs: list[Payload]) -> None:
        """Write a batch of queued outcomes with as few Chroma calls as possible."""
        with self.collection.writing():  # reads the records it updates: one step for other processes
            self._write(jobs)

    def _write(self, jobs: list[Payload]) -> None:
        upserts: dict[str, tuple[str, Metadata]] = {}
        resolved: dict[str, Metadata] = {}
        for job in jobs:
            self._records_for(job, upserts, resolved)
        if upserts:
            ids = list(upserts)
            self.collection.upsert(
                ids=ids,
                documents=[upserts[i][0] for i in ids],
                metadatas=[upserts[i][1] for i in ids],
            )
        if resolved:
            ids = list(resolved)
            self.collection.update(ids=ids, metadatas=[resolved[i] for i in ids])

    def _records_for(
        self,
        job: Payload,
        upserts: dict[str, tuple[str, Metadata]],
        resolved: dict[str, Metadata],
    ) -> None:
        user, session_id, stamp = job["user"], job["session_id"], float(job["ts"])
        try:
            question = self.bank.get(job["question_id"])
        except QuestionBankError:
            log.warning("dropping a queued memory write for unknown question %s", job["question_id"])
            return  # the bank changed since the answer; keep the rest of the queue moving
        known = {kp.id for kp in question.key_points}
        job = {
            **job,
            "missed": [k for k in job["missed"] if k in known],
            "covered": [k for k in job["covered"] if k in known],
        }
        upserts[f"score:{_uid(user)}:{session_id}:{question.id}"] = (
            question.question,
            {
                "user": user,
                "kind": "score",
                "topic": question.topic,
                "question_id": question.id,
                "session_id": session_id,
                "score": float(job["score"]),
                "ts": stamp,
            },
        )
        prefix = f"missed:{_uid(user)}:{question.id}:"
        existing = {i: m for i, _, m in self._get(user, "missed", question_id=question.id)}
        existing.update({i: m for i, (_, m) in upserts.items() if i.startswith(prefix)})  # earlier jobs in this batch
        for kp_id in job["missed"]:
            kp = question.key_point(kp_id)
            record_id = f"missed:{_uid(user)}:{question.id}:{kp_id}"
            old = existing.get(record_id, {})
            repeat = old.get("last_session") == session_id
            upserts[record_id] = (
                kp.point,
                {
                    "user": user,
                    "kind": "missed",
                    "topic": question.topic,
                    "question_id": question.id,
                    "key_point_id": kp_id,
                    "section": kp.section,
                    "resolved": False,
                    "ts": stamp,
                    "times": int(old.get("times", 0)) + (0 if repeat else 1),
                    "last_session": session_id,
                },
            )
        for kp_id in job["covered"]:
            record_id = f"missed:{_uid(user)}:{question.id}:{kp_id}"
            previous = existing.get(record_id)
            if previous is not None and not previous.get("resolved"):
                if record_id in upserts:
                    upserts[record_id][1]["resolved"] = True
                else:
                    resolved[record_id] = {**previous, "resolved": True}

    def _get(self, user: str, kind: str, **equals: str) -> list[tuple[str, str, Metadata]]:
        clauses: list[Metadata] = [{"user": user}, {"kind": kind}, *({k: v} for k, v in equals.items())]
        got = self.collection.get(where={"$and": clauses}, include=["documents", "metadatas"])
        return [
            (i, d, dict(m)) for i, d, m in zip(got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True)
        ]

    def record_question(
        self,
        user: str,
        session_id: str,
        question: Question,
        score: float,
        missed_ids: list[str],
        covered_ids: list[str],
    ) -> None:
        """Queue a question's outcome; it is written to Chroma in the background."""
        self.outbox.put(
            {
                "user": user,
                "session_id": session_id,
                "question_id": question.id,
                "score": float(score),
                "missed": list(missed_ids),
                "covered": list(covered_ids),
                "ts": time.time(),
            }
        )

    def _scores(self, user: str) -> list[tuple[float, Topic, float]]:
        """(time, topic, score) of every closed question of ``user``, oldest first (topics the
        taxonomy no longer has are left out)."""
        self.outbox.flush()
        scores = [(float(m["ts"]), stored_topic(m["topic"]), float(m["score"])) for _, _, m in self._get(user, "score")]
        return sorted((ts, topic, score) for ts, topic, score in scores if topic is not None)

    def _mastery(self, scores: list[tuple[float, Topic, float]]) -> dict[Topic, tuple[float, int]]:
        """topic → (moving average, answers)."""
        out: dict[Topic, tuple[float, int]] = {}
        for _, topic, score in scores:
            if topic in out:
                value, count = out[topic]
                out[topic] = ((1 - SMOOTHING) * value + SMOOTHING * score, count + 1)
            else:
                out[topic] = (score, 1)
        return out

    def mastery(self, user: str) -> dict[Topic, float]:
        return {topic: value for topic, (value, _) in self._mastery(self._scores(user)).items()}

    def weak_areas(self, user: str) -> list[WeakArea]:
        """Topics whose mastery is below WEAK_BELOW, weakest first.

        A dismissed topic stays off the list until a weak answer on it comes after the
        dismissal; strong answers after it keep it off.
        """
        scores = self._scores(user)
        dismissed = {m["topic"]: float(m["ts"]) for _, _, m in self._get(user, "dismissed")}
        missed = [m | {"point": d} for _, d, m in self._get(user, "missed") if not m.get("resolved")]
        areas = []
        for topic, (value, count) in self._mastery(scores).items():
            if value >= WEAK_BELOW:
                continue
            since = dismissed.get(topic)
            if since is not None and not any(t > since and s < WEAK_BELOW for t, top, s in scores if top == topic):
                continue
            points = sorted((m for m in missed if m["topic"] == topic), key=lambda m: (-int(m["times"]), m["point"]))
            sections = list(dict.fromkeys(str(m["section"]) for m in points))
            areas.append(WeakArea(topic, value, count, [str(m["point"]) for m in points], sections))
        return sorted(areas, key=lambda a: a.mastery)

    def dismiss(self, user: str, topic: str) -> bool:
        """Take ``topic`` off the weak list; False if it was not on it."""
        if topic not in {a.topic for a in self.weak_areas(user)}:
            return False
        self.collection.upsert(
            ids=[f"dismissed:{_uid(user)}:{topic}"],
            documents=[f"dismissed {topic}"],
            metadatas=[{"user": user, "kind": "dismissed", "topic": topic, "ts": time.time()}],
        )
        return True

    def tendencies(self, user: str, question: Question) -> tuple[str, ...]:
        """Key point ids of ``question`` this user has missed before and not yet made.

        On the answer's critical path, so it does not flush: it reads Chroma and replays
        the queued outcomes for this question on top.
        """
        missed = {
            m["key_point_id"] for _, _, m in self._get(user, "missed", question_id=question.id) if not m.get("resolved")
        }
        for job in self.outbox.pending_payloads():
            if job["user"] == user and job["question_id"] == question.id:
                missed = (missed | set(job["missed"])) - set(job["covered"])
        order = [kp.id for kp in question.key_points]
        return tuple(sorted(missed, key=order.index))

    def similar_misses(self, user: str, text: str, k: int = 3, flush: bool = True) -> list[str]:
        """What this user has missed that is closest in meaning to ``text`` (any question).

        ``flush=False`` skips writing queued results first (on an answer's critical path).
        """
        if flush:
            self.outbox.flush()
        where = {"$and": [{"user": user}, {"kind": "missed"}, {"resolved": False}]}
        count = len(self._get(user, "missed"))
        if count == 0:
            return []
        got = self.collection.query(query_texts=[text], n_results=min(k, count), where=where)
        return list((got["documents"] or [[]])[0])
