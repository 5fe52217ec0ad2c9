"""The records that cross the product's boundaries, declared once.

Graph state, the transcript store, the CLI's JSON and the web app all exchange these. They
are TypedDicts, so at run time they are the plain JSON-like dicts the checkpointer stores,
while mypy checks every key a reader uses. The pydantic models an examiner builds
(``agent.examiner.models``) are dumped to these at the node boundary.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict, get_args

from knowledge.taxonomy import Role, Topic

Dimension = Literal["definition", "intuition", "example", "tradeoffs", "measurement"]
DIMENSIONS: tuple[Dimension, ...] = get_args(Dimension)

# Why an answer was marked down regardless of its content.
Flag = Literal[
    "empty",
    "no_attempt",
    "keyword_list",
    "copied_question",
    "off_topic",
    "grader_instruction",
    "truncated",
    "not_english",
]
Backend = Literal["offline", "llm"]
# Why an answer the LLM examiner was asked about was assessed offline (agent/examiner/llm/errors.py).
FallbackReason = Literal[
    "timeout",
    "token_limit",
    "schema_mismatch",
    "nonsense_reply",
    "rejected_key",
    "rate_limited",
    "server_error",
    "request_rejected",
    "not_found",
    "connection",
    "circuit_open",
    "unexpected",
]
MessageKind = Literal[
    "opening", "question", "answer", "feedback", "follow_up", "note", "report", "skip", "end", "retry"
]
PromptKind = Literal["question", "follow_up"]
Command = Literal["skip", "end", "retry"]  # what the Skip, End and Retry buttons (or /skip, /end, /retry) ask for


class ChatMessage(TypedDict):
    role: Literal["assistant", "user"]
    content: str
    kind: MessageKind
    n: NotRequired[int]  # numbered by the state's reducer


class HistoryLine(TypedDict):
    role: str
    content: str


class PlannedQuestion(TypedDict):
    question_id: str
    topic: Topic
    reason: Literal["revisit", "new", "project"]
    detail: str  # e.g. "mastery 4.5/10" for a revisit; the project's name for a deep dive
    asked_as: NotRequired[str]  # the wording put to this candidate: framed in the job's product, or a deep dive
    framed: NotRequired[bool]  # set in the job's product or domain (the rubric is the bank question's)


class JobRecord(TypedDict):
    """What a session knows of the job description it was tailored to."""

    name: str  # the file's name
    emphasis: dict[Topic, float]  # the topics the job stresses → their share (empty: it matched none)
    product: str | None  # the product or domain the team builds, as the job description says it


class ProjectRecord(TypedDict):
    """A project found in the candidate's CV or notes."""

    name: str
    detail: str  # the lines that describe it


class JobReadiness(TypedDict):
    """How ready the candidate is for the job: mastery over the topics it stresses."""

    name: str
    topics: dict[Topic, float | None]  # None: not practised yet
    mastery: float | None  # weighted by the job's emphasis, over the practised topics


class CitationRecord(TypedDict):
    section: str
    quote: str


class CorrectionRecord(TypedDict):
    said: str
    correction: str
    section: str


class AssessmentRecord(TypedDict):
    """``Assessment.record()``: what the state, the transcript store and every front end read."""

    question_id: str | None
    topic: Topic
    score: float
    dimensions: dict[Dimension, int]
    covered: list[str]
    missed: list[str]
    critique: str
    citations: list[CitationRecord]
    follow_up: str | None
    covered_ids: list[str]
    missed_ids: list[str]
    flags: list[Flag]
    notes: list[str]
    said: NotRequired[list[str]]  # absent in records saved before the interviewer's notes
    corrections: NotRequired[list[CorrectionRecord]]
    held: NotRequired[list[str]]  # absent in records saved before the critique named what held the score down


class CallUsage(TypedDict, total=False):
    """Tokens and requests of one examiner call (LLM only)."""

    input_tokens: int
    output_tokens: int
    requests: int
    prompt_tokens_estimate: int
    prompt_parts: dict[str, int]  # prompt_tokens_estimate by part (PromptBudget.breakdown)
    model: str
    cost_usd: float | None
    failed: str  # why the call failed, when it fell back offline: one line for people
    fallback_reason: FallbackReason  # the same, named for tools (--json)
    seconds: float  # wall time of the model calls for this answer


class SessionUsage(TypedDict):
    """Running totals of a session."""

    input_tokens: int
    output_tokens: int
    requests: int
    cost_usd: float | None
    llm_turns: int
    offline_turns: int
    model: NotRequired[str]


class QuestionView(TypedDict):
    """Where the question under discussion stands across its thread (see interview/thread.py)."""

    score: float
    covered_ids: list[str]
    dimensions: dict[Dimension, int]


class ExamRecord(TypedDict):
    """The latest assessment of the question under discussion (``last_exam`` in the state)."""

    assessment: AssessmentRecord
    backend: Backend
    note: str | None
    probe_id: str | None
    question: NotRequired[QuestionView]  # absent in sessions saved before threads were scored
    wording: NotRequired[list[str]]  # phrasings the follow-up used (offline examiner)
    change: NotRequired[str]  # on a second try's first answer: "6.5 → 8.5, now covers …"


class QuestionResult(TypedDict):
    """One closed question, compact: the full assessment is in the transcript store."""

    question_id: str
    topic: Topic
    skipped: bool
    score: float
    dimensions: dict[Dimension, int]
    missed_ids: list[str]
    covered_ids: list[str]
    excerpt: str
    words: NotRequired[int]
    backend: NotRequired[Backend]
    note: NotRequired[str | None]
    retried: NotRequired[bool]  # answered again with /retry; the best attempt counts


class EarlierQuestion(TypedDict):
    """A closed question as the LLM prompt summarises it."""

    topic: Topic
    score: float
    missed: list[str]


class ReportQuestion(TypedDict):
    question_id: str
    topic: Topic
    question: str
    score: float
    skipped: bool
    dimensions: dict[Dimension, int]
    missed_ids: list[str]
    excerpt: str
    words: int
    retried: NotRequired[bool]


class WeakTopic(TypedDict):
    topic: Topic
    score: float
    missed: list[str]


class StudyItem(TypedDict):
    topic: Topic
    sections: list[str]


class Highlight(TypedDict):
    question_id: str
    topic: Topic
    score: float
    excerpt: str


class Highlights(TypedDict, total=False):
    best: Highlight
    weakest: Highlight


class LongAnswer(TypedDict):
    question_id: str
    topic: Topic
    minutes: float


class ThinAnswer(TypedDict):
    question_id: str
    topic: Topic
    words: int


class Pace(TypedDict):
    long: list[LongAnswer]
    thin: list[ThinAnswer]


class Report(TypedDict):
    overall: float
    by_topic: dict[Topic, float]
    dimensions: dict[Dimension, float]
    strengths: list[Topic]
    weak_areas: list[WeakTopic]
    study_plan: list[StudyItem]
    questions: list[ReportQuestion]
    highlights: Highlights
    pace: Pace
    planned: int
    usage: NotRequired[SessionUsage]
    job: NotRequired[JobReadiness]  # sessions tailored to a job description


class SessionRow(TypedDict):
    id: str
    user: str
    role: Role
    created_at: str
    updated_at: str
    status: Literal["active", "completed"]
    questions: int
    backend: Backend
    plan: list[PlannedQuestion]
    overall: float | None
    report: Report | None
    draft: str


class TurnRow(TypedDict):
    session_id: str
    seq: int
    kind: PromptKind
    topic: Topic
    question_id: str | None
    prompt: str
    answer: str | None
    assessment: AssessmentRecord | None
    backend: Backend | None
    backend_note: str | None
    usage: CallUsage | None
    asked_at: str
    answered_at: str | None
