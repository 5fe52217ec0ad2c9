from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest

from agent import prompts
from agent.examiner.bands import Band
from agent.examiner.offline.critique import HELD_REASONS
from agent.records import DIMENSIONS, Flag


def _sample(name: str) -> dict[str, str]:
    return {v: f"<{v}>" for v in prompts.variables(name)}


def test_every_prompt_renders_with_its_variables() -> None:
    names = prompts.names()
    assert len(names) >= 30
    for name in names:
        text = prompts.render(name, **_sample(name))
        assert text.strip()
        assert "$" not in text.replace("$4.4T", ""), name
        for value in _sample(name).values():
            assert value in text


def test_a_missing_or_unused_variable_is_an_error() -> None:
    with pytest.raises(prompts.PromptError, match="needs score"):
        prompts.render("critique_verdict", band="x")
    with pytest.raises(prompts.PromptError, match="does not use surprise"):
        prompts.render("critique_verdict", score="1", band="x", surprise="y")
    with pytest.raises(prompts.PromptError, match="no prompt named"):
        prompts.render("does_not_exist")


def _code() -> str:
    root = Path(__file__).resolve().parent.parent
    return "\n".join(p.read_text(encoding="utf-8") for d in ("agent", "ui") for p in (root / d).rglob("*.py"))


def test_every_prompt_file_is_used_and_every_rendered_name_exists() -> None:
    code = _code()
    names = set(prompts.names())
    rendered = set(re.findall(r"prompts\.render\(\s*\"(\w+)\"", code))
    assert rendered, "the scan found no prompts.render calls"
    assert rendered <= names, f"rendered but missing: {sorted(rendered - names)}"
    # Names built at run time: each expansion must exist, and the prefix is how they are used.
    dynamic = {
        "band_": get_args(Band),
        "tip_": DIMENSIONS,
        "critique_flag_": [f for f in get_args(Flag) if f not in ("off_topic", "truncated")],
        "critique_held_": HELD_REASONS,
    }
    assert set(re.findall(r"prompts\.render\(f\"(\w+)\{", code)) == set(dynamic)
    for prefix, values in dynamic.items():
        missing = [f"{prefix}{v}" for v in values if f"{prefix}{v}" not in names]
        assert not missing, missing
    quoted = set(re.findall(r"\"(\w+)\"", code))  # e.g. a template chosen by a conditional
    unused = [n for n in names if n not in rendered and n not in quoted and not n.startswith(tuple(dynamic))]
    assert not unused, f"prompt files no code uses: {unused}"


def test_every_follow_up_phrasing_renders_and_every_kind_is_used() -> None:
    from agent.examiner.offline.follow_up import BANK

    bank = prompts.phrasings(BANK)
    code = _code()
    for kind, phrasings in bank.items():
        assert f'"{kind}"' in code, f"no code uses the {kind!r} phrasings"
        variables = {frozenset(p.get_identifiers()) for p in phrasings}
        assert len(variables) == 1, f"{kind}: phrasings take different variables {variables}"
        for template in phrasings:
            values = {v: f"<{v}>" for v in template.get_identifiers()}
            text = prompts.render_phrasing(template, **values)
            assert "$" not in text and all(v in text for v in values.values())
        assert len(phrasings) >= 2, f"{kind}: one phrasing cannot rotate"
    with pytest.raises(prompts.PromptError, match="takes"):
        prompts.render_phrasing(bank["acknowledge"][0])
