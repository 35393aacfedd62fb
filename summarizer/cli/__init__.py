"""The ``summarizer`` command: :mod:`.main` (the app and the entry point), one module per
command group (:mod:`.briefing`: brief, extract, merge; :mod:`.inspect`: schema, show, text;
:mod:`.batch`; :mod:`.eval`), :mod:`.options` (what they share) and :mod:`.click_compat` (usage
errors in one line whichever click typer runs on)."""

from __future__ import annotations

from summarizer.cli.main import app, main

__all__ = ["app", "main"]
