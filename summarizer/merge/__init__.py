"""Merge: per-article extractions in, one briefing out.

:mod:`.fold` is the merge itself (folds items, finds conflicts, keeps every quote);
:mod:`.actors` resolves who is who; :mod:`.similarity`, :mod:`.values`, :mod:`.dates` and
:mod:`.unsettled` are the deterministic comparisons it relies on. With a model,
:mod:`.consolidate` has it label what each item and actor is about and look for
disagreements, and :mod:`.adjudicate` asks it about single pairs. Importing this package
needs no model client.
"""

from __future__ import annotations

from summarizer.merge.fold import briefing_as_extraction, merge

__all__ = ["briefing_as_extraction", "merge"]
