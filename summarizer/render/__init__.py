"""Render: a briefing as JSON, Markdown (:mod:`.markdown`) or a self-contained HTML report
(:mod:`.html`, templates in ``templates/``), sharing :mod:`.common`; :mod:`.formats` picks
one. The HTML templates have their own Jinja environment (autoescaping HTML) apart from the
prompts' (plain text, never autoescaped): they are different languages."""

from __future__ import annotations

from summarizer.render.formats import format_from, render, to_json
from summarizer.render.html import to_html
from summarizer.render.markdown import to_markdown

__all__ = ["format_from", "render", "to_html", "to_json", "to_markdown"]
