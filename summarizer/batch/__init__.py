"""Batch: every event under a folder (or in a manifest), concurrently, cached and resumable
(:mod:`.run`), with per-article extractions kept in a content-addressed cache (:mod:`.cache`)."""

from __future__ import annotations

from summarizer.batch.run import BatchResult, EventSpec, arun_batch, run_batch

__all__ = ["BatchResult", "EventSpec", "arun_batch", "run_batch"]
