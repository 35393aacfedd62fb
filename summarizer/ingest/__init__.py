"""Ingest: files, folders and JSON records in; clean article text out, whose offsets every
quote refers to (:mod:`.articles`), with page furniture stripped (:mod:`.boilerplate`)."""

from __future__ import annotations

from summarizer.ingest.articles import Article, article_files, article_text, load_articles

__all__ = ["Article", "article_files", "article_text", "load_articles"]
