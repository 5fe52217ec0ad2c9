"""Prompt files: loaded by name from ``prompts/`` and rendered with strict variables.

A template uses ``$name`` / ``${name}`` placeholders. Rendering fails if a variable is
missing or if one is passed that the template does not use, so a typo in either the
file or the code is caught by the test that renders every prompt.
"""

from __future__ import annotations

import string
from functools import cache
from importlib.resources import files


class PromptError(KeyError):
    """A prompt is missing, or was rendered with the wrong variables."""


@cache
def load(name: str) -> string.Template:
    try:
        text = files("prompts").joinpath(f"{name}.txt").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PromptError(f"no prompt named {name!r} in prompts/") from None
    return string.Template(text.rstrip("\n"))


def variables(name: str) -> set[str]:
    return set(load(name).get_identifiers())


def render(name: str, **values: object) -> str:
    template = load(name)
    expected = set(template.get_identifiers())
    missing = expected - values.keys()
    if missing:
        raise PromptError(f"prompt {name!r} needs {', '.join(sorted(missing))}")
    unused = values.keys() - expected
    if unused:
        raise PromptError(f"prompt {name!r} does not use {', '.join(sorted(unused))}")
    return template.substitute(values)


def names() -> list[str]:
    return sorted(p.name.removesuffix(".txt") for p in files("prompts").iterdir() if p.name.endswith(".txt"))
