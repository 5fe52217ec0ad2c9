"""The interviewer's evaluation (``make eval``): does the offline examiner judge answers the
way an interviewer would, and does memory bring weak topics back?

Data in ``eval/data`` (written apart from the examiner's code): for 14 bank questions a
strong answer, a partial one with a planted gap, a weak one and three gaming attempts;
off-topic and edge-case answers; five scripted candidates with two weak topics each.
Writes ``eval/results.md`` and returns the metrics; ``tests/test_eval.py`` holds the goals.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

import yaml
from pydantic import SecretStr, ValidationError

from agent.examiner.answer_text import phrase_in
from agent.examiner.seam import Examiner, ExamRequest
from agent.interview.simulation import load_script, simulate
from agent.services import Services
from agent.settings import Settings, invalid_setting
from eval import rated
from knowledge.lexical import tokenize
from knowledge.question_bank import KeyPoint, QuestionBank
from knowledge.taxonomy import ROLES

DATA = Path(__file__).resolve().parent / "data"
RESULTS = Path(__file__).resolve().parent / "results.md"
LEVELS = ("strong", "partial", "weak")
GOALS = {
    "ordering_accuracy": 0.95,
    "planted_gap_found": 0.9,
    # Back at the first version's goal: the team's supplement gives the points that state
    # current practice (where the guide is dated) a sentence that carries their words.
    "citation_in_right_section": 0.9,
    "gaming_max_score": 3.0,
    "weak_topics_revisited": 0.9,
}


@dataclass
class EvalResult:
    metrics: dict[str, float]
    details: list[str]


def _quote_supports(quote: str, point: KeyPoint) -> bool:
    said = tokenize(quote)
    if any(phrase_in(alias, said) for alias in point.aliases):
        return True
    wanted = set(tokenize(point.point))
    return bool(wanted) and len(wanted & set(said)) / len(wanted) >= 0.3


def judge_answers(examiner: Examiner, bank: QuestionBank) -> tuple[dict[str, float], list[str]]:
    entries = yaml.safe_load((DATA / "answers.yaml").read_text(encoding="utf-8"))
    pairs = correct = gaps = gaps_found = cited = cite_ok = 0
    gaming_scores: list[float] = []
    details: list[str] = []

    def run(question_id: str, answer: str) -> Any:
        question = bank.get(question_id)
        return question, examiner.examine(ExamRequest(question=question, answer=answer, latest=answer))

    for entry in entries:
        qid = entry["question_id"]
        answers = {"strong": entry["strong"], "partial": entry["partial"]["answer"], "weak": entry["weak"]}
        results = {level: run(qid, text)[1] for level, text in answers.items()}
        scores = {level: results[level].assessment.score for level in LEVELS}
        for better, worse in combinations(LEVELS, 2):
            pairs += 1
            correct += scores[better] > scores[worse]
        details.append(f"| {qid} | {scores['strong']:g} | {scores['partial']:g} | {scores['weak']:g} |")
        gap = entry["partial"]["gap"]
        partial = results["partial"]
        gaps += 1
        gaps_found += gap in partial.assessment.missed_ids or partial.probe_id == f"kp:{gap}"
        question = bank.get(qid)
        for level in LEVELS:
            assessment = results[level].assessment
            for kp_id in assessment.missed_ids:
                point = question.key_point(kp_id)
                cited += 1
                quotes = [c.quote for c in assessment.citations if c.section == point.section]
                supported = any(_quote_supports(q, point) for q in quotes)
                cite_ok += supported
                if not supported:
                    details.append(f"citation for {qid}.{kp_id} ({point.section[-40:]}): {quotes[:1]}")
        for attempt in entry["gaming"]:
            score = run(qid, attempt["answer"])[1].assessment.score
            gaming_scores.append(score)
            if score > GOALS["gaming_max_score"]:
                details.append(f"gaming {attempt['kind']} on {qid} scored {score:g}")
    for entry in yaml.safe_load((DATA / "off_topic.yaml").read_text(encoding="utf-8")):
        score = run(entry["question_id"], entry["answer"])[1].assessment.score
        gaming_scores.append(score)
        if score > GOALS["gaming_max_score"]:
            details.append(f"{entry.get('kind', 'off-topic')} answer on {entry['question_id']} scored {score:g}")
    metrics = {
        "ordering_accuracy": correct / pairs,
        "planted_gap_found": gaps_found / gaps,
        "citation_in_right_section": cite_ok / cited,
        "gaming_max_score": max(gaming_scores),
        "gaming_answers": float(len(gaming_scores)),
    }
    return metrics, details


def gaming_cases() -> list[tuple[str, str]]:
    """(question id, answer) of every gaming, off-topic and empty answer in the data."""
    cases = [
        (e["question_id"], g["answer"])
        for e in yaml.safe_load((DATA / "answers.yaml").read_text(encoding="utf-8"))
        for g in e["gaming"]
    ]
    off_topic = yaml.safe_load((DATA / "off_topic.yaml").read_text(encoding="utf-8"))
    return cases + [(e["question_id"], e["answer"]) for e in off_topic]


def gaming_in_llm_mode(services: Services) -> float:
    """Highest score the LLM examiner gives the gaming answers when the model itself awards
    10/10 to everything (the local stub's generous grader): reconciliation must hold."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from openai_stub import OpenAIStub

    key = "sk-eval-local-stub"
    with OpenAIStub(key) as stub:
        settings = services.settings.model_copy(
            update={"openai_api_key": SecretStr(key), "openai_base_url": stub.base_url, "offline": False}
        )
        llm = Services(settings)
        try:
            examiner = llm.examiner
            assert examiner.name == "llm", llm.warnings
            bank = llm.question_bank
            return max(
                examiner.examine(ExamRequest(question=bank.get(q), answer=a, latest=a)).assessment.score
                for q, a in gaming_cases()
            )
        finally:
            llm.close()


LLM_SKIPPED = (
    "LLM examiner on the rated set: skipped, no endpoint configured (set OPENAI_API_KEY, and OPENAI_BASE_URL "
    "for an OpenAI-compatible server, in the environment or .env)."
)


def llm_agreement(settings: Settings, items: list[rated.RatedItem]) -> dict[str, float]:
    """The LLM examiner's agreement with the raters on ``items``, through the endpoint that
    ``settings`` configure (every answer is one model call)."""
    llm = Services(settings)
    try:
        examiner = llm.examiner
        if examiner.name != "llm":
            raise RuntimeError(f"the LLM examiner is not available: {'; '.join(llm.warnings) or 'no endpoint'}")
        scored = rated.score_items(examiner, llm.question_bank, items)
        fell_back = sum(s.backend != "llm" for s in scored)  # the model call failed: assessed offline
        return rated.agreement(scored) | {"fell_back": float(fell_back)}
    finally:
        llm.close()


def weak_topics_revisited(services: Services, questions: int = 8) -> tuple[float, int, list[str]]:
    """Session 1 finds weak topics; session 2 of the same user must open with them."""
    weak_by_file = yaml.safe_load((DATA / "candidates" / "weak_topics.yaml").read_text(encoding="utf-8"))
    hits = runs = 0
    details = []
    for name in sorted(weak_by_file):
        script = load_script(DATA / "candidates" / name)
        for role_index, role in enumerate(ROLES):
            user = f"eval-{Path(name).stem}-{role}"
            first = simulate(services.interviewer, user, role, script, questions, seed=role_index)
            report = first["report"]
            weak = [w["topic"] for w in report["weak_areas"]] if report else []
            if not weak:
                continue
            plan = services.interviewer.start(user, role, questions, seed=100 + role_index)
            opening = services.interviewer.state(plan.session_id)["plan"][:2]
            runs += 1
            revisited = set(weak[:2]) <= {p["topic"] for p in opening}
            hits += revisited
            if not revisited:
                details.append(f"{name} {role}: weak {weak}, session 2 opened with {[p['topic'] for p in opening]}")
    return (hits / runs if runs else 0.0), runs, details


def rated_figures(services: Services) -> tuple[dict[str, float], list[str], list[str]]:
    """Agreement with the blind raters: the test half's figures (prefixed ``test_``), the fresh
    writers' (``fresh_``, when the set has them), the tune half's for reference (``tune_``),
    rater agreement, and tables by writer's intent of the test half and the fresh writers."""
    items = rated.load_items()
    scored = rated.score_items(services.examiner, services.question_bank, items)
    metrics: dict[str, float] = {}
    for split in rated.SPLITS:
        part = [s for s in scored if s.item.split == split]
        if part:
            metrics |= {f"{split}_{k}": v for k, v in rated.agreement(part).items()}
    metrics |= rated.rater_agreement(items)
    non_english = [s for s in scored if s.item.intent == "non_english"]
    metrics["non_english_remarked"] = float(sum("not_english" in s.flags for s in non_english))
    metrics["non_english"] = float(len(non_english))
    test = [s for s in scored if s.item.split == "test"]
    fresh = [s for s in scored if s.item.split == "fresh"]
    return metrics, rated.by_intent(test), rated.by_intent(fresh)


def story_judge_figures(services: Services) -> dict[str, float]:
    """The project-story judge against the blind-rated stories (eval/data/stories)."""
    from agent.examiner.offline.story import StoryCalibration, StoryJudge
    from eval.stories import load_stories, story_figures

    return story_figures(StoryJudge(StoryCalibration.load()), services.question_bank, load_stories())


def offline_settings(home: Path) -> Settings:
    """The settings the offline figures are measured with, whatever endpoint the user has
    configured: its settings, valid or not, are read only for the LLM figures."""
    return Settings.from_values(env_file=False, home=home, offline=True, openai_api_key=None, openai_base_url=None)


def evaluate(settings: Settings | None = None) -> EvalResult:
    """``settings``: the offline settings (``offline_settings``) in a home this call may delete."""
    home = settings.home if settings is not None else Path(tempfile.mkdtemp(prefix="mi-eval-"))
    services = Services(settings or offline_settings(home))
    try:
        start = time.perf_counter()
        metrics, details = judge_answers(services.examiner, services.question_bank)
        rated_metrics, intent_rows, fresh_rows = rated_figures(services)
        metrics |= rated_metrics
        details += [f"intent {row}" for row in intent_rows] + [f"fresh-intent {row}" for row in fresh_rows]
        metrics |= story_judge_figures(services)
        metrics["gaming_max_score_llm"] = gaming_in_llm_mode(services)
        try:
            configured = Settings.from_values(home=home / "llm")  # the user's endpoint, if any
        except ValidationError as exc:  # a bad value in the environment or .env: say so, measure offline
            print(f"LLM examiner on the rated set: skipped, {invalid_setting(exc)}")
            configured = services.settings
        if configured.use_llm:
            test = [i for i in rated.load_items() if i.split == "test"]
            metrics |= {f"llm_{k}": v for k, v in llm_agreement(configured, test).items()}
        revisit, runs, revisit_details = weak_topics_revisited(services)
        metrics["weak_topics_revisited"] = revisit
        metrics["revisit_runs"] = float(runs)
        metrics["seconds"] = time.perf_counter() - start
        return EvalResult(metrics, details + revisit_details)
    finally:
        services.close()
        shutil.rmtree(home, ignore_errors=True)


def _llm_lines(m: dict[str, float]) -> list[str]:
    if "llm_pearson" not in m:
        return [LLM_SKIPPED]
    return [
        f"LLM examiner on the same {int(m['llm_items'])} test answers (the configured endpoint; "
        f"{int(m['llm_fell_back'])} assessed offline after a failed model call):",
        "",
        "| measure | LLM examiner | offline examiner |",
        "|---|---|---|",
        *(
            f"| {label} | {m['llm_' + key]:{fmt}} | {m['test_' + key]:{fmt}} |"
            for label, key, fmt in (
                ("Pearson with the raters' consensus", "pearson", ".3f"),
                ("mean absolute error (points)", "mae", ".2f"),
                ("answers within 2 points", "within_2", ".2f"),
                ("false gaming flags on genuine answers", "false_gaming_flags", ".0f"),
                ("highest score of a gaming or no-attempt answer", "gaming_max", "g"),
                ("highest score of a confidently wrong or negated answer", "wrong_max", "g"),
            )
        ),
    ]


def _maybe(m: dict[str, float], key: str, fmt: str) -> str:
    return f"{m[key]:{fmt}}" if key in m else "–"


def write_results(result: EvalResult) -> str:
    m = result.metrics
    rows = [
        ("pairwise ordering strong > partial > weak", f"{m['ordering_accuracy']:.3f}", "≥ 0.95"),
        ("planted gap found (missed or follow-up)", f"{m['planted_gap_found']:.3f}", "≥ 0.9"),
        ("citation in the right section, quoting the point", f"{m['citation_in_right_section']:.3f}", "≥ 0.9"),
        (
            f"highest score of {int(m['gaming_answers'])} gaming/off-topic/empty answers",
            f"{m['gaming_max_score']:g}",
            "≤ 3",
        ),
        ("the same answers in LLM mode, the model giving everything 10/10", f"{m['gaming_max_score_llm']:g}", "≤ 3"),
        (
            f"weak topics of session 1 opening session 2 ({int(m['revisit_runs'])} runs)",
            f"{m['weak_topics_revisited']:.3f}",
            "≥ 0.9",
        ),
    ]
    g = rated.RATED_GOALS
    agreement_rows = [
        ("Pearson with the raters' consensus", "pearson", ".3f", f"≥ {g['pearson']}"),
        ("mean absolute error (points)", "mae", ".2f", f"≤ {g['mae']}"),
        ("answers within 2 points", "within_2", ".2f", f"≥ {g['within_2']}"),
        ("false gaming flags on genuine answers (consensus ≥ 5)", "false_gaming_flags", ".0f", "0"),
        ("highest score of a gaming or no-attempt answer", "gaming_max", "g", f"≤ {g['gaming_max']:g}"),
        ("highest score of a confidently wrong or negated answer", "wrong_max", "g", f"≤ {g['wrong_max']:g}"),
    ]
    text = [
        "# Examiner evaluation",
        "",
        "## Agreement with blind expert ratings (eval/data/rated)",
        "",
        f"Test half: {int(m['test_items'])} English answers to questions the calibration never saw "
        f"({int(m['test_genuine'])} genuine), by writers who also wrote tune answers. Fresh writers: "
        f"{int(m.get('fresh_items', 0))} answers by writers none of whose answers was fitted or tuned on "
        "(the figure to expect for a new candidate). Tune half for reference, in-sample (the weights and "
        "the likeness direction were fitted on it). Raters' agreement with each other: "
        + ", ".join(f"{m[f'rater_{i}']:.3f}" for i in (1, 2, 3))
        + " (each against the mean of the other two).",
        "",
        "| measure | test | fresh writers | tune | issue goal |",
        "|---|---|---|---|---|",
        *(
            f"| {label} | {m['test_' + key]:{fmt}} | {_maybe(m, 'fresh_' + key, fmt)} | "
            f"{m['tune_' + key]:{fmt}} | {goal} |"
            for label, key, fmt, goal in agreement_rows
        ),
        "",
        f"Non-English answers answered with the English-practice remark: {int(m['non_english_remarked'])} "
        f"of {int(m['non_english'])}.",
        "",
        *_llm_lines(m),
        "",
        "| writer's intent (test half) | answers | raters | examiner |",
        "|---|---|---|---|",
        *[d.removeprefix("intent ") for d in result.details if d.startswith("intent ")],
        "",
        "| writer's intent (fresh writers) | answers | raters | examiner |",
        "|---|---|---|---|",
        *[d.removeprefix("fresh-intent ") for d in result.details if d.startswith("fresh-intent ")],
        "",
        "## Project stories: the deep-dive judge against blind ratings (eval/data/stories)",
        "",
        f"{int(m['story_test_items'])} test stories about projects the fit never saw "
        f"({int(m['story_tune_items'])} tune); consensus = median of three raters, whose agreement with the "
        "median of the other two is " + ", ".join(f"{m[f'story_rater_{i}']:.3f}" for i in (1, 2, 3)) + ".",
        "",
        "| measure | test | tune |",
        "|---|---|---|",
        f"| Pearson with the consensus | {m['story_test_pearson']:.3f} | {m['story_tune_pearson']:.3f} |",
        f"| mean absolute error (points) | {m['story_test_mae']:.2f} | {m['story_tune_mae']:.2f} |",
        f"| stories within 2 points | {m['story_test_within_2']:.2f} | {m['story_tune_within_2']:.2f} |",
        "",
        f"Stories without numbers scored below the same story with them: {int(m['story_pairs_ordered'])} of "
        f"{int(m['story_pairs'])} pairs. Highest score of a bluff, tutorial, off-topic or grader-gaming story "
        f"(test): {m['story_gaming_max']:g}.",
        "",
        "## Ranking, planted gaps, citations, gaming, memory (eval/data)",
        "",
        "| measure | value | goal |",
        "|---|---|---|",
        *(f"| {a} | {b} | {c} |" for a, b, c in rows),
        "",
        f"Run time: {m['seconds']:.1f} s.",
        "",
        "| question | strong | partial | weak |",
        "|---|---|---|---|",
        *[d for d in result.details if d.startswith("|")],
        "",
        *[f"- {d}" for d in result.details if not d.startswith(("|", "intent ", "fresh-intent "))],
    ]
    RESULTS.write_text("\n".join(text) + "\n", encoding="utf-8")
    return "\n".join(text)


def main() -> int:
    home = Path(tempfile.mkdtemp(prefix="mi-eval-"))
    try:
        settings = offline_settings(home)
    except ValidationError as exc:  # a bad MOCK_INTERVIEW_* value in the environment
        shutil.rmtree(home, ignore_errors=True)
        print(f"make eval: {invalid_setting(exc)}", file=sys.stderr)
        return 2
    print(write_results(evaluate(settings)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
