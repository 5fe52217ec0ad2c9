"""The web app in a real browser: Debian's Chromium driven by Playwright.

Starts an interview, answers (with markup that must stay inert), checks the feedback
panel and a citation, ends, sees the report's charts, opens Progress and Transcripts,
and saves a screenshot of each tab under test-output/browser/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from ui_server import launch

from agent.services import Services

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(__file__).resolve().parent.parent / "test-output" / "browser"
XSS = '<img src=x onerror="window.__xss=1"> <script>window.__xss=2</script>'
ANSWER = (
    "Tokenization splits text into subword pieces so rare words still encode compactly. For example, in my project "
    "a long product name became five tokens. Token count drives latency and billing, so we budgeted the context, at "
    f"the cost of some recall, and measured cost per request. {XSS}"
)


BETTER = (
    "Tokenization splits text into subword pieces with BPE or SentencePiece, so rare words still encode compactly "
    "and the vocabulary stays small. Token count drives cost and latency: prices are per input and output token, "
    "and every output token is one decoding step. For example, in my project a long product name became five "
    "tokens, and Hindi text took about three times the tokens of English. We budgeted the context window, trimmed "
    "the prompt and capped output length, at the cost of some recall, and measured cost per request and p95 latency."
)


@pytest.fixture
def page(interview_services: Services) -> Iterator[Page]:
    assert Path(CHROMIUM).exists(), "install Debian's chromium (scripts/ensure-chromium)"
    app, url = launch(interview_services)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        tab = context.new_page()
        tab.set_default_timeout(30_000)
        tab.goto(url)
        expect(tab.locator("#status-line")).to_contain_text("Examiner:")  # the page's load event has run
        yield tab
        browser.close()
    app.close()


def test_an_interview_in_the_browser(page: Page, interview_services: Services) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.locator("#role input").click()
    page.get_by_role("option", name="Data scientist").click()
    page.fill("#profile input, #profile textarea", "browser-user")
    page.click("#start")
    expect(page.locator("#chat")).to_contain_text("First question", timeout=60_000)
    expect(page.locator("#profile")).to_be_hidden()  # the setup panel is folded away during the interview

    page.fill("#answer textarea", ANSWER)
    page.click("#send")
    feedback = page.locator("#feedback")
    expect(feedback).to_contain_text("Missing or wrong", timeout=60_000)
    expect(feedback).to_contain_text("Tip")
    citation = feedback.locator("details.mi-citation").first
    citation.locator("summary").click()
    expect(citation.locator("blockquote")).to_be_visible()
    expect(page.locator("#chat")).to_contain_text("<img src=x onerror=")  # shown as text
    assert page.evaluate("window.__xss") is None  # and never executed
    assert dialogs == []

    page.click("#model-button")
    model = page.locator("#model-answer")
    expect(model).to_contain_text("A strong answer to learn from", timeout=30_000)
    expect(model).to_contain_text("Definition")
    # every key point with its source's own sentence: the guide's, or the team's supplement's
    expect(model).to_contain_text(re.compile(r"(Guide|Supplement), "))
    page.screenshot(path=str(SHOTS / "interview.png"), full_page=True)

    before = page.locator("#feedback .mi-score").inner_text()
    page.click("#retry")
    expect(page.locator("#chat")).to_contain_text("Second try", timeout=60_000)
    page.fill("#answer textarea", BETTER)
    page.click("#send")
    change = page.locator("#feedback .mi-change")
    expect(change).to_contain_text("Second try: ", timeout=60_000)
    expect(change).to_contain_text("→")
    assert change.inner_text().startswith(f"Second try: {before.split('/')[0]} →")
    page.screenshot(path=str(SHOTS / "retry.png"), full_page=True)

    page.reload()  # the checkpoint, not the page, holds the interview
    expect(page.locator("#chat")).to_contain_text("Resuming your session", timeout=30_000)
    expect(page.locator("#chat")).to_contain_text("Tokenization splits text into subword pieces")
    expect(page.locator("#profile input, #profile textarea")).to_have_value("browser-user")
    assert page.evaluate("window.__xss") is None

    page.click("#end")
    expect(page.locator("#report")).to_contain_text("Report:", timeout=60_000)
    expect(page.locator("#topic-plot")).to_be_visible()
    expect(page.locator("#report-dims")).to_be_visible()
    expect(page.locator("#dims-plot")).to_be_hidden()  # no empty framework chart after End
    page.screenshot(path=str(SHOTS / "report.png"), full_page=True)

    for question in interview_services.question_bank.questions[:: max(1, len(interview_services.question_bank) // 9)]:
        interview_services.memory.record_question("browser-user", "seeded", question, 5.5, [], [])  # many topics
    page.get_by_role("tab", name="Progress").click()
    expect(page.locator("#mastery-plot")).to_be_visible()
    labels = page.locator("#mastery-plot .mi-hbar-label")
    expect(labels.nth(5)).to_be_visible(timeout=30_000)
    boxes = [labels.nth(i).bounding_box() for i in range(labels.count())]
    assert all(b is not None and b["width"] > 0 for b in boxes)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert a and b
            apart = a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"]
            apart = apart or a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
            assert apart, f"topic labels overlap: {a} {b}"
    expect(page.locator("#weak-table")).to_be_visible()
    page.screenshot(path=str(SHOTS / "progress.png"), full_page=True)

    page.get_by_role("tab", name="Transcripts").click()
    expect(page.locator("#sessions-table")).to_contain_text("Data scientist", timeout=30_000)
    page.locator("#pick-session input").click()
    page.get_by_role("option").first.click()
    page.click("#open-session")
    expect(page.locator("#transcript")).to_contain_text("Mock interview", timeout=30_000)
    expect(page.locator("#transcript")).to_contain_text("<img src=x")  # the transcript shows it as text too
    assert page.evaluate("window.__xss") is None
    page.screenshot(path=str(SHOTS / "transcripts.png"), full_page=True)

    page.get_by_role("tab", name="Guide").click()
    page.fill("#guide-query textarea, #guide-query input", "how do I fix mode collapse")
    page.click("#guide-search")
    expect(page.locator("#guide-results")).to_contain_text("Mode collapse", timeout=30_000)
    page.screenshot(path=str(SHOTS / "guide.png"), full_page=True)
    assert dialogs == []


TAILORING = Path(__file__).resolve().parent.parent / "eval" / "data" / "tailoring"


def test_an_interview_tailored_to_a_job_and_a_cv_in_the_browser(page: Page) -> None:
    page.fill("#profile input, #profile textarea", "tailored-user")
    page.click("#tailor")  # the optional tailoring panel opens
    page.fill("#job-text textarea", (TAILORING / "jd-claims-rag.md").read_text(encoding="utf-8"))
    page.locator("#cv-upload input[type=file]").set_input_files(str(TAILORING / "cv-two-projects.md"))
    # The file's name by its accessible name: Gradio renders stem and extension in two spans,
    # so the visible text reads "cv-two-projects .md" on some layouts.
    uploaded = page.locator("#cv-upload").get_by_role("cell", name="cv-two-projects.md", exact=True)
    expect(uploaded).to_be_visible(timeout=30_000)
    page.click("#start")
    chat = page.locator("#chat")
    expect(chat).to_contain_text("This job stresses: RAG and multimodal workflows", timeout=60_000)
    expect(chat).to_contain_text("the session weights them")
    expect(chat).to_contain_text("walk me through Support ticket router")
    page.screenshot(path=str(SHOTS / "tailored.png"), full_page=True)

    page.get_by_role("tab", name="Guide").click()  # the uploaded CV is the user's own file, listed and deletable
    page.click("#my-files")
    expect(page.locator("#material-list")).to_contain_text("cv-two-projects.md", timeout=30_000)
    page.locator("#material-choice input").click()
    page.get_by_role("option", name="cv-two-projects.md").click()
    page.click("#delete-material")
    expect(page.locator("#added")).to_contain_text("Deleted cv-two-projects.md", timeout=30_000)
    expect(page.locator("#material-list")).to_contain_text("You have no files yet.")
