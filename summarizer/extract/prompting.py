"""Load and render the prompt templates in ``prompts/`` (installed as ``summarizer.prompts``).

Prompts are data: Jinja2 files, versioned by name (``extract_v3``), rendered by one pure
function with ``StrictUndefined`` so that a missing variable is an error, not an empty string.
The template version is part of every cache and recording key.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import jinja2
import jinja2.meta

from summarizer.errors import ConfigError

EXTRACT_PROMPT = "extract_v3"

Message = dict[str, str]


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(_load_source),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
    )


def _load_source(name: str) -> str:
    try:
        return resources.files("summarizer.prompts").joinpath(name).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"prompt template {name!r} is missing from the package") from exc


def template_source(name: str) -> str:
    """The raw text of one template file (hashed into recording keys)."""
    return _load_source(name)


@lru_cache(maxsize=64)
def _template(name: str) -> jinja2.Template:
    return _environment().get_template(name)


@lru_cache(maxsize=64)
def _static(name: str) -> str | None:
    """The rendered text of a template that uses no variable (the same for every call)."""
    source = _load_source(name)
    if jinja2.meta.find_undeclared_variables(_environment().parse(source)):
        return None
    return _template(name).render().strip() + "\n"


def render(name: str, **variables: Any) -> str:
    """Render ``prompts/<name>``; any variable the template uses but is not given is an error.

    A template that uses no variable (the extraction rules) is rendered once and reused.
    """
    static = _static(name)
    if static is not None:
        return static
    try:
        return _template(name).render(**variables).strip() + "\n"
    except jinja2.UndefinedError as exc:
        raise ConfigError(f"prompt template {name!r}: {exc.message}") from exc


def chat(prompt: str, **variables: Any) -> list[Message]:
    """A system + user message pair from ``<prompt>.system.j2`` and ``<prompt>.user.j2``."""
    return [
        {"role": "system", "content": render(f"{prompt}.system.j2", **variables)},
        {"role": "user", "content": render(f"{prompt}.user.j2", **variables)},
    ]
