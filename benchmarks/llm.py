"""LLM-path benchmark against the local OpenAI-compatible stub (real HTTP, fixed latency).

- the agent's own overhead per turn: a whole interview turn minus the bare model call
  (the same request sent straight through the OpenAI client);
- model requests per answer on the critical path;
- prompt tokens per call across a 40+ turn session with a 3,000-token budget, and where
  the tokens of the turn-4 and turn-40 prompts go (the examiner's own per-part count,
  ``usage.prompt_parts`` in the transcript).

Run with ``make bench``; writes ``benchmarks/results/llm.md``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path
from statistics import mean

from agent.services import Services
from agent.settings import Settings
from benchmarks.common import median, percentile, write_markdown

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from openai_stub import OpenAIStub

LATENCY = 0.3
KEY = "sk-bench-local-stub-key"
ANSWER = (
    "Mode collapse is when the generator produces only a few kinds of outputs, so diversity drops. For example, in "
    "my project the sample grid showed near-identical shoes. We used Wasserstein loss and spectral normalization, at "
    "the cost of slower training, and tracked FID, which fell from 45 to 28."
)


def _services(home: Path, stub: OpenAIStub, budget: int) -> Services:
    settings = Settings.from_values(
        env_file=False,
        home=home,
        openai_api_key=KEY,
        openai_base_url=stub.base_url,
        context_tokens=budget,
        llm_timeout=10,
    )
    return Services(settings)


def bare_call_seconds(stub: OpenAIStub, runs: int = 10) -> list[float]:
    """The model call alone: the last recorded request replayed through the OpenAI client."""
    import openai

    request = dict(stub.requests[-1])
    client = openai.OpenAI(api_key=KEY, base_url=stub.base_url, max_retries=0)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        stream = client.chat.completions.create(**request)
        for _chunk in stream:
            pass
        times.append(time.perf_counter() - start)
    client.close()
    return times


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="mi-bench-llm-"))
    try:
        with OpenAIStub(KEY, latency=LATENCY) as stub:
            services = _services(root / "a", stub, 6000)
            interviewer = services.interviewer
            assert services.examiner.name == "llm", services.warnings
            view = interviewer.start("bench", "ml_engineer", 8, seed=1)
            turn_times = []
            answers = 0
            before = len(stub.requests)
            while not view.done:
                start = time.perf_counter()
                view = interviewer.send(view.session_id, ANSWER)
                turn_times.append(time.perf_counter() - start)
                answers += 1
            requests_per_answer = (len(stub.requests) - before) / answers
            bare = bare_call_seconds(stub)
            services.close()

            stub.requests.clear()
            budgeted = _services(root / "b", stub, 3000)
            interviewer = budgeted.interviewer
            assert budgeted.examiner.name == "llm"
            view = interviewer.start("bench", "researcher", 14, seed=2)
            while not view.done:
                view = interviewer.send(view.session_id, ANSWER)
            usages = [u for t in budgeted.transcripts.turns(view.session_id) if (u := t.get("usage")) is not None]
            prompt_tokens = [u["prompt_tokens_estimate"] for u in usages]
            budgeted.close()

        overhead = median(turn_times) - median(bare)
        goal = max(0.05 * median(bare), 0.020)
        late = min(39, len(prompt_tokens) - 1)
        t4, t40 = prompt_tokens[3], prompt_tokens[late]
        lines = [
            f"Stub latency {LATENCY * 1000:.0f} ms per request; a turn is `Interviewer.send` (assessment + next message).",
            "",
            "| measure | value | goal |",
            "|---|---|---|",
            f"| bare model call (same request, OpenAI client), median | {median(bare) * 1000:.0f} ms | |",
            f"| interview turn with the LLM examiner, median ({len(turn_times)} turns) | {median(turn_times) * 1000:.0f} ms | |",
            f"| agent overhead per turn (median turn − median bare call) | {overhead * 1000:.0f} ms | ≤ {goal * 1000:.0f} ms |",
            f"| turn p95 | {percentile(turn_times, 95) * 1000:.0f} ms | |",
            f"| model requests per answer | {requests_per_answer:.2f} | 1 |",
            f"| prompt tokens per call, 3,000 budget: turn 4 / turn {min(40, len(prompt_tokens))} | {t4} / {t40} (×{t40 / t4:.2f}) | ≤ ×1.3 |",
            f"| prompt tokens per call: mean / max over {len(prompt_tokens)} calls | {mean(prompt_tokens):.0f} / {max(prompt_tokens)} | ≤ 3,000 |",
            "",
            f"Where the prompt's tokens go (3,000 budget), turn 4 and turn {late + 1}:",
            "",
            f"| part | turn 4 | turn {late + 1} |",
            "|---|---|---|",
            *[
                f"| {part} | {usages[3]['prompt_parts'][part]} | {usages[late]['prompt_parts'][part]} |"
                for part in usages[3]["prompt_parts"]
            ],
            f"| total | {t4} | {t40} |",
        ]
        out = write_markdown("llm", "LLM path benchmark", lines)
        print(out.read_text(encoding="utf-8"))
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
