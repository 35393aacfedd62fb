"""The Batch API of an OpenAI-compatible server: upload a JSONL of requests, submit a batch,
follow it, download what it answered. Half the price of the same requests sent live, with
quotas of its own; answers within the completion window (24 h) instead of seconds.

Thin on purpose: :mod:`summarizer.batch.offline` decides what goes in a batch, keeps the
state that makes a run resumable, and reads the answers. Errors become our named errors,
with the key kept out of every message, as for live calls.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openai

from summarizer.config import Settings
from summarizer.model.backends import api_key
from summarizer.model.retries import redact, translate

ENDPOINT = "/v1/chat/completions"
WINDOW = "24h"
#: Batch states after which nothing changes.
FINAL = frozenset({"completed", "failed", "expired", "cancelled"})


class BatchApi:
    """One server's Files and Batches endpoints."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client = openai.OpenAI(
            api_key=api_key(settings),
            base_url=settings.base_url,
            timeout=settings.timeout,
            max_retries=3,
        )

    def _call(self, what: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return what(*args, **kwargs)
        except openai.OpenAIError as exc:
            raise translate(exc, self.settings) from redact(exc, self.settings.api_key)

    def upload(self, path: Path) -> str:
        """Upload a request file (purpose ``batch``); its file id."""
        with path.open("rb") as handle:
            return str(self._call(self.client.files.create, file=handle, purpose="batch").id)

    def submit(self, file_id: str, token: str) -> dict[str, Any]:
        """Create the batch; ``token`` goes in its metadata so a run can find it again."""
        batch = self._call(
            self.client.batches.create,
            input_file_id=file_id,
            endpoint=ENDPOINT,
            completion_window=WINDOW,
            metadata={"summarizer_run": token},
        )
        return dict(batch.model_dump())

    def find(self, token: str) -> dict[str, Any] | None:
        """The batch this run submitted under ``token``, if the server has one (a run killed
        between submitting and saving the batch id finds it here instead of submitting twice)."""
        for batch in self._call(self.client.batches.list, limit=100):
            if (batch.metadata or {}).get("summarizer_run") == token:
                return dict(batch.model_dump())
        return None

    def status(self, batch_id: str) -> dict[str, Any]:
        return dict(self._call(self.client.batches.retrieve, batch_id).model_dump())

    def cancel(self, batch_id: str) -> dict[str, Any]:
        return dict(self._call(self.client.batches.cancel, batch_id).model_dump())

    def download(self, file_id: str) -> str:
        return str(self._call(self.client.files.content, file_id).text)

    def close(self) -> None:
        self.client.close()
