from __future__ import annotations

import pytest

from agent import prompts


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
