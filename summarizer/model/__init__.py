"""The model: the only package that talks to a model server.

:mod:`.client` turns chat messages into validated pydantic objects (with re-asks);
:mod:`.instructor_fast` is its TOOLS-mode fast path through instructor's internals (with a
fallback); :mod:`.retries` retries transport failures; :mod:`.salvage` keeps what a failed
answer got right; :mod:`.usage` is what a call returns and costs; :mod:`.backends` builds a
client for a server, llama.cpp or plain functions (:func:`make_client`); :mod:`.recording`
records and replays calls.
"""

from __future__ import annotations

from summarizer.model.backends import client_from_functions, make_client
from summarizer.model.client import ModelClient
from summarizer.model.usage import Structured, metered

__all__ = ["ModelClient", "Structured", "client_from_functions", "make_client", "metered"]
