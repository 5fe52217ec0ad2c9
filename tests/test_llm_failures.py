"""The failure modes of a real self-hosted server (llama.cpp with a tiny model), over real HTTP
to the local stub: nonsense that fits the schema, length stops, llama-server's tool_choice,
slow replies, an endpoint failing answer after answer, and the two-step mode."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import copy_index, llm_settings
from openai_stub import Behaviour, OpenAIStub, generous_grader, nonsense, reply_name

from agent.examiner.llm.schema import turn_schema
from agent.examiner.seam import ExamRequest
from agent.services import Services

GOOD = (
    "Mode collapse is when the generator produces only a few kinds of outputs, so diversity drops. For example, in "
    "my project the sample grid showed near-identical shoes. We used Wasserstein loss and spectral normalization, at "
    "the cost of slower training, and tracked FID, which fell from 45 to 28."
)
QID = "gans-mode-collapse"


def _request(services: Services, answer: str = GOOD, **kw: Any) -> ExamRequest:
    return ExamRequest(question=services.question_bank.get(QID), answer=answer, latest=answer, **kw)


@pytest.fixture
def make(tmp_path: Path, services: Services, stub: OpenAIStub) -> Iterator[Any]:
    built: list[Services] = []

    def build(**values: object) -> Services:
        llm = Services(llm_settings(copy_index(services, tmp_path / f"h{len(built)}"), stub, **values))
        built.append(llm)
        return llm

    yield build
    for llm in built:
        llm.close()


def _spoiled(**changes: Any) -> Any:
    """A responder: the generous reply with some fields replaced (a callable gets the reply)."""

    def responder(request: dict[str, Any]) -> dict[str, Any]:
        reply = generous_grader(request)
        if reply_name(request) is None:
            return reply  # the two-step mode's free-text call
        for key, value in changes.items():
            reply[key] = value(reply) if callable(value) else value
        return reply

    return responder


MEANINGLESS = [
    ({"score": 11}, "score 11 is outside 0-10"),
    ({"dimensions": lambda r: {**r["dimensions"], "example": 7}}, "example = 7 is not 0, 1 or 2"),
    ({"key_points": lambda r: {**r["key_points"], "made_up": {"covered": True, "evidence": ""}}}, "'made_up'"),
    ({"key_points": lambda r: dict(list(r["key_points"].items())[1:])}, "no entry for key point"),
    ({"citations": [{"passage": "P99", "quote": "Wasserstein loss fixes everything"}]}, "'P99', which was not sent"),
    ({"critique": "Good."}, "a critique of 1 words"),
    ({"message": "Tell me about the measurement you used in production."}, "the follow-up is not a question"),
    ({"next_action": "next_question", "message": "GANs"}, "a message of 1 words"),
]


@pytest.mark.parametrize(("changes", "detail"), MEANINGLESS)
def test_a_reply_that_fits_the_shape_but_not_the_meaning_is_rejected(
    llm_services: Services, stub: OpenAIStub, changes: dict[str, Any], detail: str
) -> None:
    stub.state.responder = _spoiled(**changes)
    before = len(stub.requests)
    result = llm_services.examiner.examine(_request(llm_services))
    assert len(stub.requests) - before == 2  # asked for once more
    assert result.backend == "offline" and result.usage is not None
    assert result.usage["fallback_reason"] == "nonsense_reply"
    assert result.note is not None and detail in result.note


def test_schema_valid_nonsense_never_reaches_the_transcript(llm_services: Services, stub: OpenAIStub) -> None:
    """Defect 1: -1000, -1, "2" and "GANs" from a real tiny model were clamped and shown."""
    interviewer = llm_services.interviewer
    view = interviewer.start("asha", "ml_engineer", 1, seed=1)
    stub.state.responder = nonsense
    view = interviewer.send(view.session_id, GOOD)
    assert view.backend == "offline" and "nonsense_reply" in (view.note or "")
    turns = llm_services.transcripts.turns(view.session_id)
    assert turns[0]["assessment"] is not None and turns[0]["assessment"]["critique"] != "2"
    assert all(m["content"] != "GANs" for m in view.messages)
    assert all(t["prompt"] != "GANs" for t in turns)  # not stored as a follow-up either


def test_one_nonsense_reply_then_a_good_one_is_used(llm_services: Services, stub: OpenAIStub) -> None:
    stub.script(Behaviour(kind="nonsense"))
    result = llm_services.examiner.examine(_request(llm_services))
    assert result.backend == "llm" and result.usage is not None and result.usage["requests"] == 2
    assert result.assessment.score == 10 and result.assessment.follow_up and "?" in result.assessment.follow_up


def test_the_schema_is_bounded_by_the_request(llm_services: Services, stub: OpenAIStub) -> None:
    llm_services.examiner.examine(_request(llm_services, follow_ups_asked=2))
    schema = stub.requests[-1]["response_format"]["json_schema"]["schema"]
    props = schema["properties"]
    rubric = [kp.id for kp in llm_services.question_bank.get(QID).key_points]
    assert list(props["key_points"]["properties"]) == rubric and props["key_points"]["required"] == rubric
    assert props["key_points"]["additionalProperties"] is False
    passages = props["citations"]["items"]["properties"]["passage"]["enum"]
    assert passages and all(f"[{p}] " in stub.requests[-1]["messages"][1]["content"] for p in passages)
    assert props["dimensions"]["properties"]["example"] == {"type": "integer", "minimum": 0, "maximum": 2}
    assert props["score"] == {"type": "integer", "minimum": 0, "maximum": 10}
    assert props["next_action"]["enum"] == ["next_question"]  # no follow-up left to ask
    assert props["message"]["maxLength"] and props["critique"]["minLength"]
    # What a grammar-enforcing server could not have written:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(nonsense(stub.requests[-1]), schema)
    # api.openai.com's strict mode refuses numeric and length bounds: enums and shape only.
    hosted = turn_schema(rubric, ["P1"], 1, bounded=False)
    text = str(hosted)
    assert "maxLength" not in text and "minimum" not in text and "'enum': ['P1']" in text


def test_function_calling_on_llama_server_sends_the_string_tool_choice(tmp_path: Path, services: Services) -> None:
    """Defect 7: llama-server takes tool_choice only as a string and treats LangChain's object as auto."""
    with OpenAIStub("sk-test-SUPERSECRET-0123456789", string_tool_choice_only=True) as llama:
        llm = Services(llm_settings(copy_index(services, tmp_path / "l"), llama, structured_output="function_calling"))
        try:
            result = llm.examiner.examine(_request(llm))
            assert llama.requests[-1]["tool_choice"] == "required"
            assert result.backend == "llm" and len(llama.requests) == 1
        finally:
            llm.close()


def test_a_length_stop_is_named_retried_once_and_its_tokens_counted(make: Any, stub: OpenAIStub) -> None:
    """Defects 4-6 and 9: the cap is a setting; a length stop is token_limit, asked once more
    like every unusable reply, and the tokens it cost are counted (and priced)."""
    llm = make(max_reply_tokens=300)
    examiner = llm.examiner
    examiner.self_hosted = False  # priced as the hosted model would be
    stub.script(Behaviour(kind="length"), Behaviour(kind="length"))
    result = examiner.examine(_request(llm))
    assert [r["max_completion_tokens"] for r in stub.requests[-2:]] == [300, 300]
    assert result.backend == "offline" and result.usage is not None
    assert result.usage["fallback_reason"] == "token_limit" and "LengthFinishReason" not in (result.note or "")
    assert result.usage["output_tokens"] == 600 and result.usage["input_tokens"] > 0
    assert result.usage["cost_usd"] is not None and result.usage["cost_usd"] > 0


def test_a_reply_trickling_in_is_cut_at_the_deadline(llm_services: Services, stub: OpenAIStub) -> None:
    """A per-read timeout never fires while tokens keep arriving; the per-answer deadline does."""
    stub.script(Behaviour(kind="slow", seconds=0.2))  # ~100 pieces: 20 s in all, 0.2 s between reads
    shown: list[str] = []
    result = llm_services.examiner.examine(_request(llm_services, on_text=shown.append))
    assert result.backend == "offline" and result.usage is not None and result.usage["fallback_reason"] == "timeout"
    assert 2.9 <= result.usage["seconds"] < 3.6  # the deadline is 3 s; the offline examiner's time is not counted


def test_the_breaker_stops_calling_a_failing_model_and_tries_again_later(make: Any, stub: OpenAIStub) -> None:
    """Defect 9: a slow endpoint made every answer wait out its full retries."""
    llm = make(llm_timeout=1.0, llm_breaker_cooldown=1.5)
    examiner = llm.examiner
    stub.script(*[Behaviour(kind="delay", seconds=3)] * 2)
    first, second = (examiner.examine(_request(llm)) for _ in range(2))
    assert [first.usage["fallback_reason"], second.usage["fallback_reason"]] == ["timeout", "timeout"]  # type: ignore[index]
    assert second.note is not None and "2 answers in a row" in second.note and "in a row" not in (first.note or "")
    calls = len(stub.requests)
    start = time.monotonic()
    paused = examiner.examine(_request(llm))
    assert time.monotonic() - start < 1.0 and len(stub.requests) == calls  # no request while paused
    assert paused.backend == "offline" and paused.note is None  # said once, on the answer that paused it
    assert paused.usage is not None and paused.usage["fallback_reason"] == "circuit_open"
    time.sleep(1.6)
    again = examiner.examine(_request(llm))
    assert again.backend == "llm" and len(stub.requests) == calls + 1


def test_two_step_mode_judges_then_asks_in_free_text(make: Any, stub: OpenAIStub) -> None:
    llm = make(llm_mode="two_step")
    stub.state.responder = _spoiled(
        key_points=lambda r: {k: {"covered": False, "evidence": ""} for k in r["key_points"]}
    )
    shown: list[str] = []
    before = len(stub.requests)
    result = llm.examiner.examine(_request(llm, on_text=shown.append))
    judge, ask = stub.requests[before:]
    assert reply_name(judge) == "Judgement"
    props = judge["response_format"]["json_schema"]["schema"]["properties"]
    assert set(props) == {"key_points", "dimensions", "score", "critique", "next_action"}
    assert "response_format" not in ask and "tools" not in ask and ask["max_completion_tokens"] <= 150
    point = max(llm.question_bank.get(QID).key_points, key=lambda kp: kp.weight).point
    assert point in ask["messages"][1]["content"]
    assert result.backend == "llm" and result.assessment.follow_up == generous_grader(ask)["text"]
    assert "".join(shown) == result.assessment.follow_up  # the question streamed
    assert result.usage is not None and result.usage["requests"] == 2


def test_two_step_mode_moves_on_in_one_call_and_rejects_a_non_question(make: Any, stub: OpenAIStub) -> None:
    llm = make(llm_mode="two_step")
    stub.state.responder = _spoiled(next_action="next_question")
    before = len(stub.requests)
    result = llm.examiner.examine(_request(llm))
    assert len(stub.requests) - before == 1 and result.backend == "llm" and result.assessment.follow_up is None

    def mumbles(request: dict[str, Any]) -> dict[str, Any]:
        return {"text": "GANs"} if reply_name(request) is None else generous_grader(request)

    stub.state.responder = mumbles
    before = len(stub.requests)
    result = llm.examiner.examine(_request(llm))
    assert len(stub.requests) - before == 3  # the judgement, the message, the message once more
    assert result.backend == "offline" and result.usage is not None
    assert result.usage["fallback_reason"] == "nonsense_reply"
