"""Precision and reach of the misconception signals on the TUNING half of the rated set.

Runs the offline examiner's evidence step (sentence splitting, explanatory sentences, the
question's misconceptions and the shared false beliefs of its topic) on every tuning-half
answer, and prints:

- every misconception found in a genuine answer (raters' consensus >= 5): each one is a
  false correction of a good candidate, so the goal is none;
- how many of the answers that state false beliefs (intents ``confidently_wrong``,
  ``follow_up_wrong``, ``negated``, ``bluff``, ``follow_up_weak``, rated < 5) have at least one
  misconception found.

It never reads the test half. Usage: ``.venv/bin/python -m eval.misbelief_check [--all-topics]``;
``--all-topics`` also tries every shared belief on every genuine answer regardless of topic
(a stricter precision check, for beliefs whose topics may widen). Exit status 1 when a
genuine answer has a misconception found.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from agent.examiner.phrases import MatchText, signal_parts
from agent.services import Services
from agent.settings import Settings
from eval import rated

WRONG_INTENTS = frozenset({"confidently_wrong", "follow_up_wrong", "negated", "bluff", "follow_up_weak"})
GENUINE = 5.0


def main(argv: list[str]) -> int:
    home = Path(tempfile.mkdtemp(prefix="mi-misbelief-"))
    services = Services(Settings.from_values(env_file=False, home=home))
    try:
        examiner, bank = services.offline_examiner, services.question_bank
        items = [i for i in rated.load_items() if i.split == "tune"]
        false_hits, caught, wrong = [], 0, 0
        for item in items:
            measured = examiner.measure(rated.request_for(item, bank))  # type: ignore[attr-defined]
            found = measured.evidence.misconceptions
            if item.consensus >= GENUINE:
                false_hits.extend((item.id, a.misconception.id, a.sentence) for a in found)
                if "--all-topics" in argv:
                    lexicon = services.evidence_finder.misbeliefs.misbeliefs
                    for sentence in measured.evidence.explained:
                        text = MatchText(sentence)
                        for m in lexicon:
                            for signal in m.signals:
                                if all(text.has(p) for p in signal_parts(signal)):
                                    false_hits.append((item.id, f"{m.id} (any topic: {signal})", sentence))
            elif item.intent in WRONG_INTENTS:
                wrong += 1
                caught += bool(found)
        for item_id, misconception, sentence in false_hits:
            print(f"FALSE HIT {item_id} {misconception}: {sentence}")
        genuine = sum(i.consensus >= GENUINE for i in items)
        print(
            f"genuine tune answers (consensus >= {GENUINE:g}): {genuine}; misconceptions found on them: {len(false_hits)}"
        )
        print(f"wrong tune answers (rated < {GENUINE:g}) with a misconception found: {caught}/{wrong}")
        return 1 if false_hits else 0
    finally:
        services.close()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
