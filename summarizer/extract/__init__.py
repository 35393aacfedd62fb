"""Extract: one article in, one grounded extraction out.

:mod:`.prompting` renders the templates in ``prompts/``; :mod:`.extraction` sends them through
the model client (passed in) and reads the answer; :mod:`.grounding` and :mod:`.locate` find
every quote in the article and keep its offsets; :mod:`.summary` writes the cited event
summary of a merged briefing. Nothing here imports the model client at run time.
"""

from __future__ import annotations

from summarizer.extract.extraction import aextract, extract

__all__ = ["aextract", "extract"]
