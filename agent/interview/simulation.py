"""A whole interview against a scripted candidate (``mock-interview simulate`` and the eval).

The script maps topic ids to an answer and the follow-up answers to give, in order; a
``default`` entry covers topics not listed, a ``project`` entry the project deep dive; once
follow-ups run out the candidate says "I don't know.". Each run is a real session of that user: stored, and remembered.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypedDict

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.interview.interviewer import Interviewer
from agent.records import Backend, CallUsage, FallbackReason, JobRecord, ProjectRecord, Report
from agent.store.export import ExportedTurn, session_json
from knowledge.errors import UsageError
from knowledge.files import read_text
from knowledge.taxonomy import TOPICS, Role
from knowledge.yaml_files import load_yaml

OUT_OF_FOLLOW_UPS = "I don't know."
EXTRA_KEYS = ("default", "project")  # every topic not listed; the project deep dive


class ScriptedAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answer: str
    follow_ups: list[str] = Field(default_factory=list)


def load_script(path: Path) -> dict[str, ScriptedAnswer]:
    text = read_text(path, "candidate file", error=UsageError)
    try:
        raw = json.loads(text) if path.suffix.lower() == ".json" else load_yaml(text)
    except (json.JSONDecodeError, yaml.YAMLError):
        raise UsageError(f"{path}: not valid {'JSON' if path.suffix.lower() == '.json' else 'YAML'}") from None
    if not isinstance(raw, dict) or not raw:
        raise UsageError(f"{path}: expected a mapping of topic ids to {{answer, follow_ups}}")
    unknown = [k for k in raw if k not in (*TOPICS, *EXTRA_KEYS)]
    if unknown:
        raise UsageError(
            f"{path}: unknown topic {unknown[0]!r}; use topic ids ({', '.join(TOPICS)}), 'default' or 'project'"
        )
    script = {}
    for topic, entry in raw.items():
        try:
            script[topic] = ScriptedAnswer.model_validate(entry)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "entry"
            raise UsageError(f"{path}: {topic}: {where}: {first['msg']}") from None
    return script


def _reply(script: dict[str, ScriptedAnswer], topic: str, kind: str, follow_up_index: int) -> str:
    entry = script.get(topic) or script.get("default")
    if entry is None:
        return OUT_OF_FOLLOW_UPS
    if kind == "question":
        return entry.answer
    return entry.follow_ups[follow_up_index] if follow_up_index < len(entry.follow_ups) else OUT_OF_FOLLOW_UPS


def simulate(
    interviewer: Interviewer,
    user: str,
    role: Role,
    script: dict[str, ScriptedAnswer],
    questions: int = 5,
    seed: int | None = None,
    job: JobRecord | None = None,
    projects: list[ProjectRecord] | None = None,
) -> SimulationResult:
    view = interviewer.start(user, role, questions, seed=seed, job=job, projects=projects)
    follow_up_index = 0
    while not view.done:
        state = interviewer.state(view.session_id)
        planned = state["plan"][state["index"]]
        topic = "project" if planned["reason"] == "project" and "project" in script else planned["topic"]
        kind = state["prompt_kind"]
        follow_up_index = 0 if kind == "question" else follow_up_index
        text = _reply(script, topic, kind, follow_up_index)
        if kind == "follow_up":
            follow_up_index += 1
        view = interviewer.send(view.session_id, text)
    return simulation_result(interviewer, view.session_id)


class SimulatedTurn(ExportedTurn):
    fallback_reason: FallbackReason | None  # why the LLM examiner's answer was assessed offline
    usage: CallUsage | None  # the model's tokens, requests and seconds for this answer


class SimulationResult(TypedDict):
    """What ``simulate --json`` prints: the turns and the report of the session."""

    session_id: str
    user: str
    role: Role
    backend: Backend
    turns: list[SimulatedTurn]
    report: Report | None


def simulation_result(interviewer: Interviewer, session_id: str) -> SimulationResult:
    from agent.examiner.llm.errors import fallback_reason

    data = session_json(interviewer.transcripts, session_id)
    usage = {t["seq"]: t["usage"] for t in interviewer.transcripts.turns(session_id)}
    turns = [
        SimulatedTurn(**t, fallback_reason=fallback_reason(usage.get(t["seq"])), usage=usage.get(t["seq"]))
        for t in data["turns"]
    ]
    backends = {t["backend"] for t in turns if t["backend"]}
    return SimulationResult(
        session_id=data["session_id"],
        user=data["user"],
        role=data["role"],
        backend="llm" if "llm" in backends else "offline",
        turns=turns,
        report=data["report"],
    )
