"""What every tab of the web app shares: the profile, the session, and who is asking."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr
import pandas as pd

from ui.handlers import Handlers


@dataclass(frozen=True)
class Page:
    handlers: Handlers
    auth_enabled: bool
    browser: gr.BrowserState  # remembers the typed profile across reloads
    session_id: gr.State
    started: gr.State  # when the current answer was started (for the pace timer)
    status: gr.Markdown
    profile: gr.Textbox  # set by the Interview tab's setup row

    def who(self, typed: str, request: gr.Request | None) -> str:
        """The acting user: the login when login is on, else the typed profile."""
        return self.handlers.user(typed, login_of(request))


def login_of(request: gr.Request | None) -> str | None:
    return getattr(request, "username", None) if request is not None else None


def frame(rows: list[Any], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)
