"""The shared lexicon of false beliefs (``misbeliefs.yaml``): what candidates assert that is
not true, on any question of a topic.

A question's own misconceptions cover what its rubric is about; candidates also say false
things beside it ("FID is a fidelity score, so higher is better" in an answer on diffusion
latency). Each entry names the topics where it is heard, the claim, the phrasings that assert
it, the correction and the guide section the correction is grounded in. Each also carries a
few true sentences on the same subject and a few assertions of the claim, so a test proves
that its signals fire on the claim and never on the truth.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from knowledge.question_bank import Misconception
from knowledge.taxonomy import Topic
from knowledge.yaml_files import load_entries

MISBELIEFS_PATH = Path(__file__).with_name("misbeliefs.yaml")


class Misbelief(Misconception):
    topics: list[Topic] = Field(min_length=1)
    written_from: Literal["blind", "tune_answers"] = Field(
        "blind",
        description="blind: written without seeing rated answers; tune_answers: written from the tune half's "
        "wrong answers, so the calibration is fitted without it (its reach there is in-sample).",
    )
    correct_examples: list[str] = Field(min_length=1, description="True sentences the signals must not fire on.")
    false_examples: list[str] = Field(min_length=1, description="Assertions of the claim the signals must catch.")


class MisbeliefLexicon:
    def __init__(self, misbeliefs: list[Misbelief]) -> None:
        self.misbeliefs = misbeliefs
        self._by_topic: dict[str, list[Misconception]] = {}
        for m in misbeliefs:
            for topic in m.topics:
                self._by_topic.setdefault(topic, []).append(m)

    @classmethod
    def load(cls, path: Path = MISBELIEFS_PATH) -> MisbeliefLexicon:
        misbeliefs = load_entries(path, Misbelief, "false beliefs")
        return cls(misbeliefs)

    def blind(self) -> MisbeliefLexicon:
        """Only the beliefs written without seeing rated answers."""
        return MisbeliefLexicon([m for m in self.misbeliefs if m.written_from == "blind"])

    def for_topic(self, topic: Topic) -> list[Misconception]:
        return self._by_topic.get(topic, [])
