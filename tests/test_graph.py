"""The interviewer graph: each node alone, the whole graph offline, and crash recovery."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from examiners import FailingExaminer
from langgraph.runtime import Runtime

from agent.interview import nodes, routes
from agent.interview.context import InterviewContext
from agent.interview.graph import build_graph
from agent.interview.interviewer import Interviewer, parse_command
from agent.services import Services
from knowledge.errors import UsageError

GOOD = (
    "Mode collapse is when the generator produces only a few kinds of outputs, so diversity drops. Intuitively it "
    "found one trick that fools the discriminator. For example, in my project the sample grid showed near-identical "
    "images. We used Wasserstein loss and spectral normalization, at the cost of slower training, and measured FID."
)


def _context(services: Services) -> InterviewContext:
    return InterviewContext(services.question_bank, services.examiner, services.memory, services.transcripts)


def test_nodes_alone(interview_services: Services) -> None:
    ctx = _context(interview_services)
    runtime = Runtime(context=ctx)
    state: dict = {"session_id": "node-test", "user": "asha", "role": "researcher", "question_count": 2, "seed": 1}
    planned = nodes.plan_session(state, runtime)  # type: ignore[arg-type]
    assert len(planned["plan"]) == 2 and planned["messages"][0]["kind"] == "opening"
    state.update(planned)
    asked = nodes.ask_question(state, runtime)  # type: ignore[arg-type]
    assert asked["index"] == 0 and asked["seq"] == 1 and asked["messages"][0]["kind"] == "question"
    state.update(asked)
    state["incoming"] = "Some answer about the topic, said quickly."
    recorded = nodes.record_answer(state, runtime)  # type: ignore[arg-type]
    assert recorded["thread_answers"] == ["Some answer about the topic, said quickly."]
    assert ctx.transcripts.turns("node-test")[0]["answer"] == "Some answer about the topic, said quickly."
    state.update(recorded)
    assessed = nodes.assess_answer(state, runtime)  # type: ignore[arg-type]
    assert assessed["last_exam"]["assessment"]["question_id"] == state["plan"][0]["question_id"]
    assert assessed["messages"][-1]["kind"] == "feedback"
    state.update(assessed)
    assert assessed["last_exam"]["assessment"]["follow_up"]  # a thin answer earns a follow-up
    assert routes.route_after_assessment(state) == "ask_follow_up"  # type: ignore[arg-type]
    followed = nodes.ask_follow_up(state, runtime)  # type: ignore[arg-type]
    assert followed["prompt_kind"] == "follow_up" and followed["follow_ups"] == 1 and followed["seq"] == 2
    assert ctx.transcripts.turns("node-test")[1]["kind"] == "follow_up"
    state.update(followed)
    skipped = nodes.skip_question(state, runtime)  # type: ignore[arg-type]
    assert ctx.transcripts.turns("node-test")[1]["answer"] == "/skip"
    assert skipped["messages"][-1]["kind"] == "note"
    closed = nodes.close_question(state, runtime)  # type: ignore[arg-type]
    assert closed["results"][0]["question_id"] == state["plan"][0]["question_id"]
    state.update(closed)
    assert routes.route_after_close(state) == "ask_question"  # type: ignore[arg-type]
    state["index"] = 1
    assert routes.route_after_close(state) == "wrap_up"  # type: ignore[arg-type]
    ending = nodes.end_early(state, runtime)  # type: ignore[arg-type]
    assert ending["ending"] is True
    wrapped = nodes.wrap_up(state, runtime)  # type: ignore[arg-type]
    assert wrapped["done"] and wrapped["report"]["questions"][0]["question_id"] == state["plan"][0]["question_id"]
    assert ctx.transcripts.session("node-test")["status"] == "completed"
    over = nodes.session_over(state, runtime)  # type: ignore[arg-type]
    assert "already complete" in over["messages"][0]["content"]


def test_routers_read_commands_and_limits() -> None:
    base = {"plan": [{"question_id": "q", "topic": "gans"}], "index": 0}
    assert routes.route_turn({}) == "plan_session"
    assert parse_command(" /SKIP ") == "skip" and parse_command("/end") == "end" and parse_command("skip it") is None
    assert routes.route_turn({**base, "command": "skip"}) == "skip_question"  # type: ignore[typeddict-item]
    assert routes.route_turn({**base, "command": "end"}) == "end_early"  # type: ignore[typeddict-item]
    assert routes.route_turn({**base, "incoming": "/skip"}) == "record_answer"  # type: ignore[typeddict-item]
    assert routes.route_turn({**base, "incoming": "an answer"}) == "record_answer"  # type: ignore[typeddict-item]
    assert routes.route_turn({**base, "done": True}) == "session_over"  # type: ignore[typeddict-item]
    wants = {**base, "last_exam": {"assessment": {"follow_up": "Why?"}}}
    assert routes.route_after_assessment({**wants, "follow_ups": 1}) == "ask_follow_up"  # type: ignore[typeddict-item]
    assert routes.route_after_assessment({**wants, "follow_ups": 2}) == "close_question"  # type: ignore[typeddict-item]


def test_a_whole_interview_offline(interview_services: Services) -> None:
    interviewer = interview_services.interviewer
    view = interviewer.start("asha", "ml_engineer", 3, seed=2)
    assert "ML engineer" in view.messages[0]["content"]
    turns = 0
    follow_ups_per_question: dict[int, int] = {}
    while not view.done:
        view = interviewer.send(view.session_id, GOOD if turns % 2 == 0 else "I am not sure.")
        turns += 1
        if view.prompt_kind == "follow_up" and not view.done:
            follow_ups_per_question[view.question_number] = follow_ups_per_question.get(view.question_number, 0) + 1
        assert turns < 20
    assert max(follow_ups_per_question.values(), default=0) <= 2
    assert view.report is not None and len(view.report["questions"]) == 3
    assert set(view.report) >= {"overall", "by_topic", "dimensions", "weak_areas", "study_plan"}
    turns_stored = interview_services.transcripts.turns(view.session_id)
    assert all(t["answer"] is not None for t in turns_stored)
    assert all(t["assessment"] is not None for t in turns_stored)
    late = interviewer.send(view.session_id, "hello?")
    assert "already complete" in late.messages[-1]["content"]
    saver = interview_services.checkpointer
    with saver.cursor() as cursor:
        kept = cursor.execute("SELECT COUNT(*) FROM checkpoints WHERE thread_id = ?", (view.session_id,)).fetchone()[0]
    assert kept == 1  # a finished session keeps only its final state


def test_skip_and_end_early(interview_services: Services) -> None:
    interviewer = interview_services.interviewer
    view = interviewer.start("ravi", "product", 4, seed=9)
    view = interviewer.command(view.session_id, "skip")
    assert any("Skipped" in m["content"] for m in view.messages)
    assert view.question_number == 2
    view = interviewer.send(view.session_id, GOOD)
    view = interviewer.command(view.session_id, "end")
    assert view.done and view.report is not None
    questions = view.report["questions"]
    assert [q["skipped"] for q in questions] == [True, False]
    assert questions[0]["score"] == 0.0


def test_returning_user_hears_which_weak_areas_come_back(interview_services: Services) -> None:
    interviewer = interview_services.interviewer
    view = interviewer.start("meera", "data_scientist", 2, seed=4)
    while not view.done:
        view = interviewer.send(view.session_id, "No idea.")
    weak = [w["topic"] for w in view.report["weak_areas"]]  # type: ignore[index]
    again = interviewer.start("meera", "data_scientist", 3, seed=5)
    opening = again.messages[0]["content"]
    assert opening.startswith("Welcome back")
    assert "mastery" in opening
    plan = interviewer.state(again.session_id)["plan"]
    assert {p["topic"] for p in plan[:2]} >= set(weak[:2])


def test_the_answer_is_saved_even_when_assessment_fails(interview_services: Services) -> None:
    context = InterviewContext(
        interview_services.question_bank, FailingExaminer(), interview_services.memory, interview_services.transcripts
    )
    graph = build_graph(interview_services.checkpointer)
    broken = Interviewer(graph, context, interview_services.transcripts)
    view = broken.start("asha", "researcher", 2, seed=1)
    with pytest.raises(RuntimeError, match="examiner exploded"):
        broken.send(view.session_id, "My precious answer.")
    assert interview_services.transcripts.turns(view.session_id)[0]["answer"] == "My precious answer."
    # The same session continues with a working examiner: the pending assessment runs first.
    healed = interview_services.interviewer.history(view.session_id)
    assert any(m.get("kind") == "feedback" for m in healed.messages)


def test_unknown_sessions_and_bad_starts_are_clear_errors(interview_services: Services) -> None:
    interviewer = interview_services.interviewer
    with pytest.raises(UsageError, match="no session"):
        interviewer.send("nope", "hi")
    with pytest.raises(UsageError, match="unknown role"):
        interviewer.start("asha", "astronaut")
    with pytest.raises(UsageError, match="invalid user name"):
        interviewer.start("../etc", "product")
    with pytest.raises(UsageError, match="between 1 and 20"):
        interviewer.start("asha", "product", 0)


def test_an_answer_sent_while_the_last_turn_still_fails_is_kept(interview_services: Services) -> None:
    context = InterviewContext(
        interview_services.question_bank, FailingExaminer(), interview_services.memory, interview_services.transcripts
    )
    broken = Interviewer(build_graph(interview_services.checkpointer), context, interview_services.transcripts)
    view = broken.start("asha", "researcher", 2, seed=1)
    with pytest.raises(RuntimeError, match="examiner exploded"):
        broken.send(view.session_id, "My first answer.")
    with pytest.raises(RuntimeError, match="examiner exploded"):  # finishing the first one fails again
        broken.send(view.session_id, "My second answer, typed after the page said the first was saved.")
    session = interview_services.transcripts.session(view.session_id)
    assert session["draft"] == "My second answer, typed after the page said the first was saved."
    assert interview_services.transcripts.turns(view.session_id)[0]["answer"] == "My first answer."


def test_a_session_killed_mid_assessment_resumes_with_nothing_lost(interview_services: Services) -> None:
    home = interview_services.settings.home
    session_id = "crash-test"
    answer = "An answer typed just before the laptop died. Mode collapse means low diversity of samples."
    worker = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("crash_worker.py")), str(home), session_id, answer],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    db = home / "sessions.sqlite"
    deadline = time.monotonic() + 60
    saved = False
    while time.monotonic() < deadline and not saved:
        time.sleep(0.2)
        if db.exists():
            try:
                with sqlite3.connect(db) as conn:
                    row = conn.execute(
                        "SELECT answer FROM turns WHERE session_id = ? AND seq = 1", (session_id,)
                    ).fetchone()
            except sqlite3.OperationalError:  # the worker created the file but not yet its tables
                continue
            saved = row is not None and row[0] == answer
        assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
    assert saved, "the worker never recorded the answer"
    time.sleep(0.5)  # now inside the slow assessment
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)

    resumed = Services(interview_services.settings)
    try:
        view = resumed.interviewer.history(session_id)
        kinds = [m.get("kind") for m in view.messages]
        assert kinds.count("answer") == 1 and "feedback" in kinds
        turns = resumed.transcripts.turns(session_id)
        assert turns[0]["answer"] == answer and turns[0]["assessment"] is not None
        nxt = resumed.interviewer.command(session_id, "end")
        assert nxt.done
    finally:
        resumed.close()


def test_a_follow_up_answer_is_assessed_even_after_a_huge_first_answer(interview_services: Services) -> None:
    interviewer = interview_services.interviewer
    view = interviewer.start("asha", "researcher", 1, seed=1)
    view = interviewer.send(view.session_id, "Background chatter about my career. " * 700)
    assert view.prompt_kind == "follow_up" and "truncated" in view.assessment["flags"]  # type: ignore[index]
    before = view.assessment["score"]  # type: ignore[index]
    question = interview_services.question_bank.get(interviewer.state(view.session_id)["plan"][0]["question_id"])
    complete = " ".join(kp.point for kp in question.key_points)
    view = interviewer.send(view.session_id, complete)
    assert view.assessment["score"] > before  # type: ignore[index]


def test_runs_of_one_session_at_the_same_time_are_serialised(interview_services: Services) -> None:
    """A Skip clicked while a Send is running, or two tabs: no forked state, nothing lost."""
    import threading

    from examiners import SlowExaminer

    context = InterviewContext(
        interview_services.question_bank,
        SlowExaminer(interview_services.offline_examiner, 0.5),
        interview_services.memory,
        interview_services.transcripts,
    )
    interviewer = Interviewer(build_graph(interview_services.checkpointer), context, interview_services.transcripts)
    view = interviewer.start("asha", "product", 3, seed=1)
    answers = ["First answer, about rollout plans and ROI.", "/skip", "Second answer, about risk mitigation."]
    threads = [threading.Thread(target=interviewer.send, args=(view.session_id, a)) for a in answers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    turns = interview_services.transcripts.turns(view.session_id)
    said = [t["answer"] for t in turns if t["answer"] is not None]
    assert sorted(said) == sorted(answers)  # every message landed, each in its own turn
    state = interviewer.state(view.session_id)
    history_answers = [m["content"] for m in state["messages"] if m["role"] == "user"]
    assert sorted(history_answers) == sorted(answers)  # the checkpoint agrees with the transcript
