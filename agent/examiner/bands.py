"""Score bands: one reading of a 0–10 score for the critique, the terminal and the web app."""

from __future__ import annotations

from typing import Literal

from agent import prompts

Band = Literal["strong", "solid", "partial", "weak"]
BAND_FLOORS: tuple[tuple[float, Band], ...] = ((8.0, "strong"), (6.0, "solid"), (3.5, "partial"))


def band_of(score: float) -> Band:
    for floor, band in BAND_FLOORS:
        if score >= floor:
            return band
    return "weak"


def band_label(score: float) -> str:
    """The critique's words for the band, e.g. "a solid answer"."""
    return prompts.render(f"band_{band_of(score)}")
