"""YAML reading with libyaml's C parser when PyYAML has it (10x faster on the question bank)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from knowledge.errors import QuestionBankError

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)


Entry = TypeVar("Entry", bound=BaseModel)


def load_entries(path: Path, model: type[Entry], what: str) -> list[Entry]:
    """A shipped YAML list of ``model`` entries (``what`` names them in errors), or one
    :class:`QuestionBankError` line naming the file."""
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionBankError(f"cannot read {path}: {exc}") from None
    except yaml.YAMLError as exc:
        raise QuestionBankError(f"{path.name} is not valid YAML: {exc}") from None
    if not isinstance(data, list):
        raise QuestionBankError(f"{path.name}: expected a list of {what}")
    try:
        return [model.model_validate(entry) for entry in data]
    except ValidationError as exc:
        first = exc.errors()[0]
        raise QuestionBankError(f"{path.name}: {first['msg']} at {first['loc']}") from None
