"""Retrieval benchmark: recall of each ranking on the labelled query sets, index build
and start-up times, query latency in-process and `guide search` as a whole process.

Run with ``make bench``; writes ``benchmarks/results/retrieval.md``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from agent.services import Services
from agent.settings import Settings
from benchmarks.common import median, percentile, timed, write_markdown

HERE = Path(__file__).resolve().parent
SETS = {
    "held-out (written apart from the code, the goal's set)": HERE / "retrieval_heldout.yaml",
    "tuning (hard paraphrases, used to choose the fusion settings)": HERE / "retrieval_set.yaml",
}
MODES = ("dense", "bm25", "hybrid")


def recall(services: Services, entries: list[dict[str, object]], mode: str) -> tuple[float, float]:
    at1 = at3 = 0
    for entry in entries:
        found = [p.section for p in services.knowledge.retriever.search(str(entry["query"]), 3, mode=mode)]  # type: ignore[arg-type]
        wanted = set(entry["sections"])  # type: ignore[arg-type]
        at1 += bool(found) and found[0] in wanted
        at3 += any(s in wanted for s in found)
    return at1 / len(entries), at3 / len(entries)


def whole_process_search(home: Path, runs: int = 5) -> list[float]:
    exe = Path(sys.executable).with_name("mock-interview")
    env = {**os.environ, "MOCK_INTERVIEW_HOME": str(home)}
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [str(exe), "guide", "search", "how do I fix mode collapse", "--k", "3"],
            env=env,
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="mi-bench-"))
    try:
        services = Services(Settings.from_values(env_file=False, home=home))
        services.embedding_function  # noqa: B018 - load the model outside the timed build
        cold = timed(lambda: services.knowledge)
        warm_runs = []
        for _ in range(5):
            again = Services(Settings.from_values(env_file=False, home=home))
            again.static_embedder = services.static_embedder  # the model load is timed separately
            again.chroma  # noqa: B018
            warm_runs.append(timed(lambda again=again: again.knowledge))  # type: ignore[misc]
        model_load = timed(lambda: Services(Settings.from_values(env_file=False, home=home)).static_embedder)

        lines = ["## Recall", "", "| query set | queries | ranking | recall@1 | recall@3 |", "|---|---|---|---|---|"]
        all_queries: list[str] = []
        for name, path in SETS.items():
            entries = yaml.safe_load(path.read_text(encoding="utf-8"))
            all_queries += [str(e["query"]) for e in entries]
            for mode in MODES:
                r1, r3 = recall(services, entries, mode)
                lines.append(f"| {name} | {len(entries)} | {mode} | {r1:.3f} | {r3:.3f} |")

        retriever = services.knowledge.retriever
        for q in all_queries[:10]:
            retriever.search(q, 5)
        latencies = []
        for _ in range(3):
            for q in all_queries:
                start = time.perf_counter()
                retriever.search(q, 5)
                latencies.append(time.perf_counter() - start)
        process = whole_process_search(home)

        lines += [
            "",
            "## Speed",
            "",
            "| measure | value | goal |",
            "|---|---|---|",
            f"| cold index build (chunk, embed, write {len(services.knowledge.chunks)} chunks) | {cold:.2f} s | |",
            f"| unchanged-guide start (open index, verify hashes, build BM25), median of 5 | {median(warm_runs):.3f} s | ≤ 0.5 s |",
            f"| load the bundled WordLlama model | {model_load:.3f} s | |",
            f"| hybrid query in-process, p50 ({len(latencies)} queries) | {percentile(latencies, 50) * 1000:.1f} ms | |",
            f"| hybrid query in-process, p95 | {percentile(latencies, 95) * 1000:.1f} ms | ≤ 20 ms |",
            f"| `mock-interview guide search` whole process, median of {len(process)} | {median(process):.2f} s | ≤ 2 s |",
        ]
        import_chroma = subprocess.run(
            [sys.executable, "-c", "import time; t=time.perf_counter(); import chromadb; print(time.perf_counter()-t)"],
            capture_output=True,
            text=True,
            check=True,
        )
        lines += [
            "",
            f"For scale: `import chromadb` alone takes {float(import_chroma.stdout):.2f} s in a fresh process here.",
        ]
        out = write_markdown("retrieval", "Retrieval benchmark", lines)
        print(out.read_text(encoding="utf-8"))
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
