"""Agreement of the project-story judge with blind ratings of project stories
(``eval/data/stories/stories.yaml``): consensus = the median of three raters; tune and test
share no project. Used by ``eval.fit_story`` (tune only) and ``eval.run`` (figures)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from agent.examiner.offline.story import StoryJudge
from agent.examiner.seam import ExamRequest
from agent.interview.asked import ask_about
from eval.rated import pearson
from knowledge.question_bank import QuestionBank

STORIES = Path(__file__).resolve().parent / "data" / "stories" / "stories.yaml"
GAMING = {"grader_gaming", "off_topic", "tutorial", "bluff"}  # the raters' caps: at most 2-3


@dataclass(frozen=True)
class StoryItem:
    id: str
    split: str
    intent: str
    project: str
    answer: str
    ratings: tuple[float, ...]
    consensus: float
    pair_of: str | None
    non_english: bool


def load_stories(path: Path = STORIES) -> list[StoryItem]:
    rows: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        StoryItem(
            id=r["id"],
            split=r["split"],
            intent=r["intent"],
            project=r["project"],
            answer=r["answer"],
            ratings=tuple(float(x) for x in r["ratings"]),
            consensus=float(r["consensus"]),
            pair_of=r.get("pair_of"),
            non_english=bool(r.get("non_english")),
        )
        for r in rows
    ]


def story_request(item: StoryItem, bank: QuestionBank) -> ExamRequest:
    """The deep dive as a session asks it, about the item's project."""
    return ExamRequest(question=ask_about(bank, item.project), answer=item.answer, latest=item.answer)


def story_figures(judge: StoryJudge, bank: QuestionBank, items: list[StoryItem]) -> dict[str, float]:
    """Pearson, MAE and within-2 per split; every with/without-numbers pair ordered; the
    highest score of a bluff, tutorial, off-topic or grader-gaming story (test half)."""
    scores = {i.id: judge.examine(story_request(i, bank)).assessment.score for i in items}
    out: dict[str, float] = {}
    for split in ("tune", "test"):
        part = [i for i in items if i.split == split and not i.non_english]
        if not part:
            continue
        ours, theirs = [scores[i.id] for i in part], [i.consensus for i in part]
        errors = [abs(a - b) for a, b in zip(ours, theirs, strict=True)]
        out |= {
            f"story_{split}_items": float(len(part)),
            f"story_{split}_pearson": pearson(ours, theirs),
            f"story_{split}_mae": statistics.mean(errors),
            f"story_{split}_within_2": sum(e <= 2 for e in errors) / len(errors),
        }
    pairs = [(i, i.pair_of) for i in items if i.pair_of]
    out["story_pairs"] = float(len(pairs))
    out["story_pairs_ordered"] = float(sum(scores[i.id] < scores[other] for i, other in pairs if other))
    test_gaming = [scores[i.id] for i in items if i.split == "test" and i.intent in GAMING]
    out["story_gaming_max"] = max(test_gaming, default=0.0)
    for r in range(3):
        mine = [i.ratings[r] for i in items]
        others = [statistics.median(x for k, x in enumerate(i.ratings) if k != r) for i in items]
        out[f"story_rater_{r + 1}"] = pearson(mine, others)
    return out
