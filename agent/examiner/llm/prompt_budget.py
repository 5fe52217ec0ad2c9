"""Fitting one LLM call into the token budget (``MOCK_INTERVIEW_CONTEXT_TOKENS``).

The whole prompt counts: system prompt, rubric, guide passages, memory, a summary of
earlier questions, the most recent conversation, the answer, and the reply schema sent
with the request. When it does not fit, the raw recent turns go first, oldest first
(each earlier question stays as a line of the summary), then passages are shortened and
dropped, then the summary keeps only its latest lines, then the memory is cut; the
answer is cut last. A budget too small for the fixed parts is a configuration error
found at start, not mid-interview.

The reply schema is counted as the call sends it (its rubric ids and passage ids, in its
wire form) when the examiner gives its size; the startup check uses the largest rubric's.
:meth:`PromptBudget.breakdown` says where a prompt's tokens go, part by part.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from agent import prompts
from knowledge.tokens import TokenCounter

# Tokens a chat API adds around each message and to prime the reply (OpenAI's accounting).
PER_MESSAGE = 4
REPLY_PRIMING = 3
MIN_ANSWER_TOKENS = 150
MIN_PASSAGE_TOKENS = 40
ANSWER_SHARE = 0.45  # the answer may use at most this part of the budget
SUMMARY_LINES = 6


class BudgetError(ValueError):
    """The configured budget cannot hold the fixed parts of a prompt."""


@dataclass(frozen=True)
class PromptParts:
    track: str
    topic: str
    question: str
    rubric: list[str]
    passages: list[str]
    memory: list[str]
    summary: list[str]
    recent: list[str]
    answer: str
    follow_ups_left: int


@dataclass(frozen=True)
class FittedPrompt:
    system: str
    user: str
    tokens: int
    parts: PromptParts  # what was sent, after fitting
    schema_tokens: int  # what the reply schema was counted as
    folded_turns: int = 0
    shortened_passages: bool = False
    answer_truncated: bool = False
    notes: list[str] = field(default_factory=list)


def _render(parts: PromptParts, system_prompt: str) -> tuple[str, str]:
    rule = prompts.render("llm_follow_up_rule", left=parts.follow_ups_left)
    system = prompts.render(system_prompt, track=parts.track, follow_up_rule=rule)
    user = prompts.render(
        "llm_turn",
        topic=parts.topic,
        question=parts.question,
        rubric="\n".join(parts.rubric),
        passages="\n\n".join(parts.passages) or "(none)",
        memory="\n".join(parts.memory) or "(nothing recorded)",
        summary="\n".join(parts.summary) or "(this is the first question)",
        recent="\n".join(parts.recent) or "(none)",
        answer=parts.answer,
    )
    return system, user


class PromptBudget:
    def __init__(
        self, counter: TokenCounter, budget: int, schema_tokens: int = 0, system_prompt: str = "llm_system"
    ) -> None:
        """``schema_tokens``: what the reply schema (response_format or tool) adds to every call;
        ``system_prompt``: the prompt file of the call's system message (``llm_judge_system`` in
        the two-step mode)."""
        self.counter = counter
        self.budget = budget
        self.schema_tokens = schema_tokens
        self.system_prompt = system_prompt

    def size(self, parts: PromptParts, schema_tokens: int | None = None) -> int:
        system, user = _render(parts, self.system_prompt)
        messages = self.counter.count(system) + self.counter.count(user) + 2 * PER_MESSAGE + REPLY_PRIMING
        return messages + (self.schema_tokens if schema_tokens is None else schema_tokens)

    def breakdown(self, parts: PromptParts, schema_tokens: int | None = None) -> dict[str, int]:
        """Tokens per part of the prompt ``parts`` renders to; they add up to :meth:`size`.
        ``labels`` is what the templates add around the parts (headings, markers, separators,
        the chat format's per-message tokens)."""
        count = self.counter.count
        system, _ = _render(parts, self.system_prompt)
        out = {
            "system prompt": count(system),
            "topic and question": count(parts.topic) + count(parts.question),
            "rubric": count("\n".join(parts.rubric)),
            "guide passages": count("\n\n".join(parts.passages)),
            "memory": count("\n".join(parts.memory)),
            "earlier questions": count("\n".join(parts.summary)),
            "recent conversation": count("\n".join(parts.recent)),
            "answer": count(parts.answer),
            "reply schema": self.schema_tokens if schema_tokens is None else schema_tokens,
        }
        out["labels"] = self.size(parts, schema_tokens) - sum(out.values())
        return out

    def check_fixed(self, parts: PromptParts) -> None:
        """Raise :class:`BudgetError` if even a minimal prompt for ``parts`` cannot fit."""
        bare = replace(parts, passages=[], memory=[], summary=[], recent=[], answer="x")
        needed = self.size(bare) + MIN_ANSWER_TOKENS
        if needed > self.budget:
            raise BudgetError(
                f"MOCK_INTERVIEW_CONTEXT_TOKENS={self.budget} is too small: the fixed part of a prompt "
                f"needs {needed} tokens; use at least {needed}"
            )

    def fit(self, parts: PromptParts, schema_tokens: int | None = None) -> FittedPrompt:
        """``schema_tokens``: this call's reply schema (default: the largest rubric's)."""
        self.check_fixed(parts)
        schema = self.schema_tokens if schema_tokens is None else schema_tokens
        answer_cap = max(MIN_ANSWER_TOKENS, int(self.budget * ANSWER_SHARE))
        truncated = self.counter.count(parts.answer) > answer_cap
        if truncated:
            parts = replace(parts, answer=self.counter.truncate(parts.answer, answer_cap) + " [...]")
        folded = 0
        shortened = False
        while (size := self.size(parts, schema)) > self.budget:
            if parts.recent:
                parts = replace(parts, recent=parts.recent[1:])
                folded += 1
            elif parts.passages and self._can_shorten(parts.passages):
                parts = replace(parts, passages=self._shorten(parts.passages))
                shortened = True
            elif parts.passages:
                parts = replace(parts, passages=parts.passages[:-1])
                shortened = True
            elif parts.summary:
                parts = replace(parts, summary=parts.summary[1:])
            elif parts.memory:
                parts = replace(parts, memory=parts.memory[:-1])
            else:
                answer_tokens = self.counter.count(parts.answer)
                keep = answer_tokens - (size - self.budget) - 8
                if keep < 1:  # cannot happen when check_fixed passed; never loop forever
                    raise BudgetError(f"MOCK_INTERVIEW_CONTEXT_TOKENS={self.budget} cannot hold this prompt")
                parts = replace(parts, answer=self.counter.truncate(parts.answer, keep) + " [...]")
                truncated = True
        system, user = _render(parts, self.system_prompt)
        notes = []
        if truncated:
            notes.append(prompts.render("note_answer_shortened"))
        return FittedPrompt(system, user, self.size(parts, schema), parts, schema, folded, shortened, truncated, notes)

    def _can_shorten(self, passages: list[str]) -> bool:
        # The margin guarantees each cut makes progress (a cut adds an ellipsis).
        return any(self.counter.count(p) > MIN_PASSAGE_TOKENS + 8 for p in passages)

    def _shorten(self, passages: list[str]) -> list[str]:
        """Cut the longest passage by a third (never below the minimum)."""
        sizes = [self.counter.count(p) for p in passages]
        longest = max(range(len(passages)), key=lambda i: sizes[i])
        keep = max(MIN_PASSAGE_TOKENS, (sizes[longest] * 2) // 3)
        out = list(passages)
        out[longest] = self.counter.truncate(passages[longest], keep) + " …"
        return out
