"""One place where a user's mistake becomes a notice in the page instead of a traceback."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from typing import Any, ParamSpec, TypeVar

import gradio as gr

from knowledge.errors import UserError

P = ParamSpec("P")
R = TypeVar("R")


def shown_as_notice(handler: Callable[P, R]) -> Callable[P, R]:
    """Wrap an event handler (a function or a generator) so a UserError is shown as a notice."""
    if inspect.isgeneratorfunction(handler):

        @functools.wraps(handler)
        def stream(*args: P.args, **kwargs: P.kwargs) -> Iterator[Any]:
            try:
                yield from handler(*args, **kwargs)
            except UserError as exc:
                raise gr.Error(str(exc)) from None

        return stream  # type: ignore[return-value]

    @functools.wraps(handler)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return handler(*args, **kwargs)
        except UserError as exc:
            raise gr.Error(str(exc)) from None

    return call
