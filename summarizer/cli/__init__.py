"""The ``summarizer`` command: :mod:`.main` (brief, extract, merge, show, text, schema and the
entry point), :mod:`.batch`, :mod:`.eval`; :mod:`.click_compat` keeps usage errors to one line
whichever click typer runs on."""

from __future__ import annotations

from summarizer.cli.main import app, main

__all__ = ["app", "main"]
