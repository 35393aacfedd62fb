"""The model: the only package that talks to a model server.

:mod:`.client` turns chat messages into validated pydantic objects (transport retries,
re-asks, salvage, usage), :mod:`.instructor_fast` is the TOOLS-mode fast path through
instructor's internals (with a fallback), and :mod:`.recording` records and replays calls.
"""

from __future__ import annotations

from summarizer.model.client import ModelClient, make_client

__all__ = ["ModelClient", "make_client"]
