"""What the LLM examiner's prompt spends its tokens on, checked on the requests the local stub receives."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import copy_index, llm_settings
from openai_stub import OpenAIStub

from agent.examiner.llm.examiner import recent_lines
from agent.examiner.seam import ExamRequest
from agent.records import HistoryLine
from agent.services import Services
from knowledge.tokens import TokenCounter

FIRST = (
    "Mode collapse is when the generator produces only a few kinds of outputs, so diversity drops. We used "
    "Wasserstein loss and spectral normalization and tracked FID, which fell from 45 to 28."
)
SECOND = "I would measure it with FID per class and a recall metric on a held-out set, checked every thousand steps."


def _user(request: dict[str, object]) -> str:
    return next(str(m["content"]) for m in request["messages"] if m["role"] == "user")  # type: ignore[attr-defined]


def test_a_follow_up_answer_is_sent_once_and_the_question_it_replies_to_stays(
    llm_services: Services, stub: OpenAIStub
) -> None:
    interviewer = llm_services.interviewer
    view = interviewer.start("asha", "ml_engineer", 2, seed=1)
    view = interviewer.send(view.session_id, FIRST)
    asked = [m["content"] for m in view.messages if m.get("kind") == "follow_up"]
    assert asked, "the stub's grader always asks a follow-up"
    interviewer.send(view.session_id, SECOND)
    user = _user(stub.requests[-1])
    recent, answer = user.split("Recent conversation:", 1)[1].split("<<<ANSWER", 1)
    assert FIRST in answer and SECOND in answer
    assert user.count(FIRST) == 1 and user.count(SECOND) == 1  # not a second time in the conversation
    assert asked[-1] in recent  # the follow-up the second answer replies to
    assert recent.count("user: (their reply, in the answer block below)") == 2


def test_earlier_questions_lines_are_kept_even_when_worded_like_this_answer(services: Services) -> None:
    question = services.question_bank.get("gans-mode-collapse")
    history = (
        HistoryLine(role="assistant", content="First question (Transformers): what does attention compute?"),
        HistoryLine(role="user", content=FIRST),  # said on the earlier question, not in this thread
        HistoryLine(role="assistant", content=f"Next question (GANs): {question.question}"),
        HistoryLine(role="user", content=FIRST),
    )
    lines = recent_lines(ExamRequest(question=question, answer=FIRST, latest=FIRST, history=history))
    assert lines[1] == f"user: {FIRST}"
    assert lines[3] == "user: (their reply, in the answer block below)"
    assert lines[0].startswith("assistant: First question") and lines[2].endswith(question.question)


def test_each_call_counts_its_own_reply_schema_and_its_parts_add_up(
    llm_services: Services, stub: OpenAIStub, tmp_path: object
) -> None:
    interviewer = llm_services.interviewer
    view = interviewer.start("ravi", "researcher", 3, seed=2)
    while not view.done:
        view = interviewer.send(view.session_id, FIRST)
    counter = TokenCounter(llm_services.settings.home / "cache" / "tiktoken")
    turns = [t for t in llm_services.transcripts.turns(view.session_id) if t.get("usage")]
    requests = stub.requests[-len(turns) :]
    worst_case = llm_services.examiner.budget.schema_tokens  # type: ignore[attr-defined]
    assert len(turns) >= 3
    for turn, request in zip(turns, requests, strict=True):
        usage = turn["usage"]
        assert usage is not None
        parts = usage["prompt_parts"]
        assert sum(parts.values()) == usage["prompt_tokens_estimate"]
        schema = counter.count(json.dumps(request["response_format"]))
        sent = sum(counter.count(m["content"]) + 4 for m in request["messages"]) + 3 + schema
        # the estimate covers what was sent, with the schema's margin, and no more
        assert sent <= usage["prompt_tokens_estimate"] <= sent + schema // 10 + 1
        assert schema <= parts["reply schema"] < worst_case
        assert parts["answer"] == counter.count(_user(request).split("<<<ANSWER\n", 1)[1].split("\nANSWER>>>")[0])


def _schema_passage_ids(schema: object) -> set[str]:
    """The passage ids a reply schema offers (enums of "P1", "P2"...)."""
    found: set[str] = set()
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "enum" and isinstance(value, list) and all(isinstance(v, str) for v in value):
                found |= {v for v in value if v.startswith("P") and v[1:].isdigit()}
            else:
                found |= _schema_passage_ids(value)
    elif isinstance(schema, list):
        for value in schema:
            found |= _schema_passage_ids(value)
    return found


def test_the_reply_may_cite_only_the_passages_the_budget_kept(
    tmp_path: Path, services: Services, stub: OpenAIStub
) -> None:
    home = copy_index(services, tmp_path / "h")
    llm = Services(llm_settings(home, stub, context_tokens=2200))
    try:
        interviewer = llm.interviewer
        view = interviewer.start("mina", "researcher", 4, seed=5)
        long_answer = FIRST + " " + "More detail about the approach and how it was measured. " * 300
        while not view.done:
            view = interviewer.send(view.session_id, long_answer)
        dropped = 0
        for request in stub.requests:
            offered = _schema_passage_ids(request["response_format"])
            sent = set(re.findall(r"^\[(P\d+)\]", _user(request), re.M))
            assert offered == sent, (offered, sent)
            question = next(q for q in llm.question_bank.questions if q.question in _user(request))
            dropped += len(sent) < len(llm.examiner._passages(question))  # type: ignore[attr-defined]
        assert dropped, "the budget never dropped a passage: the test does not exercise the case"
        assert all(t["backend"] == "llm" for t in llm.transcripts.turns(view.session_id))
    finally:
        llm.close()
