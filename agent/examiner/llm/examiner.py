"""The LLM examiner: a structured-output call per answer, checked for meaning, then verified.

It implements the same :class:`~agent.examiner.seam.Examiner` protocol as the offline
examiner and returns the same :class:`~agent.examiner.models.Assessment`.

- **One call** (the default, ``MOCK_INTERVIEW_LLM_MODE=one_call``): the judgement, citations
  and the interviewer's next words in one reply.
- **Two steps** (``two_step``, for small local models): first the judgement alone in a
  tight schema, then, only when a follow-up is due, a short free-text question. Each call
  is small enough for a 1-8B model; the missed point to ask about is chosen by the product.

Each reply is bounded by a schema built for its request (``schema``), checked for meaning
(``checks``) and verified against the answer and the guide (``reconcile``). Requests, the
deadline and retries are ``calls``' business. When the model cannot give a usable reply the
offline assessment is returned with one line naming why; the interview goes on. After
repeated failures a circuit breaker (``breaker``) stops asking the model for a while.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Literal

from langchain_core.messages import HumanMessage, SystemMessage

from agent import prompts
from agent.examiner.citer import Citer
from agent.examiner.llm import checks
from agent.examiner.llm.breaker import CircuitBreaker
from agent.examiner.llm.calls import Deadline, ModelCalls
from agent.examiner.llm.errors import ModelFailure, classify
from agent.examiner.llm.pricing import estimate_cost
from agent.examiner.llm.prompt_budget import PromptBudget, PromptParts
from agent.examiner.llm.reconcile import Passage, reconcile
from agent.examiner.llm.schema import InterviewerTurn, Judgement, judgement_schema, turn_schema
from agent.examiner.seam import MAX_FOLLOW_UPS, Examiner, ExamRequest, ExamResult
from agent.records import Backend, CallUsage
from knowledge.project_story import is_project_story
from knowledge.question_bank import Question, QuestionBank
from knowledge.retrieval import HybridRetriever
from knowledge.taxonomy import ROLE_TITLES, TOPIC_TITLES

LLMMode = Literal["one_call", "two_step"]
MAX_PASSAGES = 6
SUMMARY_LINES = 6
FOLLOW_UP_TOKENS = 120  # the two-step mode's question: one or two sentences
FOLLOW_UP_ANSWER_TOKENS = 400  # how much of the answer the follow-up call sees
# A provider renders the schema its own way before counting it; JSON's token count plus this
# share stays above what the local stub and llama-server were measured to charge.
SCHEMA_MARGIN = 1.1


class LLMExaminer:
    name: Backend = "llm"
    uses_similar_misses = True

    def __init__(
        self,
        calls: ModelCalls,
        offline: Examiner,
        citer: Citer,
        retriever: HybridRetriever,
        budget: PromptBudget,
        model_name: str,
        breaker: CircuitBreaker,
        mode: LLMMode = "one_call",
        bounded: bool = True,
        self_hosted: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.calls = calls
        self.offline = offline
        self.citer = citer
        self.retriever = retriever
        self.budget = budget
        self.model_name = model_name
        self.breaker = breaker
        self.mode = mode
        self.bounded = bounded  # numeric and length bounds in the schema (not for api.openai.com)
        self.self_hosted = self_hosted
        self.clock = clock
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="offline-evidence")

    # --- building the prompt ------------------------------------------------------------

    def _passages(self, question: Question) -> list[tuple[str, str, str]]:
        """(id, section, text) for the guide passages of the rubric's sections."""
        out: list[tuple[str, str, str]] = []
        seen: set[str] = set()
        for point in sorted(question.key_points, key=lambda kp: -kp.weight):
            for passage in self.retriever.section_passages(point.section):
                if passage.text in seen or len(out) >= MAX_PASSAGES:
                    continue
                seen.add(passage.text)
                out.append((f"P{len(out) + 1}", passage.section, passage.text))
        return out

    def parts(self, request: ExamRequest, passages: list[tuple[str, str, str]]) -> PromptParts:
        question = request.question
        earlier = list(request.earlier)
        summary = [
            prompts.render(
                "llm_summary_line",
                topic=TOPIC_TITLES[e["topic"]],
                score=f"{e['score']:g}",
                missed=prompts.render("llm_summary_missed", points="; ".join(e["missed"][:3])) if e["missed"] else "",
            )
            for e in earlier[-SUMMARY_LINES:]
        ]
        if len(earlier) > SUMMARY_LINES:
            older = earlier[:-SUMMARY_LINES]
            mean = sum(e["score"] for e in older) / len(older)
            summary.insert(0, prompts.render("llm_summary_older", count=len(older), mean=f"{mean:.1f}"))
        rubric = [f"- {kp.id}: {kp.point}" for kp in question.key_points]
        if is_project_story(question):  # the rubric is the story framework: say how to read it
            rubric.insert(0, prompts.render("llm_deep_dive"))
        return PromptParts(
            track=ROLE_TITLES[request.role],
            topic=TOPIC_TITLES[question.topic],
            question=question.question,
            rubric=rubric,
            passages=[f"[{pid}] {section}\n{text}" for pid, section, text in passages],
            memory=list(
                dict.fromkeys(
                    [prompts.render("llm_memory_missed", point=question.key_point(k).point) for k in request.tendencies]
                    + [prompts.render("llm_memory_similar", point=point) for point in request.similar_misses]
                )
            ),
            summary=summary,
            recent=recent_lines(request),
            answer=request.answer,
            follow_ups_left=max(0, MAX_FOLLOW_UPS - request.follow_ups_asked),
        )

    def close(self) -> None:
        self._pool.shutdown(wait=False)

    def check_budget(self, bank: QuestionBank) -> None:
        """Raise BudgetError now if the largest rubric's fixed prompt cannot fit the budget."""
        for question in bank.questions:
            request = ExamRequest(question=question, answer="", latest="")
            self.budget.check_fixed(self.parts(request, []))

    # --- the call -------------------------------------------------------------------------

    def examine(self, request: ExamRequest) -> ExamResult:
        # The offline assessment (evidence for reconciliation, and the fallback) is computed
        # while the request is on the wire.
        offline_future = self._pool.submit(self.offline.examine, request)
        if not self.breaker.allows_call():
            return self._fallback(offline_future, ModelFailure("circuit_open", "the model is paused"), None)
        passages = self._passages(request.question) if self.mode == "one_call" else []
        name, schema = self._reply_schema(request, passages)
        schema_tokens = int(self.budget.counter.count(json.dumps(self.calls.sent_schema(name, schema))) * SCHEMA_MARGIN)
        fitted = self.budget.fit(self.parts(request, passages), schema_tokens)
        sent = {text.split("]", 1)[0].lstrip("[") for text in fitted.parts.passages}
        if len(sent) < len(passages):  # the budget dropped some: the reply may cite only what was sent
            passages = [p for p in passages if p[0] in sent]
            name, schema = self._reply_schema(request, passages)  # smaller than the one budgeted for
        messages = [SystemMessage(fitted.system), HumanMessage(fitted.user)]
        usage = CallUsage(
            input_tokens=0,
            output_tokens=0,
            requests=0,
            prompt_tokens_estimate=fitted.tokens,
            prompt_parts=self.budget.breakdown(fitted.parts, fitted.schema_tokens),
        )
        deadline = self.calls.deadline()
        try:
            if self.mode == "one_call":
                turn = self._one_call(request, messages, passages, schema, usage, deadline)
            else:
                turn = self._two_step(request, messages, schema, usage, deadline)
        except Exception as exc:  # noqa: BLE001 - any failure of the model means: assess offline
            usage["seconds"] = round(self.clock() - deadline.started, 3)
            failure = classify(exc)
            return self._fallback(offline_future, failure, usage, opened=self.breaker.failed())
        usage["seconds"] = round(self.clock() - deadline.started, 3)  # the model's time, not the offline wait
        self.breaker.succeeded()
        assessment = reconcile(request, turn, offline_future.result(), passages, fitted.notes, self.citer)
        probe = f"llm:{request.follow_ups_asked + 1}" if assessment.follow_up else None
        return ExamResult(assessment, self.name, None, probe, self._usage(usage))

    def _reply_schema(self, request: ExamRequest, passages: list[Passage]) -> tuple[str, dict[str, Any]]:
        """The name and JSON schema of this call's reply (its rubric ids, passage ids, follow-ups left)."""
        rubric_ids = [kp.id for kp in request.question.key_points]
        left = max(0, MAX_FOLLOW_UPS - request.follow_ups_asked)
        cap = self.calls.policy.max_reply_tokens
        if self.mode == "one_call":
            return "InterviewerTurn", turn_schema(rubric_ids, [pid for pid, _, _ in passages], left, self.bounded, cap)
        return "Judgement", judgement_schema(rubric_ids, left, self.bounded, cap)

    def _one_call(
        self,
        request: ExamRequest,
        messages: list[Any],
        passages: list[Passage],
        schema: dict[str, Any],
        usage: CallUsage,
        deadline: Deadline,
    ) -> InterviewerTurn:
        rubric_ids = [kp.id for kp in request.question.key_points]
        passage_ids = [pid for pid, _, _ in passages]
        left = max(0, MAX_FOLLOW_UPS - request.follow_ups_asked)

        def parse(text: str) -> InterviewerTurn:
            turn = checks.parse(text, InterviewerTurn)
            if not passage_ids:  # none was sent (the budget dropped them): nothing can be cited
                turn = turn.model_copy(update={"citations": []})
            checks.check_turn(turn, rubric_ids, passage_ids, left)
            return turn

        return self.calls.structured(messages, "InterviewerTurn", schema, parse, usage, deadline, request.on_text)

    def _two_step(
        self, request: ExamRequest, messages: list[Any], schema: dict[str, Any], usage: CallUsage, deadline: Deadline
    ) -> InterviewerTurn:
        question = request.question
        rubric_ids = [kp.id for kp in question.key_points]
        left = max(0, MAX_FOLLOW_UPS - request.follow_ups_asked)

        def parse(text: str) -> Judgement:
            judgement = checks.parse(text, Judgement)
            checks.check_judgement(judgement, rubric_ids)
            return judgement

        judgement = self.calls.structured(messages, "Judgement", schema, parse, usage, deadline)
        missed = [kp for kp in question.key_points if not judgement.key_points[kp.id].covered]
        missed = [kp for kp in missed if kp.id not in request.covered_before] or missed
        message = ""
        if judgement.next_action == "follow_up" and left > 0:
            # The most important missed point; with none missed, depth (measurement, costs).
            point = max(missed, key=lambda kp: kp.weight).point if missed else prompts.render("llm_follow_up_depth")
            ask = [
                SystemMessage(prompts.render("llm_follow_up_system", track=ROLE_TITLES[request.role])),
                HumanMessage(
                    prompts.render(
                        "llm_follow_up_turn",
                        question=question.question,
                        answer=self.budget.counter.truncate(request.answer, FOLLOW_UP_ANSWER_TOKENS),
                        point=point,
                    )
                ),
            ]

            def check(text: str) -> str:
                checks.check_message(text, follow_up=True)
                return text.strip()

            message = self.calls.text(ask, check, usage, deadline, FOLLOW_UP_TOKENS, request.on_text)
        next_action = "follow_up" if message else "next_question"
        return InterviewerTurn(**{**judgement.model_dump(), "next_action": next_action}, message=message)

    def _usage(self, usage: CallUsage, failure: ModelFailure | None = None) -> CallUsage:
        """Tokens of every reply the server finished, failed ones included, and their cost."""
        out = CallUsage(**usage, model=self.model_name)
        out["cost_usd"] = estimate_cost(
            self.model_name, usage.get("input_tokens", 0), usage.get("output_tokens", 0), self.self_hosted
        )
        if failure is not None:
            out["failed"] = failure.line
            out["fallback_reason"] = failure.reason
        return out

    def _fallback(
        self,
        offline_future: Future[ExamResult],
        failure: ModelFailure,
        usage: CallUsage | None,
        opened: bool = False,
    ) -> ExamResult:
        fallback = offline_future.result()
        if usage is None:  # the breaker is open: no request was made
            record = CallUsage(requests=0, failed=failure.line, fallback_reason=failure.reason)
            return ExamResult(fallback.assessment, "offline", None, fallback.probe_id, record)
        note = prompts.render("note_llm_fallback", reason=failure.line)
        if opened:
            minutes = max(1, round(self.breaker.cooldown / 60))
            note += " " + prompts.render("note_llm_paused", failures=self.breaker.failures, minutes=minutes)
        return ExamResult(fallback.assessment, "offline", note, fallback.probe_id, self._usage(usage, failure))


def recent_lines(request: ExamRequest) -> list[str]:
    """The recent conversation, without a second copy of the answer: the candidate's lines
    on this question (after it was asked) that the answer block quotes verbatim are
    replaced by a short marker, so the model still sees which follow-up each replied to."""
    history = request.history
    asked = max(
        (i for i, m in enumerate(history) if m["role"] == "assistant" and request.question.question in m["content"]),
        default=-1,
    )
    answered = prompts.render("llm_recent_answered")
    lines = []
    for i, m in enumerate(history):
        said = m["content"].strip()
        quoted = i > asked and m["role"] == "user" and bool(said) and said in request.answer
        lines.append(f"{m['role']}: {answered if quoted else m['content']}")
    return lines


def reply_schema_tokens(bank: QuestionBank, count: Callable[[str], int]) -> int:
    """What the reply schema adds to a call at most: for the largest rubric and every passage,
    in its larger wire form (a tool definition), with a margin. The startup check uses it;
    each call counts its own schema."""
    largest = max([len(q.key_points) for q in bank.questions] + [6])
    ids = [f"key_point_id_{n}" for n in range(largest)]
    schema = turn_schema(ids, [f"P{n + 1}" for n in range(MAX_PASSAGES)], MAX_FOLLOW_UPS, bounded=True)
    tool = {"type": "function", "function": {"name": "InterviewerTurn", "parameters": schema, "strict": True}}
    return int(count(json.dumps(tool)) * SCHEMA_MARGIN)
