"""The interviewer's steps. Each node does one thing and returns a state update.

Side effects (transcript rows, memory records) are keyed writes, so a node that runs
again after a crash leaves the same result behind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langgraph.runtime import Runtime

from agent import prompts
from agent.examiner.answer_text import join_thread
from agent.examiner.seam import ExamRequest
from agent.interview.context import InterviewContext
from agent.interview.planner import plan_session as make_plan
from agent.interview.report import build_report, excerpt
from agent.interview.state import InterviewState
from knowledge.taxonomy import ROLE_TITLES, TOPIC_TITLES

HISTORY_MESSAGES = 8


def _say(content: str, kind: str) -> dict[str, Any]:
    return {"role": "assistant", "content": content, "kind": kind}


def _opening(ctx: InterviewContext, state: InterviewState, plan: list[dict[str, Any]]) -> str:
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


def plan_session(state: InterviewState, runtime: Runtime[InterviewContext]) -> dict[str, Any]:
    ctx = runtime.context
    user, role = state["user"], state["role"]
    plan = [
        p.as_dict()
        for p in make_plan(
            ctx.bank,
            role,
            state["question_count"],
            ctx.memory.weak_areas(user),
            ctx.transcripts.recent_question_ids(user),
            seed=state.get("seed"),
            difficulty=state.get("difficulty"),
        )
    ]
    ctx.transcripts.create_session(state["session_id"], user, role, len(plan), plan)
    return {
        "plan": plan,
        "index": -1,
        "seq": 0,
        "results": [],
        "done": False,
        "report": None,
        "messages": [_say(_opening(ctx, state, plan), "opening")],
    }


def ask_question(state: InterviewState, runtime: Runtime[InterviewContext]) -> dict[str, Any]:
    ctx = runtime.context
    index = state["index"] + 1
    planned = state["plan"][index]
    question = ctx.bank.get(planned["question_id"])
    template = "ask_first" if index == 0 else "ask_last" if index == len(state["plan"]) - 1 else "ask_next"
    text = prompts.render(template, topic=TOPIC_TITLES[question.topic], question=question.question)
    seq = state["seq"] + 1
    ctx.transcripts.record_prompt(state["session_id"], seq, "question", question.topic, question.id, question.question)
    return {
        "index": index,
        "seq": seq,
        "prompt_kind": "question",
        "thread_answers": [],
        "follow_ups": 0,
        "asked_probes": [],
        "last_exam": None,
        "messages": [_say(text, "question")],
    }


def record_answer(state: InterviewState, runtime: Runtime[InterviewContext]) -> dict[str, Any]:
    answer = state.get("incoming") or ""
    runtime.context.transcripts.record_answer(state["session_id"], state["seq"], answer)
    return {
        "incoming": None,
        "thread_answers": [*state.get("thread_answers", []), answer],
        "messages": [{"role": "user", "content": answer, "kind": "answer"}],
    }


def assess_answer(state: InterviewState, runtime: Runtime[InterviewContext]) -> dict[str, Any]:
    ctx = runtime.context
    question = ctx.bank.get(state["plan"][state["index"]]["question_id"])
    answers = state.get("thread_answers", [])
    history = tuple({"role": m["role"], "content": m["content"]} for m in state.get("messages", [])[-HISTORY_MESSAGES:])
    earlier = tuple(
        {
            "topic": r["topic"],
            "score": r["score"],
            "missed": [ctx.bank.get(r["question_id"]).key_point(k).point for k in r.get("missed_ids", [])],
        }
        for r in state.get("results", [])
    )
    answer, answer_chars = join_thread(answers)
    request = ExamRequest(
        question=question,
        answer=answer,
        latest=answers[-1] if answers else "",
        answer_chars=answer_chars,
        follow_ups_asked=state.get("follow_ups", 0),
        asked_probes=tuple(state.get("asked_probes", [])),
        tendencies=ctx.memory.tendencies(state["user"], question),
        similar_misses=tuple(ctx.memory.similar_misses(state["user"], question.question, flush=False))
        if ctx.examiner.uses_similar_misses
        else (),
        history=history,
        earlier=earlier,
        role=state["role"],
        on_text=_stream_writer(runtime),
    )
    result = ctx.examiner.examine(request)
    assessment = result.assessment.model_dump(mode="json")
    ctx.transcripts.record_assessment(
        state["session_id"], state["seq"], assessment, result.backend, result.note, result.usage
    )
    messages = []
    if result.note:
        messages.append(_say(result.note, "note"))
    summary = _summary(assessment)
    messages.append(
        _say(prompts.render("feedback_line", score=f"{assessment['score']:g}", summary=summary), "feedback")
    )
    exam = {"assessment": assessment, "backend": result.backend, "note": result.note, "probe_id": result.probe_id}
    return {
        "last_exam": exam,
        "messages": messages,
        "usage": _add_usage(state.get("usage"), result.backend, result.usage),
    }


def _add_usage(total: dict[str, Any] | None, backend: str, usage: dict[str, Any] | None) -> dict[str, Any]:
    """Running token and cost totals of the session (LLM calls only cost anything)."""
    out = dict(
        total
        or {"input_tokens": 0, "output_tokens": 0, "requests": 0, "cost_usd": None, "llm_turns": 0, "offline_turns": 0}
    )
    out["llm_turns" if backend == "llm" else "offline_turns"] += 1
    if usage:
        for key in ("input_tokens", "output_tokens", "requests"):
            out[key] += int(usage.get(key, 0))
        if usage.get("cost_usd") is not None:
            out["cost_usd"] = round((out["cost_usd"] or 0.0) + float(usage["cost_usd"]), 6)
        if usage.get("model"):
            out["model"] = usage["model"]
    return out


def _stream_writer(runtime: Runtime[InterviewContext]) -> Callable[[str], None] | None:
    """Where the examiner's visible reply goes as it streams, when the caller asked for it."""
    if not runtime.context.stream_replies:
        return None
    writer = runtime.stream_writer
    return lambda text: writer({"text": text})


def _summary(assessment: dict[str, Any]) -> str:
    """The critique without its first sentence (the score, already in the feedback line)."""
    critique: str = assessment["critique"]
    return critique.split(". ", 1)[1] if ". " in critique else critique


def ask_follow_up(state: InterviewState, runtime: Runtime[InterviewContext]) -> dict[str, Any]:
    exam = state["last_exam"] or {}
    text = exam["assessment"]["follow_up"]
    planned = state["plan"][state["index"]]
    seq = state["seq"] + 1
    runtime.context.transcripts.record_prompt(
        state["session_id"], seq, "follow_up", planned["topic"], planned["question_id"], text
    )
    return {
        "seq": seq,
        "prompt_kind": "follow_up",
        "follow_ups": state.get("follow_ups", 0) + 1,
        "asked_probes": [*state.get("asked_probes", []), exam.get("probe_id") or text],
        "messages": [_say(text, "follow_up")],
    }


def close_question(state: InterviewState, runtime: Runtime[InterviewContext]) -> dict[str, Any]:
    ctx = runtime.context
    planned = state["plan"][state["index"]]
    exam = state.get("last_exam")
    question = ctx.bank.get(planned["question_id"])
    # Compact: the full assessment is in the transcript store; the state keeps what the
    # report and the next prompts need.
    result: dict[str, Any] = {"question_id": question.id, "topic": question.topic, "skipped": exam is None}
    if exam is None:  # skipped before any answer
        score = 0.0
        missed, covered = [kp.id for kp in question.key_points], list[str]()
        result.update(score=score, dimensions={}, missed_ids=missed, covered_ids=covered, excerpt="")
    else:
        assessment = exam["assessment"]
        score = float(assessment["score"])
        missed, covered = assessment["missed_ids"], assessment["covered_ids"]
        result.update(
            score=score,
            dimensions=assessment["dimensions"],
            missed_ids=missed,
            covered_ids=covered,
            excerpt=excerpt("\n\n".join(state.get("thread_answers", []))),
            words=sum(len(a.split()) for a in state.get("thread_answers", [])),
            backend=exam.get("backend"),
            note=exam.get("note"),
        )
    ctx.memory.record_question(state["user"], state["session_id"], question, score, missed, covered)
    return {"results": [*state.get("results", []), result], "last_exam": None, "thread_answers": []}


def skip_question(state: InterviewState, runtime: Runtime[InterviewContext]) -> dict[str, Any]:
    planned = state["plan"][state["index"]]
    runtime.context.transcripts.record_answer(state["session_id"], state["seq"], "/skip")
    text = prompts.render("skipped", topic=TOPIC_TITLES[planned["topic"]])
    return {
        "incoming": None,
        "messages": [{"role": "user", "content": "/skip", "kind": "skip"}, _say(text, "note")],
    }


def end_early(state: InterviewState, runtime: Runtime[InterviewContext]) -> dict[str, Any]:
    return {
        "incoming": None,
        "ending": True,
        "messages": [{"role": "user", "content": "/end", "kind": "end"}, _say(prompts.render("ended_early"), "note")],
    }


def wrap_up(state: InterviewState, runtime: Runtime[InterviewContext]) -> dict[str, Any]:
    ctx = runtime.context
    report = build_report(state.get("results", []), state["plan"], ctx.bank)
    report["usage"] = state.get("usage") or {}
    ctx.transcripts.complete(state["session_id"], report)
    answered = sum(1 for r in report["questions"] if not r["skipped"])
    text = prompts.render(
        "wrap_up",
        overall=f"{report['overall']:g}",
        answered=answered,
        strengths=", ".join(TOPIC_TITLES[t] for t in report["strengths"]) or "none yet",
        weak_areas=", ".join(TOPIC_TITLES[w["topic"]] for w in report["weak_areas"]) or "nothing major",
    )
    return {"report": report, "done": True, "messages": [_say(text, "report")]}


def session_over(state: InterviewState, runtime: Runtime[InterviewContext]) -> dict[str, Any]:
    return {"incoming": None, "messages": [_say(prompts.render("session_over"), "note")]}
