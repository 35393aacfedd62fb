"""Review: the analyst's loop after a briefing is made. :mod:`.verify` re-checks every quote
against its article; :mod:`.diff` says what changed between two briefings of one event."""

from __future__ import annotations

from summarizer.review.diff import diff_briefings
from summarizer.review.verify import verify

__all__ = ["diff_briefings", "verify"]
