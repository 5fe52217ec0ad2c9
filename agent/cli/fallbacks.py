"""``--require-llm`` means every answer: a run in which any answer fell back offline fails.

The run's output is printed first (nothing is lost); then one line names the answers that
fell back and why, and the exit status is 2.
"""

from __future__ import annotations

from collections.abc import Sequence

from agent.examiner.llm.errors import fallback_reason
from agent.store.transcripts import Transcripts
from knowledge.errors import UserError


class LLMFellBack(UserError):
    exit_status = 2


def session_fallbacks(store: Transcripts, session_id: str) -> tuple[list[tuple[str, str]], int]:
    """The session's answers assessed offline, as (which, why), and how many answers it has."""
    answered = [t for t in store.turns(session_id) if t["assessment"] is not None]
    fell_back: list[tuple[str, str]] = [
        (f"turn {t['seq']}", fallback_reason(t["usage"]) or "offline") for t in answered if t["backend"] != "llm"
    ]
    return fell_back, len(answered)


def require_llm(required: bool, fell_back: Sequence[tuple[str, str]], answers: int) -> None:
    """Raise when ``required`` and any of ``answers`` fell back; ``fell_back``: (which, why) pairs."""
    if not required or not fell_back:
        return
    named = ", ".join(f"{which} ({why})" for which, why in fell_back)
    raise LLMFellBack(
        f"--require-llm: {len(fell_back)} of {answers} answers fell back to the offline examiner: {named}"
    )
