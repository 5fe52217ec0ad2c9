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


@cache
def phrasings(name: str) -> dict[str, tuple[string.Template, ...]]:
    """A ``prompts/<name>.yaml`` bank: kind → several phrasings of the same prompt."""
    import yaml

    try:
        text = files("prompts").joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PromptError(f"no phrasing bank named {name!r} in prompts/") from None
    raw = yaml.safe_load(text)
    if not isinstance(raw, dict) or not all(isinstance(v, list) and v for v in raw.values()):
        raise PromptError(f"prompts/{name}.yaml: expected kind: [phrasings]")
    return {str(kind): tuple(string.Template(str(p)) for p in items) for kind, items in raw.items()}


def render_phrasing(template: string.Template, **values: object) -> str:
    """One phrasing of a bank, with the same strict variables as ``render``."""
    expected = set(template.get_identifiers())
    if expected != values.keys():
        raise PromptError(f"phrasing {template.template!r} takes {sorted(expected)}, got {sorted(values)}")
    return template.substitute(values)
