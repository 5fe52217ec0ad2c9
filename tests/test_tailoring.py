"""Sessions tailored to a job description and a CV: the issue's checks, run on the real graph,
stores and index (a scripted candidate answers, as ``simulate`` does)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import assert_one_line_error, run_cli

from agent.interview.simulation import load_script, simulate
from agent.interview.tailoring import tailor
from agent.services import Services
from agent.store.export import session_json, session_markdown
from knowledge.errors import IngestError

ROOT = Path(__file__).resolve().parent.parent
TAILORING = ROOT / "eval" / "data" / "tailoring"
JD, CV = TAILORING / "jd-claims-rag.md", TAILORING / "cv-two-projects.md"
CANDIDATE = TAILORING / "candidate-tailored.yaml"
OTHER_JD, OTHER_CV = ROOT / "tests" / "data" / "jd-tutoring.md", ROOT / "tests" / "data" / "cv-ravi.md"
CV_PROJECTS = {"Support ticket router", "Contract search assistant"}


def _run(services: Services, user: str, jd: Path, cv: Path, seed: int = 3, questions: int = 6) -> dict[str, object]:
    fit = tailor(services.knowledge.material, services.job_reader, user, str(jd), str(cv))
    result = simulate(
        services.interviewer, user, "ml_engineer", load_script(CANDIDATE), questions, seed, fit.job, fit.projects
    )
    return dict(result)


def test_a_rag_job_and_a_two_project_cv_shape_the_session(interview_services: Services) -> None:
    result = _run(interview_services, "priya", JD, CV)
    state_plan = interview_services.transcripts.session(str(result["session_id"]))["plan"]
    jd_topics = {"rag_multimodal", "evaluation", "mlops"}
    bank_questions = [p for p in state_plan if p["reason"] != "project"]
    assert sum(p["topic"] in jd_topics for p in bank_questions) > len(bank_questions) / 2
    asked = [t for t in result["turns"] if t["kind"] == "question"]  # type: ignore[attr-defined]
    framed = [t for t in asked if t["question"].startswith("This team builds a claims assistant for an insurer")]
    assert framed, [t["question"] for t in asked]
    deep_dives = [t for t in asked if t["question"].startswith("Walk me through ")]
    assert len(deep_dives) == 1 and any(name in deep_dives[0]["question"] for name in CV_PROJECTS)
    report = result["report"]
    assert isinstance(report, dict) and set(report["job"]["topics"]) == jd_topics
    assert report["job"]["mastery"] is not None
    markdown = session_markdown(
        interview_services.transcripts, str(result["session_id"]), interview_services.question_bank
    )
    assert "Readiness for this job (jd-claims-rag.md)" in markdown


def test_the_opening_names_what_the_job_stresses(interview_services: Services) -> None:
    fit = tailor(interview_services.knowledge.material, interview_services.job_reader, "asha", str(JD), None)
    view = interview_services.interviewer.start("asha", "ml_engineer", 4, seed=1, job=fit.job)
    opening = view.messages[0]["content"]
    assert "This job stresses: RAG and multimodal workflows, Evaluation and metrics, MLOps and deployment" in opening
    assert "the session weights them" in opening


def test_a_job_description_matching_no_topic_says_so_and_follows_the_track(
    interview_services: Services, tmp_path: Path
) -> None:
    shoes = tmp_path / "shoes.md"
    shoes.write_text("We sell handmade shoes in three shops. Friendly team, free lunch on Fridays.\n", encoding="utf-8")
    fit = tailor(interview_services.knowledge.material, interview_services.job_reader, "asha", str(shoes), None)
    assert fit.notices == ["shoes.md matched no interview topic; the session follows the role track."]
    view = interview_services.interviewer.start("asha", "ml_engineer", 3, seed=1, job=fit.job)
    assert "matched no interview topic, so the session follows the ML engineer track" in view.messages[0]["content"]
    plan = interview_services.interviewer.state(view.session_id)["plan"]
    assert not any(p.get("framed") for p in plan)


def test_an_ingested_file_can_be_chosen_by_name(interview_services: Services) -> None:
    material = interview_services.knowledge.material
    material.ingest("asha", [JD, CV])
    fit = tailor(material, interview_services.job_reader, "asha", "jd-claims-rag.md", "cv-two-projects.md")
    assert fit.job is not None and set(fit.job["emphasis"]) == {"rag_multimodal", "evaluation", "mlops"}
    assert {p["name"] for p in fit.projects} == CV_PROJECTS
    with pytest.raises(IngestError, match=r"^nope\.md: no such file, and no ingested file of that name \(yours: "):
        tailor(material, interview_services.job_reader, "asha", "nope.md", None)


def test_two_users_jds_and_cvs_never_reach_each_other(interview_services: Services) -> None:
    priya = _run(interview_services, "priya", JD, CV, questions=4)
    ravi = _run(interview_services, "ravi", OTHER_JD, OTHER_CV, questions=4)
    store, bank = interview_services.transcripts, interview_services.question_bank
    own = {"priya": ("claims assistant for an insurer", "Support ticket router", "Contract search"),
           "ravi": ("maths tutor", "Hint-timing bandit", "Churn uplift")}  # fmt: skip
    for user, other, result in (("priya", "ravi", priya), ("ravi", "priya", ravi)):
        session_id = str(result["session_id"])
        exported = json.dumps(session_json(store, session_id)) + session_markdown(store, session_id, bank)
        history = json.dumps(interview_services.interviewer.history(session_id).messages)
        assert any(marker in exported for marker in own[user])  # the check can fail: its own material is there
        for marker in own[other]:
            assert marker not in exported and marker not in history
        found = interview_services.knowledge.retriever.search(" ".join(own[other]), 8, user=user)
        assert all(
            r.source in ("guide", "supplement")
            or r.source in {f.name for f in interview_services.knowledge.material.files(user)}
            for r in found
        )
        assert not any(marker.lower() in r.text.lower() for r in found for marker in own[other])
        names = {f.name for f in interview_services.knowledge.material.files(user)}
        assert names == ({JD.name, CV.name} if user == "priya" else {OTHER_JD.name, OTHER_CV.name})
        other_files = [OTHER_JD.name] if user == "priya" else [JD.name]
        with pytest.raises(IngestError):  # another user's file cannot be chosen by its name
            tailor(interview_services.knowledge.material, interview_services.job_reader, user, other_files[0], None)


def test_material_list_and_delete_from_the_cli(cli_home: Path) -> None:
    ingest = run_cli("ingest", str(JD), str(CV), "--user", "priya", home=cli_home)
    assert ingest.returncode == 0, ingest.stderr
    listed = run_cli("material", "list", "--user", "priya", "--json", home=cli_home)
    assert {f["name"] for f in json.loads(listed.stdout)} == {JD.name, CV.name}
    assert json.loads(run_cli("material", "list", "--user", "ravi", "--json", home=cli_home).stdout) == []
    deleted = run_cli("material", "delete", JD.name, "--user", "priya", home=cli_home)
    assert deleted.returncode == 0 and deleted.stdout.startswith(f"Deleted {JD.name}")
    assert {
        f["name"] for f in json.loads(run_cli("material", "list", "--user", "priya", "--json", home=cli_home).stdout)
    } == {CV.name}
    missing = run_cli("material", "delete", JD.name, "--user", "priya", home=cli_home)
    assert_one_line_error(missing, 1, f"{JD.name}: no ingested file of that name (yours: {CV.name})")
    everything = run_cli("material", "delete", "--all", "--user", "priya", home=cli_home)
    assert everything.returncode == 0 and f"Deleted {CV.name}" in everything.stdout
    assert json.loads(run_cli("material", "list", "--user", "priya", "--json", home=cli_home).stdout) == []


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(b"", "the job description is empty"), (b"\x00\x01binary", "looks like a binary file"),
     (b"caf\xe9 au lait", "not valid UTF-8")],
)  # fmt: skip
def test_a_bad_job_description_gets_the_ingest_errors(cli_home: Path, content: bytes, fragment: str) -> None:
    cli_home.mkdir(parents=True)
    bad = cli_home.parent / "bad-jd.md"
    bad.write_bytes(content)
    result = run_cli(
        "simulate", "--user", "asha", "--role", "ml_engineer", "--candidate", str(CANDIDATE), "--jd", str(bad),
        home=cli_home,
    )  # fmt: skip
    assert_one_line_error(result, 1, fragment)


def test_simulate_with_jd_and_projects_from_the_cli(cli_home: Path) -> None:
    result = run_cli(
        "simulate", "--user", "priya", "--role", "ml_engineer", "--candidate", str(CANDIDATE), "--questions", "4",
        "--seed", "2", "--jd", str(JD), "--projects", str(CV), "--json",
        home=cli_home,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    questions = [t["question"] for t in data["turns"] if t["kind"] == "question"]
    assert questions[-1].startswith("Walk me through ") and any(name in questions[-1] for name in CV_PROJECTS)
    assert data["report"]["job"]["name"] == JD.name
    listed = json.loads(run_cli("material", "list", "--user", "priya", "--json", home=cli_home).stdout)
    assert {f["name"] for f in listed} == {JD.name, CV.name}  # kept as the user's own, deletable material
