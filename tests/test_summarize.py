"""The event summary: written from merged items only, each sentence cited through item ids."""

from __future__ import annotations

import json

from summarizer.config import Settings
from summarizer.extract.summary import numbered_items, summarize
from summarizer.schema import Briefing, Commitment, Evidence, OpenQuestion, Position
from tests.conftest import fake_client
from tests.fakes import ScriptedModel


def briefing() -> Briefing:
    ev = Evidence(source="a", quote="q", start=0, end=1)
    return Briefing(
        positions=[
            Position(
                actor="Ilse Brandt",
                issue="fisheries fund",
                stance="Wants it.",
                polarity="supports",
                sources=["a", "b"],
                evidence=[ev],
            ),
        ],
        commitments=[
            Commitment(
                actor="Aleksandr Voronov",
                action="withdraw patrol boats",
                conditions=["frigates leave"],
                status="conditional",
                sources=["b"],
                evidence=[ev],
            ),
        ],
        open_questions=[OpenQuestion(question="Who pays?", sources=["c"], evidence=[ev])],
    )


def test_items_are_numbered_with_their_sources() -> None:
    items = numbered_items(briefing())
    assert set(items) == {"P1", "C1", "Q1"}
    assert items["P1"][1] == ["a", "b"]


def test_sentences_cite_the_sources_of_their_items(settings: Settings) -> None:
    answer = {
        "title": "Harbor talks",
        "sentences": [
            {"text": "Brandt backs the fund.", "items": ["P1"]},
            {
                "text": "Voronov offered a conditional withdrawal; funding is open.",
                "items": ["C1", "Q1"],
            },
        ],
    }
    model = ScriptedModel(answer)
    event = summarize(briefing(), fake_client(settings, model))
    assert event.title == "Harbor talks"
    assert [s.sources for s in event.sentences] == [["a", "b"], ["b", "c"]]
    assert event.summary.endswith("[b, c]")
    sent = model.requests[0]["messages"][1]["content"]
    assert "P1 [2 source(s)]: Ilse Brandt on fisheries fund" in sent


def test_unknown_item_ids_are_reasked(settings: Settings) -> None:
    bad = {"sentences": [{"text": "Invented.", "items": ["P9"]}]}
    good = {"sentences": [{"text": "Brandt backs the fund.", "items": ["P1"]}]}
    model = ScriptedModel(bad, good)
    event = summarize(briefing(), fake_client(settings, model))
    assert "unknown item ids" in json.dumps(model.requests[1]["messages"])
    assert [s.items for s in event.sentences] == [["P1"]]
