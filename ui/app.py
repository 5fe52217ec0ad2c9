"""The Gradio web app: the page and its tabs, each tab built and wired by its own module in
``ui/tabs/``; the work is done by ``ui.handlers.Handlers``.

Built by the composition root (``mock-interview ui``) from the same Services as the CLI.
The interview's checkpoint is the source of truth; the chat shown here is display only,
rebuilt from the transcript store when the page is reloaded.
"""

from __future__ import annotations

from typing import cast

import gradio as gr

from agent.services import Services
from ui.guard import PrivateFiles
from ui.handlers import Handlers
from ui.page import Page
from ui.tabs import guide, interview, progress, transcripts


def build_app(services: Services, auth_enabled: bool = False, private: PrivateFiles | None = None) -> gr.Blocks:
    handlers = Handlers(services, auth_enabled, private or PrivateFiles())
    # Gradio's copies of exports and uploads are deleted a day after they were made (checked hourly).
    with gr.Blocks(title="mock-interview", delete_cache=(3600, 86400)) as app:
        browser = gr.BrowserState({"user": ""}, storage_key="mock-interview-profile")
        session_id = gr.State(None)
        started = gr.State(None)
        status = gr.Markdown(elem_id="status-line")
        with gr.Tabs():
            with gr.Tab("Interview", id="interview"):
                interview_tab = interview.layout(auth_enabled)
            page = Page(handlers, auth_enabled, browser, session_id, started, status, interview_tab.profile)
            progress.build(page)
            transcripts.build(page)
            guide.build(page)
        interview.wire(app, page, interview_tab)
    return cast(gr.Blocks, app)


__all__ = ["build_app"]
