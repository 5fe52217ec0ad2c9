"""What the interviewer says first: the welcome (naming the weak areas a returning user
revisits), then what the session is tailored to (the job's topics, the project deep dive)."""

from __future__ import annotations

from agent import prompts
from agent.interview.context import InterviewContext
from agent.interview.state import InterviewState
from agent.records import PlannedQuestion
from knowledge.taxonomy import ROLE_TITLES, TOPIC_TITLES


def _tailoring_lines(state: InterviewState, plan: list[PlannedQuestion]) -> list[str]:
    lines = []
    job = state.get("job")
    if job is not None and job["emphasis"]:
        topics = ", ".join(TOPIC_TITLES[t] for t in sorted(job["emphasis"], key=lambda t: -job["emphasis"][t]))
        lines.append(prompts.render("opening_job", topics=topics))
    elif job is not None:
        lines.append(prompts.render("opening_job_unmatched", file=job["name"], track=ROLE_TITLES[state["role"]]))
    project = next((p["detail"] for p in plan if p["reason"] == "project"), None)
    if project is not None:
        lines.append(prompts.render("opening_project", project=project))
    return lines


def opening(ctx: InterviewContext, state: InterviewState, plan: list[PlannedQuestion]) -> str:
    return " ".join([_welcome(ctx, state, plan), *_tailoring_lines(state, plan)])


def _welcome(ctx: InterviewContext, state: InterviewState, plan: list[PlannedQuestion]) -> str:
    track = ROLE_TITLES[state["role"]]
    revisits = [p for p in plan if p["reason"] == "revisit"]
    if not revisits:
        return prompts.render("opening", track=track, count=len(plan))
    weak = {a.topic: a for a in ctx.memory.weak_areas(state["user"])}
    areas = ", ".join(TOPIC_TITLES[p["topic"]] for p in revisits)
    reasons = []
    for p in revisits:
        area = weak.get(p["topic"])
        mastery = p["detail"].removeprefix("mastery ").removesuffix("/10")
        reason = prompts.render("opening_reason", topic=TOPIC_TITLES[p["topic"]], mastery=mastery)
        if area is not None and area.missed_points:
            reason = prompts.render("opening_reason_missed", reason=reason, point=area.missed_points[0].rstrip("."))
        reasons.append(reason)
    return prompts.render("opening_returning", track=track, count=len(plan), areas=areas, reasons="; ".join(reasons))
