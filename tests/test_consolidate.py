"""Model-assisted consolidation: the model labels what items are about; the rules still guard."""

from __future__ import annotations

import re
from typing import Any

from summarizer.config import Settings
from summarizer.consolidate import label_items, relabel
from summarizer.merge import MODEL_LABELS, RULES_ONLY, merge
from summarizer.pipeline import labelled_merge
from summarizer.schema import (
    ArticleExtraction,
    Evidence,
    Fact,
    Position,
    Source,
)
from tests.conftest import fake_client
from tests.fakes import ScriptedModel

_TEXT: dict[str, str] = {}


def _evidence(sid: str, quote: str) -> Evidence:
    text = _TEXT.setdefault(sid, "")
    if quote not in text:
        _TEXT[sid] = text = text + quote + " "
    start = text.index(quote)
    return Evidence(source=sid, quote=quote, start=start, end=start + len(quote))


def _position(sid: str, actor: str, issue: str, polarity: str = "supports") -> Position:
    quote = f"{actor} on {issue} ({polarity}, {sid})"
    return Position(
        actor=actor, issue=issue, stance=issue, polarity=polarity,  # type: ignore[arg-type]
        sources=[sid], evidence=[_evidence(sid, quote)],
    )  # fmt: skip


def _fact(sid: str, topic: str, value: str) -> Fact:
    quote = f"{topic} was {value} ({sid})"
    return Fact(topic=topic, value=value, sources=[sid], evidence=[_evidence(sid, quote)])


def _extraction(sid: str, positions: list[Position], facts: list[Fact]) -> ArticleExtraction:
    return ArticleExtraction(
        source=Source(id=sid, date="2026-03-02"), positions=positions, facts=facts
    )


def _labeller(table: dict[str, str]) -> Any:
    """A fake model that labels each line by the first table key it contains."""

    def answer(kwargs: dict[str, Any]) -> dict[str, Any]:
        user = kwargs["messages"][-1]["content"]
        labels = []
        for line in user.splitlines():
            found = re.match(r"([PCQF]\d+) ", line)
            if found:
                label = next((v for k, v in table.items() if k in line), line)
                labels.append({"id": found.group(1), "label": label})
        return {"labels": labels}

    return answer


CORPUS = [
    _extraction(
        "a",
        [_position("a", "Marta Ilvesse", "ceding the Tessel Bank"),
         _position("a", "Aleksandr Voronov", "ceding the Tessel Bank")],
        [_fact("a", "size of the fisheries fund", "€2.4bn")],
    ),
    _extraction(
        "b",
        [_position("b", "Marta Ilvesse", "territorial concessions on the bank"),
         _position("b", "Aleksandr Voronov", "handing over the Tessel Bank", "opposes")],
        [_fact("b", "money pledged for fishermen", "3 billion euros")],
    ),
]  # fmt: skip
TABLE = {
    "ceding": "tessel bank concessions",
    "concessions": "tessel bank concessions",
    "handing over": "tessel bank concessions",
    "fund": "size of the fisheries fund",
    "money pledged": "size of the fisheries fund",
}


def test_items_worded_differently_fold_when_the_model_labels_them_alike(
    settings: Settings,
) -> None:
    model = ScriptedModel(_labeller(TABLE), repeat_last=True)
    client = fake_client(settings, model)
    briefing = labelled_merge(CORPUS, client)
    assert briefing.merged_by == MODEL_LABELS
    assert len(model.requests) == 2  # one call for positions, one for facts
    ilvesse = [p for p in briefing.positions if p.actor == "Marta Ilvesse"]
    assert len(ilvesse) == 1 and ilvesse[0].sources == ["a", "b"]
    assert len(ilvesse[0].evidence) == 2  # every quote survives the fold


def test_the_guards_hold_whatever_the_labels_say(settings: Settings) -> None:
    model = ScriptedModel(_labeller(TABLE), repeat_last=True)
    briefing = labelled_merge(CORPUS, fake_client(settings, model))
    # Different actors never fold, even under one label.
    actors = {p.actor for p in briefing.positions}
    assert actors == {"Marta Ilvesse", "Aleksandr Voronov"}
    # One actor's opposite stances on one issue stay two positions and become a conflict.
    voronov = [p for p in briefing.positions if p.actor == "Aleksandr Voronov"]
    assert sorted(p.polarity for p in voronov) == ["opposes", "supports"]
    assert any(c.kind == "stance" or "Voronov" in c.topic for c in briefing.conflicts)
    # One quantity with two values: two facts and a conflict quoting each source.
    amount = [c for c in briefing.conflicts if "fund" in c.topic]
    assert len(amount) == 1 and {c.source for c in amount[0].claims} == {"a", "b"}
    assert len(briefing.facts) == 2


def test_without_labels_the_rules_alone_miss_what_the_words_hide() -> None:
    briefing = merge(CORPUS)
    assert briefing.merged_by == RULES_ONLY
    assert not any("fund" in c.topic for c in briefing.conflicts)  # the reason for labels


def test_a_kind_the_model_cannot_label_is_merged_by_rules(settings: Settings) -> None:
    model = ScriptedModel("no json here", repeat_last=True)
    briefing = labelled_merge(CORPUS, fake_client(settings, model))
    assert briefing.merged_by.endswith("(by rules alone: facts, positions)")
    assert len(briefing.positions) == 4


def test_unknown_ids_are_reasked_and_unlabelled_items_keep_their_text(
    settings: Settings,
) -> None:
    bad = {"labels": [{"id": "P9", "label": "x"}]}
    good = {"labels": [{"id": "P1", "label": "tessel bank concessions"}]}
    model = ScriptedModel(bad, good, {"labels": []})
    labels, kinds = label_items(CORPUS, fake_client(settings, model))
    assert kinds == ["positions", "commitments", "open_questions", "facts"]
    assert "unknown ids" in str(model.requests[1]["messages"])
    relabelled = relabel(CORPUS, labels)
    assert relabelled[0].positions[0].issue == "tessel bank concessions"
    assert relabelled[0].positions[1].issue == "ceding the Tessel Bank"  # no label: its own
    assert CORPUS[0].positions[0].issue == "ceding the Tessel Bank"  # the input is not changed
