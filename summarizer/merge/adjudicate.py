"""The optional model-assisted merge pass: ask the model about pairs the matcher can't decide.

Off by default. The deterministic merge stands alone; when given a ``decide`` callable it asks
it only about borderline pairs (similar, but not similar enough to fold on their own). This
module builds such a callable from a :class:`ModelClient`, with one call per distinct pair
(answers are memoised, so the merge stays deterministic for a given model and pair).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from summarizer.errors import SummarizerError
from summarizer.extract.prompting import chat

if TYPE_CHECKING:  # the client (and openai) only when a caller passes one in
    from summarizer.model.client import ModelClient

SAME_ITEM_PROMPT = "same_item_v1"


class SameItem(BaseModel):
    same: bool = Field(description="True if both descriptions refer to the same thing.")
    reason: str = Field(default="", max_length=200, description="A few words why.")


def model_decider(client: ModelClient, *, kind: str = "item") -> Callable[[str, str], bool]:
    """A ``decide(a, b) -> bool`` for :func:`summarizer.merge.fold.merge`, backed by the model.

    A model failure answers ``False`` (keep the items apart): when unsure, never fold.
    """
    memo: dict[tuple[str, str], bool] = {}

    def decide(a: str, b: str) -> bool:
        key = (a, b) if a <= b else (b, a)
        if key not in memo:
            try:
                result = client.structured(
                    SameItem,
                    chat(SAME_ITEM_PROMPT, kind=kind, a=key[0], b=key[1]),
                    tag=f"merge pair ({SAME_ITEM_PROMPT})",
                    kind="merge",
                )
                memo[key] = bool(result.value.same)
            except SummarizerError:  # the model failed, or this client cannot call it
                memo[key] = False
        return memo[key]

    return decide
