"""The interviewer's steps. Each node does one thing and returns a state update.

Side effects (transcript rows, memory records) are keyed writes, so a node that runs
again after a crash leaves the same result behind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from langgraph.runtime import Runtime

from agent import prompts
from agent.examiner.answer_text import join_thread
from agent.examiner.seam import ExamRequest
from agent.interview.asked import asked_question
from agent.interview.context import InterviewContext
from agent.interview.notes import feedback_notes, reply_line, retry_change
from agent.interview.opening import opening
from agent.interview.planner import Tailoring
from agent.interview.planner import plan_session as make_plan
from agent.interview.report import build_report, excerpt, job_readiness, readiness_line
from agent.interview.state import InterviewState
from agent.interview.thread import asked_follow_up, covered_so_far, question_view
from agent.records import (
    Backend,
    CallUsage,
    ChatMessage,
    EarlierQuestion,
    ExamRecord,
    HistoryLine,
    MessageKind,
    QuestionResult,
    QuestionView,
    SessionUsage,
)
from knowledge.taxonomy import TOPIC_TITLES

HISTORY_MESSAGES = 8
RECENT_WORDING = 12  # follow-up phrasings remembered, so the next ones differ


# A node returns a partial state update (InterviewState is total=False).
Update = InterviewState


def _say(content: str, kind: MessageKind) -> ChatMessage:
    return {"role": "assistant", "content": content, "kind": kind}


def _heard(content: str, kind: Literal["answer", "skip", "end", "retry"]) -> ChatMessage:
    return {"role": "user", "content": content, "kind": kind}


def plan_session(state: InterviewState, runtime: Runtime[InterviewContext]) -> Update:
    ctx = runtime.context
    user, role = state["user"], state["role"]
    job, projects = state.get("job"), state.get("projects") or []
    tailoring = Tailoring(
        emphasis=dict(job["emphasis"]) if job else {},
        product=job["product"] if job else None,
        project=projects[0] if projects else None,
    )
    plan = list(
        make_plan(
            ctx.bank,
            role,
            state["question_count"],
            ctx.memory.weak_areas(user),
            ctx.transcripts.recent_question_ids(user),
            seed=state.get("seed"),
            difficulty=state.get("difficulty"),
            tailoring=tailoring,
        )
    )
    ctx.transcripts.create_session(state["session_id"], user, role, len(plan), plan)
    return {
        "plan": plan,
        "index": -1,
        "seq": 0,
        "results": [],
        "done": False,
        "report": None,
        "messages": [_say(opening(ctx, state, plan), "opening")],
    }


def ask_question(state: InterviewState, runtime: Runtime[InterviewContext]) -> Update:
    ctx = runtime.context
    index = state["index"] + 1
    planned = state["plan"][index]
    question = asked_question(ctx.bank, planned)
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
        "first_try": None,
        "messages": [_say(text, "question")],
    }


def record_answer(state: InterviewState, runtime: Runtime[InterviewContext]) -> Update:
    answer = state.get("incoming") or ""
    runtime.context.transcripts.record_answer(state["session_id"], state["seq"], answer)
    return {
        "incoming": None,
        "thread_answers": [*state.get("thread_answers", []), answer],
        "messages": [_heard(answer, "answer")],
    }


def assess_answer(state: InterviewState, runtime: Runtime[InterviewContext]) -> Update:
    ctx = runtime.context
    question = asked_question(ctx.bank, state["plan"][state["index"]])
    answers = state.get("thread_answers", [])
    history = tuple(
        HistoryLine(role=m["role"], content=m["content"]) for m in state.get("messages", [])[-HISTORY_MESSAGES:]
    )
    earlier = tuple(
        EarlierQuestion(
            topic=r["topic"],
            score=r["score"],
            missed=[ctx.bank.get(r["question_id"]).key_point(k).point for k in r["missed_ids"]],
        )
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
        follow_up=asked_follow_up(state),
        covered_before=covered_so_far(state.get("last_exam")),
        recent_wording=tuple(state.get("wording", [])),
    )
    result = ctx.examiner.examine(request)
    assessment = result.assessment.record()
    standing = question_view(state.get("last_exam"), assessment, request.follow_up is not None)
    ctx.transcripts.record_assessment(
        state["session_id"], state["seq"], assessment, result.backend, result.note, result.usage
    )
    messages: list[ChatMessage] = []
    if result.note:
        messages.append(_say(result.note, "note"))
    summary = reply_line(assessment) if request.follow_up else feedback_notes(assessment, ctx.bank)["verdict"]
    first_try = state.get("first_try")
    change = None
    if first_try is not None and request.follow_up is None:
        change = retry_change(first_try, standing, question)
        summary = f"{change} {summary}"
    messages.append(_say(prompts.render("feedback_line", summary=summary), "feedback"))
    exam = ExamRecord(
        assessment=assessment,
        backend=result.backend,
        note=result.note,
        probe_id=result.probe_id,
        question=standing,
        wording=list(result.wording),
    )
    if change is not None:
        exam["change"] = change
    return {
        "last_exam": exam,
        "messages": messages,
        "usage": _add_usage(state.get("usage"), result.backend, result.usage),
    }


def _add_usage(total: SessionUsage | None, backend: Backend, usage: CallUsage | None) -> SessionUsage:
    """Running token and cost totals of the session (LLM calls only cost anything)."""
    out: SessionUsage = (
        SessionUsage(**total)
        if total
        else SessionUsage(input_tokens=0, output_tokens=0, requests=0, cost_usd=None, llm_turns=0, offline_turns=0)
    )
    if backend == "llm":
        out["llm_turns"] += 1
    else:
        out["offline_turns"] += 1
    if usage:
        out["input_tokens"] += usage.get("input_tokens", 0)
        out["output_tokens"] += usage.get("output_tokens", 0)
        out["requests"] += usage.get("requests", 0)
        cost = usage.get("cost_usd")
        if cost is not None:
            out["cost_usd"] = round((out["cost_usd"] or 0.0) + cost, 6)
        if usage.get("model"):
            out["model"] = usage["model"]
    return out


def _stream_writer(runtime: Runtime[InterviewContext]) -> Callable[[str], None] | None:
    """Where the examiner's visible reply goes as it streams, when the caller asked for it."""
    if not runtime.context.stream_replies:
        return None
    writer = runtime.stream_writer
    return lambda text: writer({"text": text})


def ask_follow_up(state: InterviewState, runtime: Runtime[InterviewContext]) -> Update:
    exam = state["last_exam"]
    assert exam is not None and exam["assessment"]["follow_up"], "routed here only with a follow-up to ask"
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
        "asked_probes": [*state.get("asked_probes", []), exam["probe_id"] or text],
        "wording": [*state.get("wording", []), *exam.get("wording", [])][-RECENT_WORDING:],
        "messages": [_say(text, "follow_up")],
    }


def close_question(state: InterviewState, runtime: Runtime[InterviewContext]) -> Update:
    ctx = runtime.context
    planned = state["plan"][state["index"]]
    exam = state.get("last_exam")
    question = ctx.bank.get(planned["question_id"])
    # Compact: the full assessment is in the transcript store; the state keeps what the
    # report and the next prompts need.
    first_try = state.get("first_try")
    if exam is None and first_try is not None:  # retried, then skipped or ended: the first attempt counts
        exam_view: QuestionView | None = first_try
    elif exam is not None:
        exam_view = exam.get("question") or question_view(None, exam["assessment"], False)
        if first_try is not None and first_try["score"] > exam_view["score"]:
            exam_view = first_try
    else:
        exam_view = None
    if exam_view is None:  # skipped before any answer
        result = QuestionResult(
            question_id=question.id,
            topic=question.topic,
            skipped=True,
            score=0.0,
            dimensions={},
            missed_ids=[kp.id for kp in question.key_points],
            covered_ids=[],
            excerpt="",
        )
    else:
        standing = exam_view
        answers = state.get("thread_answers", [])
        result = QuestionResult(
            question_id=question.id,
            topic=question.topic,
            skipped=False,
            score=float(standing["score"]),
            dimensions=standing["dimensions"],
            missed_ids=[kp.id for kp in question.key_points if kp.id not in standing["covered_ids"]],
            covered_ids=standing["covered_ids"],
            excerpt=excerpt("\n\n".join(answers)),
            words=sum(len(a.split()) for a in answers),
            backend=exam["backend"] if exam else "offline",
            note=exam["note"] if exam else None,
        )
        if first_try is not None:
            result["retried"] = True
    ctx.memory.record_question(
        state["user"], state["session_id"], question, result["score"], result["missed_ids"], result["covered_ids"]
    )
    return {
        "results": [*state.get("results", []), result],
        "last_exam": None,
        "first_try": None,
        "thread_answers": [],
    }


def skip_question(state: InterviewState, runtime: Runtime[InterviewContext]) -> Update:
    planned = state["plan"][state["index"]]
    runtime.context.transcripts.record_answer(state["session_id"], state["seq"], "/skip")
    text = prompts.render("skipped", topic=TOPIC_TITLES[planned["topic"]])
    return {
        "incoming": None,
        "command": None,
        "messages": [_heard("/skip", "skip"), _say(text, "note")],
    }


def retry_question(state: InterviewState, runtime: Runtime[InterviewContext]) -> Update:
    """The same question again, from a clean thread; the best attempt is kept for the result."""
    ctx = runtime.context
    exam = state["last_exam"]
    assert exam is not None, "a retry is accepted only after an assessed answer"
    planned = state["plan"][state["index"]]
    question = asked_question(ctx.bank, planned)
    standing = exam.get("question") or question_view(None, exam["assessment"], False)
    before = state.get("first_try")
    best = standing if before is None or standing["score"] >= before["score"] else before
    ctx.transcripts.record_answer(state["session_id"], state["seq"], "/retry")
    seq = state["seq"] + 1
    ctx.transcripts.record_prompt(state["session_id"], seq, "question", question.topic, question.id, question.question)
    text = prompts.render("retry_ask", score=f"{best['score']:g}", question=question.question)
    return {
        "incoming": None,
        "command": None,
        "seq": seq,
        "prompt_kind": "question",
        "thread_answers": [],
        "follow_ups": 0,
        "last_exam": None,
        "first_try": best,
        "messages": [_heard("/retry", "retry"), _say(text, "question")],
    }


def end_early(state: InterviewState, runtime: Runtime[InterviewContext]) -> Update:
    return {
        "incoming": None,
        "command": None,
        "ending": True,
        "messages": [_heard("/end", "end"), _say(prompts.render("ended_early"), "note")],
    }


def wrap_up(state: InterviewState, runtime: Runtime[InterviewContext]) -> Update:
    ctx = runtime.context
    report = build_report(state.get("results", []), state["plan"], ctx.bank)
    usage = state.get("usage")
    if usage:
        report["usage"] = usage
    job = state.get("job")
    if job is not None and job["emphasis"]:
        report["job"] = job_readiness(job, ctx.memory.mastery(state["user"]))
    ctx.transcripts.complete(state["session_id"], report)
    answered = sum(1 for r in report["questions"] if not r["skipped"])
    text = prompts.render(
        "wrap_up",
        overall=f"{report['overall']:g}",
        answered=answered,
        strengths=", ".join(TOPIC_TITLES[t] for t in report["strengths"]) or prompts.render("report_no_strengths"),
        weak_areas=", ".join(TOPIC_TITLES[w["topic"]] for w in report["weak_areas"])
        or prompts.render("report_no_weak_areas"),
    )
    if "job" in report:
        text += " " + readiness_line(report["job"])
    return {"report": report, "done": True, "messages": [_say(text, "report")]}


def session_over(state: InterviewState, runtime: Runtime[InterviewContext]) -> Update:
    return {"incoming": None, "command": None, "messages": [_say(prompts.render("session_over"), "note")]}
