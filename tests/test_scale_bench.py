"""The scale benchmark's counting (not its speed, which `make bench` measures): a tiny load
over HTTP against the real app, then its answers looked up in the real transcript store."""

from __future__ import annotations

import sqlite3

from ui_server import launch

from agent.services import Services
from benchmarks.scale import drive, lost_answers, marker, stored_markers_sqlite


def test_acknowledged_answers_are_found_in_the_transcripts_and_a_missing_one_is_lost(
    interview_services: Services,
) -> None:
    app, url = launch(interview_services)
    try:
        load = drive([url], 2, "t", turns=2, cap=60)
    finally:
        app.close()
    assert load.failed == 0 and load.not_sent == 0 and load.not_started == 0
    sent = {marker("t", i, k) for i in range(2) for k in range(2)}
    assert load.acknowledged == sent
    home = interview_services.settings.home
    assert lost_answers(load.acknowledged, stored_markers_sqlite(home, "t")) == set()

    gone = marker("t", 1, 0)  # an answer the store no longer holds must be counted as lost
    with sqlite3.connect(home / "sessions.sqlite") as conn:
        changed = conn.execute("UPDATE turns SET answer = NULL WHERE answer LIKE ?", (f"%{gone}%",)).rowcount
    assert changed == 1
    assert lost_answers(load.acknowledged, stored_markers_sqlite(home, "t")) == {gone}
