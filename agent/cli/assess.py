"""``mock-interview assess``: judge one answer, or a batch of them in one process."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, TypedDict

import yaml

from agent.cli.fallbacks import require_llm
from agent.cli.json_output import print_json
from agent.examiner.llm.errors import fallback_reason
from agent.examiner.seam import ExamRequest
from agent.records import AssessmentRecord, CallUsage, FallbackReason
from agent.services import Services
from knowledge.errors import QuestionBankError, UsageError
from knowledge.files import read_text
from knowledge.lexical import tokenize

MAX_FILE_BYTES = 5 * 1024 * 1024


class Matched(TypedDict):
    id: str
    question: str
    similarity: float


class AssessedAnswer(AssessmentRecord):
    """One line of ``assess --json`` / ``assess --batch``."""

    matched: Matched | None
    backend: str
    fallback_reason: FallbackReason | None  # why the LLM examiner's answer was assessed offline
    backend_note: str | None  # the same, as the one line shown to people
    usage: CallUsage | None  # the model's tokens, requests and seconds (failed calls included)


def read_text_file(path: Path, what: str = "answer file") -> str:
    """The text in ``path`` through the one guarded reader (regular files only, 5 MB read at
    most), or a one-line error: missing, a directory, a device, too big, binary, not UTF-8, empty."""
    return read_text(path, what, MAX_FILE_BYTES, UsageError)


def _assess_one(services: Services, question_text: str | None, question_id: str | None, answer: str) -> AssessedAnswer:
    if question_id is not None:
        try:
            question = services.question_bank.get(question_id)
        except QuestionBankError:
            raise UsageError(f"unknown question id {question_id!r}; see: mock-interview questions") from None
        matched: Matched | None = Matched(id=question.id, question=question.question, similarity=1.0)
        from_bank = True
    else:
        assert question_text is not None
        if not tokenize(question_text):
            raise UsageError("the question has no words to match against the guide; write it out in full")
        match = services.question_matcher.match(question_text)
        question, from_bank = match.question, match.from_bank
        matched = (
            Matched(id=question.id, question=question.question, similarity=match.similarity) if from_bank else None
        )
    result = services.examiner.examine(ExamRequest(question=question, answer=answer, latest=answer))
    record = result.assessment.record()
    if not from_bank:
        record["question_id"] = None
    return AssessedAnswer(
        **record,
        matched=matched,
        backend=result.backend,
        fallback_reason=fallback_reason(result.usage),
        backend_note=result.note,
        usage=result.usage,
    )


def _require_llm(services: Services, results: list[AssessedAnswer]) -> None:
    fell_back: list[tuple[str, str]] = [
        (f"answer {n}", r["fallback_reason"] or "offline") for n, r in enumerate(results, 1) if r["backend"] != "llm"
    ]
    require_llm(services.require_llm, fell_back, len(results))


def _batch_items(path: Path) -> list[tuple[str | None, str | None, str]]:
    text = read_text_file(path, "batch file")
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            raw: Any = yaml.safe_load(text)
        else:
            raw = [json.loads(line) for line in text.splitlines() if line.strip()]
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise UsageError(
            f"{path}: not valid {'YAML' if path.suffix.lower() in ('.yaml', '.yml') else 'JSONL'}: "
            f"{str(exc).splitlines()[0]}"
        ) from None
    if not isinstance(raw, list) or not raw:
        raise UsageError(f"{path}: expected a list of {{question or question_id, answer}} entries")
    items = []
    for number, entry in enumerate(raw, 1):
        if not isinstance(entry, dict):
            raise UsageError(f"{path}: entry {number} is not a mapping")
        answer, question, question_id = entry.get("answer"), entry.get("question"), entry.get("question_id")
        if not isinstance(answer, str) or not answer.strip():
            raise UsageError(f"{path}: entry {number} has no answer")
        if not isinstance(question, str) and not isinstance(question_id, str):
            raise UsageError(f"{path}: entry {number} needs a question or a question_id")
        items.append(
            (
                question if isinstance(question, str) else None,
                question_id if isinstance(question_id, str) else None,
                answer,
            )
        )
    return items


def assess(services: Services, args: argparse.Namespace) -> int:
    from agent.cli.interview import examiner_ready

    if args.batch is not None:
        if args.question or args.answer_file:
            raise UsageError("--batch takes the questions and answers from its file; drop --question/--answer-file")
        items = _batch_items(Path(args.batch))
        examiner_ready(services)
        results = [_assess_one(services, q, qid, a) for q, qid, a in items]
        if args.json:
            for result in results:
                print(json.dumps(result, ensure_ascii=False))
        else:
            for number, result in enumerate(results, 1):
                first = result["critique"].split(". ")[0]
                print(f"{number:>3}  {result['score']:>4g}/10  {result['question_id'] or '(guide rubric)'}  {first}")
        _require_llm(services, results)
        return 0
    if not args.question or not args.answer_file:
        raise UsageError("assess needs --question TEXT and --answer-file FILE (or --batch FILE)")
    answer = read_text_file(Path(args.answer_file))
    examiner_ready(services)
    result = _assess_one(services, args.question, None, answer)
    if args.json:
        print_json(result)
    else:
        _show(services, result)
    _require_llm(services, [result])
    return 0


def _show(services: Services, result: AssessedAnswer) -> None:
    from rich.console import Console

    from agent.cli import terminal

    console = Console(highlight=False)
    matched = result["matched"]
    if matched:
        console.print(f"[dim]Matched bank question {matched['id']}: {matched['question']}[/]")
    else:
        console.print("[dim]No bank question is close; the rubric was built from the guide.[/]")
    from agent.interview.notes import feedback_notes

    notes = feedback_notes(result, services.question_bank)
    terminal.feedback_panel(console, result, notes, result["backend_note"])
    if result["follow_up"]:
        console.print(f"[bold magenta]Follow-up:[/] {result['follow_up']}")
