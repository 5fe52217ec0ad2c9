"""Does a change to the offline examiner leave its output unchanged? (a check for speed work
and refactors, not a quality measure: nothing here is tuned on the answers).

    python -m eval.same_output write BEFORE.json    # on the old code
    python -m eval.same_output compare BEFORE.json  # on the new code

``write`` runs the offline examiner over every answer of ``eval/data/rated`` (every split)
and stores, per answer, everything the candidate sees: score, flags, covered/missed ids,
critique, follow-up, citations, corrections, notes, the flag lines and the follow-up's
probe. ``compare`` runs it again and lists the answers whose output differs. It also
reports how far the unrounded calibrated score moved, which shows numerical drift before it
is large enough to change a half point.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from agent.examiner.offline.examiner import OfflineExaminer
from agent.services import Services
from agent.settings import Settings
from eval.rated import load_items, request_for


def outputs() -> dict[str, dict[str, Any]]:
    home = Path(tempfile.mkdtemp(prefix="mi-same-"))
    try:
        services = Services(Settings.from_values(env_file=False, home=home))
        examiner = services.offline_examiner
        assert isinstance(examiner, OfflineExaminer)
        out = {}
        for item in load_items():
            request = request_for(item, services.question_bank)
            result = examiner.examine(request)
            raw = examiner.calibration.score(examiner.measure(request).features)
            out[item.id] = {
                "assessment": result.assessment.record(),
                "probe_id": result.probe_id,
                "flag_lines": list(result.flag_lines),
                "wording": list(result.wording),
                "raw_score": raw,
            }
        services.close()
        return out
    finally:
        shutil.rmtree(home, ignore_errors=True)


def compare(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> list[str]:
    lines = []
    same = 0
    drift = 0.0
    for key, old in before.items():
        new = after.get(key)
        if new is None:
            lines.append(f"{key}: missing")
            continue
        drift = max(drift, abs(old["raw_score"] - new["raw_score"]))
        shown_old = {k: v for k, v in old.items() if k != "raw_score"}
        shown_new = {k: v for k, v in new.items() if k != "raw_score"}
        if shown_old == shown_new:
            same += 1
            continue
        fields = sorted(
            {k for k in shown_old["assessment"] if shown_old["assessment"][k] != shown_new["assessment"].get(k)}
            | {k for k in shown_old if k != "assessment" and shown_old[k] != shown_new.get(k)}
        )
        lines.append(f"{key}: differs in {', '.join(fields)}")
    lines.append(f"compared {len(before)}, identical {same}; largest change of the unrounded score {drift:.2e}")
    return lines


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in {"write", "compare"}:
        print("usage: python -m eval.same_output write|compare FILE", file=sys.stderr)
        return 2
    command, path = argv[0], Path(argv[1])
    current = outputs()
    if command == "write":
        path.write_text(json.dumps(current, indent=1, sort_keys=True), encoding="utf-8")
        print(f"wrote the output of {len(current)} answers to {path}")
        return 0
    before = json.loads(path.read_text(encoding="utf-8"))
    lines = compare(before, json.loads(json.dumps(current)))
    print("\n".join(lines))
    return 0 if lines[-1].startswith(f"compared {len(before)}, identical {len(before)}") else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
