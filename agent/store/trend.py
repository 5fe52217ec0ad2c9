"""A user's scores over their completed sessions, oldest first: what the progress views chart."""

from __future__ import annotations

from typing import TypedDict

from agent.records import DIMENSIONS, Dimension
from agent.store.transcripts import Transcripts


class TrendPoint(TypedDict):
    session: int  # 1-based, in the order the sessions were held
    date: str  # YYYY-MM-DD
    overall: float
    dimensions: dict[Dimension, float]


def session_trend(store: Transcripts, user: str) -> list[TrendPoint]:
    sessions = [s for s in reversed(store.sessions(user=user)) if s["overall"] is not None]
    out = []
    for i, s in enumerate(sessions):
        report = s["report"]
        dims = report["dimensions"] if report else {}
        out.append(
            TrendPoint(
                session=i + 1,
                date=s["created_at"][:10],
                overall=float(s["overall"] or 0.0),
                dimensions={d: float(dims.get(d, 0.0)) for d in DIMENSIONS},
            )
        )
    return out


def change_line(trend: list[TrendPoint]) -> str | None:
    """How the latest session compares with the one before: overall and each dimension."""
    if len(trend) < 2:
        return None
    before, latest = trend[-2], trend[-1]
    delta = latest["overall"] - before["overall"]
    dims = ", ".join(
        f"{d} {latest['dimensions'][d] - before['dimensions'][d]:+.1f}"
        for d in DIMENSIONS
        if abs(latest["dimensions"][d] - before["dimensions"][d]) >= 0.05
    )
    line = f"Since session {before['session']}: {before['overall']:g} → {latest['overall']:g} ({delta:+.1f})"
    return f"{line}; framework: {dims}" if dims else line
