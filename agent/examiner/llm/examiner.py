"""The LLM examiner: one structured-output call per answer, grounded and verified.

It implements the same :class:`~agent.examiner.seam.Examiner` protocol as the offline
examiner and returns the same :class:`~agent.examiner.models.Assessment`. The model is trusted
for judgement and wording, and verified where it matters:

- citations must name a passage that was in the prompt and quote it; others are dropped,
  and a missed point without a valid citation gets the offline citation of its section;
- a key point counts as covered only if the model's evidence is the candidate's own
  words, and for an answer the offline examiner flags as gaming, its evidence stands;
- the model's score stands, except where a gaming detector fires (grader instructions,
  keyword lists, copied question, off-topic, no attempt, empty, not English): their caps
  apply, so text in the answer cannot talk the grader into a high score. Only detectors
  with no false flag on the rated evaluation set's genuine answers are used this way; the
  offline score itself never caps the model (its mistakes would drag a good model down).

Faults (timeouts, 429, 5xx, dropped connections) are retried by the OpenAI client only
(``max_retries``, which honours Retry-After); an unparseable or schema-violating reply is
asked for once more. If the call still fails, the offline assessment is returned with a
one-line note, so the interview goes on.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.exceptions import OutputParserException
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.outputs import ChatGenerationChunk, GenerationChunk, LLMResult
from pydantic import ValidationError

from agent import prompts
from agent.examiner.citer import Citer
from agent.examiner.gaming import cap_for
from agent.examiner.llm.errors import describe_failure
from agent.examiner.llm.pricing import estimate_cost
from agent.examiner.llm.prompt_budget import PromptBudget, PromptParts
from agent.examiner.llm.schema import InterviewerTurn
from agent.examiner.llm.streaming import JsonFieldStream
from agent.examiner.models import DIMENSIONS, Assessment, Citation
from agent.examiner.seam import MAX_FOLLOW_UPS, Examiner, ExamRequest, ExamResult
from agent.records import Backend, CallUsage
from knowledge.lexical import tokenize
from knowledge.question_bank import Question, QuestionBank
from knowledge.retrieval import HybridRetriever
from knowledge.taxonomy import ROLE_TITLES, TOPIC_TITLES

EVIDENCE_OVERLAP = 0.6
PARSE_ATTEMPTS = 2
MAX_PASSAGES = 6
SUMMARY_LINES = 6


class _CallWatcher(BaseCallbackHandler):
    """Forwards the ``message`` field of the streaming JSON reply as it arrives, and
    records the token usage the server reports at the end of the call."""

    def __init__(self, forward: Callable[[str], None] | None) -> None:
        self.forward = forward
        self.field = JsonFieldStream("message")
        self.input_tokens = 0
        self.output_tokens = 0

    def on_llm_end(
        self, response: LLMResult, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> None:
        for generations in response.generations:
            for generation in generations:
                meta = getattr(getattr(generation, "message", None), "usage_metadata", None) or {}
                self.input_tokens += int(meta.get("input_tokens", 0))
                self.output_tokens += int(meta.get("output_tokens", 0))

    def on_llm_new_token(
        self,
        token: str | list[str | dict[str, Any]],
        *,
        chunk: GenerationChunk | ChatGenerationChunk | None = None,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        if self.forward is None:
            return
        pieces = [token] if isinstance(token, str) and token else []
        message = getattr(chunk, "message", None)
        for call in getattr(message, "tool_call_chunks", None) or []:
            if call.get("args"):
                pieces.append(call["args"])
        for piece in pieces:
            text = self.field.feed(piece)
            if text:
                self.forward(text)


def _quoted_from(evidence: str, answer_stems: set[str]) -> bool:
    """A covered point must come with the candidate's own words: most of the evidence's
    content words have to be in the answer (a model may trim or re-case a quote)."""
    words = tokenize(evidence)
    return len(words) >= 2 and sum(w in answer_stems for w in words) / len(words) >= EVIDENCE_OVERLAP


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("“", '"').replace("”", '"').replace("’", "'")).strip().lower()


class LLMExaminer:
    name: Backend = "llm"
    uses_similar_misses = True

    def __init__(
        self,
        chat_model: Any,
        streaming_chat_model: Any,
        structured_output: str,
        offline: Examiner,
        citer: Citer,
        retriever: HybridRetriever,
        budget: PromptBudget,
        model_name: str,
        secret: str | None = None,
        self_hosted: bool = False,
    ) -> None:
        # include_raw would run the parser in a thread pool; usage is read by a callback instead.
        self.runnable = chat_model.with_structured_output(InterviewerTurn, method=structured_output)
        self.streaming_runnable = streaming_chat_model.with_structured_output(InterviewerTurn, method=structured_output)
        self.offline = offline
        self.citer = citer
        self.retriever = retriever
        self.budget = budget
        self.model_name = model_name
        self.secret = secret
        self.self_hosted = self_hosted
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
        return PromptParts(
            track=ROLE_TITLES[request.role],
            topic=TOPIC_TITLES[question.topic],
            question=question.question,
            rubric=[f"- {kp.id}: {kp.point}" for kp in question.key_points],
            passages=[f"[{pid}] {section}\n{text}" for pid, section, text in passages],
            memory=list(
                dict.fromkeys(
                    [prompts.render("llm_memory_missed", point=question.key_point(k).point) for k in request.tendencies]
                    + [prompts.render("llm_memory_similar", point=point) for point in request.similar_misses]
                )
            ),
            summary=summary,
            recent=[f"{m['role']}: {m['content']}" for m in request.history],
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
        passages = self._passages(request.question)
        fitted = self.budget.fit(self.parts(request, passages))
        messages = [SystemMessage(fitted.system), HumanMessage(fitted.user)]
        usage = CallUsage(input_tokens=0, output_tokens=0, requests=0, prompt_tokens_estimate=fitted.tokens)
        try:
            turn = self._call(messages, request.on_text, usage)
        except Exception as exc:  # noqa: BLE001 - any failure of the model means: assess offline
            fallback = offline_future.result()
            reason = describe_failure(exc, self.secret)
            note = prompts.render("note_llm_fallback", reason=reason)
            failed = CallUsage(**usage, failed=reason)
            return ExamResult(fallback.assessment, "offline", note, fallback.probe_id, failed)
        assessment = self._reconcile(request, turn, offline_future.result(), passages, fitted.notes)
        probe = f"llm:{request.follow_ups_asked + 1}" if assessment.follow_up else None
        cost = estimate_cost(
            self.model_name, usage.get("input_tokens", 0), usage.get("output_tokens", 0), self.self_hosted
        )
        return ExamResult(assessment, self.name, None, probe, CallUsage(**usage, model=self.model_name, cost_usd=cost))

    def _call(self, messages: list[Any], on_text: Callable[[str], None] | None, usage: CallUsage) -> InterviewerTurn:
        problem: Exception | None = None
        for attempt in range(PARSE_ATTEMPTS):
            # Only the first attempt streams: text already shown cannot be taken back.
            watcher = _CallWatcher(on_text if attempt == 0 else None)
            usage["requests"] = usage.get("requests", 0) + 1
            try:
                with warnings.catch_warnings():
                    # langchain-openai serialises the parsed model into a message field typed None
                    warnings.filterwarnings("ignore", message="Pydantic serializer warnings", category=UserWarning)
                    runnable = self.streaming_runnable if watcher.forward is not None else self.runnable
                    parsed = runnable.invoke(messages, config={"callbacks": [watcher]})
            except (OutputParserException, ValidationError, json.JSONDecodeError) as exc:
                problem = exc  # a malformed reply: ask once more; transport errors propagate
                continue
            finally:
                usage["input_tokens"] = usage.get("input_tokens", 0) + watcher.input_tokens
                usage["output_tokens"] = usage.get("output_tokens", 0) + watcher.output_tokens
            if isinstance(parsed, InterviewerTurn):
                return parsed
            problem = ValueError("the reply did not match the schema")
        assert problem is not None
        raise problem

    # --- trust, but verify ---------------------------------------------------------------

    def _reconcile(
        self,
        request: ExamRequest,
        turn: InterviewerTurn,
        fallback: ExamResult,
        passages: list[tuple[str, str, str]],
        notes: list[str],
    ) -> Assessment:
        question = request.question
        offline, flag_lines = fallback.assessment, list(fallback.flag_lines)
        cap = cap_for(offline.flags)
        dims = turn.dimensions.model_dump()
        dimensions = {d: max(0, min(2, int(dims.get(d, 0)))) for d in DIMENSIONS}
        if cap is not None:
            # A gaming answer: the model's claims are not trusted; the offline evidence stands.
            said_covered = set(offline.covered_ids)
            dimensions = {d: min(v, offline.dimensions.get(d, 0)) for d, v in dimensions.items()}
        else:
            known = {kp.id for kp in question.key_points}
            said = set(tokenize(request.answer))
            said_covered = {
                j.id for j in turn.key_points if j.covered and j.id in known and _quoted_from(j.evidence, said)
            }
        covered = [kp for kp in question.key_points if kp.id in said_covered]
        missed = [kp for kp in question.key_points if kp.id not in said_covered]
        score = max(0.0, min(10.0, float(turn.score)))
        score = score if cap is None else min(score, cap)
        score = round(score * 2) / 2
        citations = self._verified_citations(turn, passages)
        cited_sections = {c.section for c in citations}
        for kp in missed:  # a missed point the model did not cite gets its section's own sentence
            fallback_citation = self.citer.cite(kp) if kp.section not in cited_sections else None
            if fallback_citation is not None:
                citations.append(fallback_citation)
                cited_sections.add(kp.section)
        critique = " ".join([*flag_lines, turn.critique.strip()])  # why a cap applied comes first
        follow_up = None
        if turn.next_action == "follow_up" and request.follow_ups_asked < MAX_FOLLOW_UPS and turn.message.strip():
            follow_up = turn.message.strip()
        return Assessment(
            question_id=question.id,
            topic=question.topic,
            score=score,
            dimensions=dimensions,
            covered=[kp.point for kp in covered],
            missed=[kp.point for kp in missed],
            covered_ids=[kp.id for kp in covered],
            missed_ids=[kp.id for kp in missed],
            critique=critique,
            citations=citations,
            follow_up=follow_up,
            flags=offline.flags,
            notes=[*offline.notes, *notes],
        )

    @staticmethod
    def _verified_citations(turn: InterviewerTurn, passages: list[tuple[str, str, str]]) -> list[Citation]:
        by_id = {pid: (section, text) for pid, section, text in passages}
        out: list[Citation] = []
        for citation in turn.citations:
            found = by_id.get(citation.passage.strip().strip("[]"))
            quote = citation.quote.strip().strip('"“”')
            if found is None or len(quote) < 8 or _normalise(quote) not in _normalise(found[1]):
                continue  # not a passage we gave it, or not words from it
            if all(c.quote != quote for c in out):
                out.append(Citation(section=found[0], quote=quote))
        return out
