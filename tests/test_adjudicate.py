from __future__ import annotations

import httpx2 as httpx
import openai

from summarizer.config import Settings
from summarizer.merge.adjudicate import model_decider
from tests.conftest import fake_client
from tests.fakes import ScriptedModel


def test_decider_asks_once_per_pair_in_either_order(settings: Settings) -> None:
    model = ScriptedModel({"same": True, "reason": "same pledge"})
    decide = model_decider(fake_client(settings, model), kind="commitment")
    assert decide("Voronov: withdraw boats", "Voronoff: pull patrol boats back")
    assert decide("Voronoff: pull patrol boats back", "Voronov: withdraw boats")
    assert len(model.requests) == 1
    assert "Kind: commitment" in model.requests[0]["messages"][1]["content"]


def test_model_failure_means_keep_apart(settings: Settings) -> None:
    request = httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")
    model = ScriptedModel(*[openai.APIConnectionError(request=request)] * 3)
    decide = model_decider(fake_client(settings, model))
    assert decide("Ilse Brandt", "Jonas Brandt") is False
