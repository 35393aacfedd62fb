"""Model-assisted consolidation: the model labels what items are about; the rules still guard."""

from __future__ import annotations

import re
from typing import Any

import pytest

from summarizer.config import Settings
from summarizer.merge.consolidate import (
    Disagreement,
    Disagreements,
    Side,
    actor_labels,
    conflicts_of,
    label_items,
    relabel,
)
from summarizer.merge.fold import MODEL_LABELS, RULES_ONLY, merge
from summarizer.pipeline import labelled_merge
from summarizer.schema import (
    Actor,
    ArticleExtraction,
    Evidence,
    Fact,
    OpenQuestion,
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


def _tool(kwargs: dict[str, Any]) -> str:
    return str(kwargs["tools"][0]["function"]["name"])


def _labeller(table: dict[str, str], found: list[dict[str, Any]] | None = None) -> Any:
    """A fake model that labels each line by the first table key it contains, and answers a
    disagreements request with ``found``."""

    def answer(kwargs: dict[str, Any]) -> dict[str, Any]:
        user = kwargs["messages"][-1]["content"]
        if _tool(kwargs) == "Disagreements":
            return {"disagreements": found or []}
        labels = []
        for line in user.splitlines():
            item = re.match(r"([PCQFA]\d+) ", line)
            if item:
                label = next((v for k, v in table.items() if k in line), line)
                labels.append({"id": item.group(1), "label": label})
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
    assert briefing.merged_by.startswith(MODEL_LABELS + ";")
    assert "disagreements also sought by the model" in briefing.merged_by
    # One call for positions, one for facts (no other kind has two items), one for disagreements.
    assert [_tool(r) for r in model.requests] == ["Labels", "Labels", "Disagreements"]
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
    assert "(by rules alone: facts, positions)" in briefing.merged_by
    assert "conflicts by the rules alone" in briefing.merged_by
    assert len(briefing.positions) == 4


def test_unknown_ids_are_reasked_and_unlabelled_items_keep_their_text(
    settings: Settings,
) -> None:
    bad = {"labels": [{"id": "P9", "label": "x"}]}
    good = {"labels": [{"id": "P1", "label": "tessel bank concessions"}]}
    model = ScriptedModel(bad, good, {"labels": []})
    labels, kinds = label_items(CORPUS, fake_client(settings, model))
    assert kinds == ["positions", "commitments", "open_questions", "facts", "actors"]
    assert "unknown ids" in str(model.requests[1]["messages"])
    relabelled = relabel(CORPUS, labels)
    assert relabelled[0].positions[0].issue == "tessel bank concessions"
    assert relabelled[0].positions[1].issue == "ceding the Tessel Bank"  # no label: its own
    assert CORPUS[0].positions[0].issue == "ceding the Tessel Bank"  # the input is not changed


# --------------------------------------------------------------------------------------------
# Disagreements the model finds across items and kinds
# --------------------------------------------------------------------------------------------

TALKS = [
    _extraction("a", [], [_fact("a", "whether territory was discussed", "a land swap was")]),
    _extraction(
        "b",
        [_position("b", "A European official", "territory at the talks", "opposes")],
        [_fact("b", "day of the meeting", "Monday")],
    ),
]


def test_a_disagreement_in_different_words_and_kinds_becomes_a_quoted_conflict(
    settings: Settings,
) -> None:
    found = [
        {"topic": "whether territory was discussed", "kind": "outcome",
         "sides": [{"id": "F1", "value": "yes, a land swap"},
                   {"id": "P1", "value": "no, not discussed"}]},
    ]  # fmt: skip
    model = ScriptedModel(_labeller({}, found), repeat_last=True)
    briefing = labelled_merge(TALKS, fake_client(settings, model))
    [conflict] = [c for c in briefing.conflicts if c.topic == "whether territory was discussed"]
    assert conflict.kind == "outcome"
    assert [(c.source, c.value) for c in conflict.claims] == [
        ("a", "yes, a land swap"), ("b", "no, not discussed"),
    ]  # fmt: skip
    # Each side is quoted from its own item's evidence, offsets and all.
    fact, position = TALKS[0].facts[0], TALKS[1].positions[0]
    assert (conflict.claims[0].quote, conflict.claims[0].start) == (
        fact.evidence[0].quote, fact.evidence[0].start,
    )  # fmt: skip
    assert conflict.claims[1].quote == position.evidence[0].quote


def _ids() -> dict[str, Any]:
    return {
        "F1": (("a", "facts", 0), TALKS[0].facts[0]),
        "F2": (("b", "facts", 0), TALKS[1].facts[0]),
        "P1": (("b", "positions", 0), TALKS[1].positions[0]),
    }


def test_the_code_guards_what_the_model_calls_a_disagreement() -> None:
    one_article = Disagreement(
        topic="t", sides=[Side(id="F2", value="Monday"), Side(id="P1", value="Tuesday")]
    )
    same_value = Disagreement(
        topic="t", sides=[Side(id="F1", value="Monday"), Side(id="F2", value="monday")]
    )
    unknown = Disagreement(topic="t", sides=[Side(id="F1", value="x"), Side(id="F9", value="y")])
    kept = Disagreement(topic="t", sides=[Side(id="F1", value="x"), Side(id="F2", value="y")])
    found = Disagreements(disagreements=[one_article, same_value, unknown, kept])
    assert [len(c.claims) for c in conflicts_of(found, _ids())] == [2]


def test_unknown_ids_in_disagreements_are_reasked(settings: Settings) -> None:
    bad = {"disagreements": [{"topic": "t", "sides": [{"id": "F7", "value": "x"}]}]}
    script = iter([bad, {"disagreements": []}])

    def answer(kwargs: dict[str, Any]) -> dict[str, Any]:
        if _tool(kwargs) == "Disagreements":
            return next(script)
        return _labeller({})(kwargs)

    model = ScriptedModel(answer, repeat_last=True)
    briefing = labelled_merge(TALKS, fake_client(settings, model))
    asked = [r for r in model.requests if _tool(r) == "Disagreements"]
    assert len(asked) == 2 and "unknown ids" in str(asked[1]["messages"])
    assert "disagreements also sought by the model" in briefing.merged_by


def test_a_disagreement_the_rules_already_report_is_not_repeated(settings: Settings) -> None:
    corpus = [
        _extraction("a", [], [_fact("a", "size of the fund", "€2.4bn")]),
        _extraction("b", [], [_fact("b", "size of the fund", "€3bn")]),
    ]
    found = [
        {"topic": "fund size", "kind": "amount",
         "sides": [{"id": "F1", "value": "€2.4bn"}, {"id": "F2", "value": "€3bn"}]},
    ]  # fmt: skip
    model = ScriptedModel(_labeller({}, found), repeat_last=True)
    briefing = labelled_merge(corpus, fake_client(settings, model))
    assert len(briefing.conflicts) == 1  # the rules' amount conflict; the model's is the same


# --------------------------------------------------------------------------------------------
# Actors the model labels as one
# --------------------------------------------------------------------------------------------


def _people(sid: str, *names: str, kind: str = "person") -> ArticleExtraction:
    quote = f"{' and '.join(names)} ({sid})"
    positions = [
        Position(
            actor=name, issue="the loan", stance="backs it", sources=[sid],
            evidence=[_evidence(sid, quote)],
        )
        for name in names
    ]  # fmt: skip
    return ArticleExtraction(
        source=Source(id=sid, date="2026-03-02"),
        actors=[Actor(name=n, type=kind, sources=[sid]) for n in names],  # type: ignore[arg-type]
        positions=positions,
    )


def test_three_transliterations_labelled_alike_are_one_actor(settings: Settings) -> None:
    corpus = [
        _people("a", "Yevhen Dravetsky"), _people("b", "Evgen Dravecki"),
        _people("c", "Jewhen Drawetzki"),
    ]  # fmt: skip
    assert len(merge(corpus).actors) == 3  # the rules alone cannot tell
    model = ScriptedModel(_labeller({"Dr": "Yevhen Dravetsky"}), repeat_last=True)
    briefing = labelled_merge(corpus, fake_client(settings, model))
    [actor] = briefing.actors
    assert actor.sources == ["a", "b", "c"]
    assert sorted(actor.aliases + [actor.name]) == [
        "Evgen Dravecki", "Jewhen Drawetzki", "Yevhen Dravetsky",
    ]  # fmt: skip
    assert "actors joined by the model's labels" in briefing.merged_by


def test_people_one_article_told_apart_never_join_whatever_the_label(
    settings: Settings,
) -> None:
    corpus = [_people("a", "Ivona Petrak", "Aurel Petrak"), _people("b", "I. Petrak")]
    model = ScriptedModel(_labeller({"Petrak": "Petrak"}), repeat_last=True)
    briefing = labelled_merge(corpus, fake_client(settings, model))
    names = sorted(a.name for a in briefing.actors)
    assert "Ivona Petrak" in names and "Aurel Petrak" in names
    assert len(names) >= 2


def test_a_person_never_joins_an_organisation(settings: Settings) -> None:
    corpus = [_people("a", "Maren Tolst"), _people("b", "Halvard Bank", kind="organisation")]
    labels = {("a", "Maren Tolst"): "HBDB", ("b", "Halvard Bank"): "HBDB"}
    briefing = merge(corpus, same_actor=labels)
    assert len(briefing.actors) == 2


def test_actor_labels_key_declared_names_by_article() -> None:
    corpus = [_people("a", "Yevhen Dravetsky", "Maren Tolst")]
    labels = {("a", "actors", 0): "Y D", ("a", "actors", 1): "M T", ("a", "facts", 0): "x"}
    assert actor_labels(corpus, labels) == {
        ("a", "Yevhen Dravetsky"): "Y D", ("a", "Maren Tolst"): "M T",
    }  # fmt: skip


def test_a_partial_search_for_disagreements_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from summarizer.merge import consolidate

    monkeypatch.setattr(consolidate, "MAX_CLAIM_LINES", 1)
    said = consolidate.describe_merge(None, ["positions"], True, consolidate.claim_count(TALKS))
    assert "the model compared the first 1 of 3 items for disagreements" in said
    assert "first" not in consolidate.describe_merge(None, ["positions"], True, 1)


def test_an_open_question_can_be_one_side_of_a_disagreement(settings: Settings) -> None:
    # "Putin agreed to accept guarantees" in one article, "whether he accepts is disputed" in
    # another: the question goes to the disagreements call with its reason, and its quote is
    # that side's evidence.
    question = OpenQuestion(
        question="Will Putin accept the guarantees?", reason="disputed",
        sources=["b"], evidence=[_evidence("b", "it is disputed whether Putin accepts (b)")],
    )  # fmt: skip
    corpus = [
        _extraction("a", [], [_fact("a", "whether Putin accepts the guarantees", "yes")]),
        ArticleExtraction(source=Source(id="b", date="2026-03-02"), open_questions=[question]),
    ]
    found = [
        {"topic": "whether Putin accepts the guarantees", "kind": "outcome",
         "sides": [{"id": "F1", "value": "he agreed"}, {"id": "Q1", "value": "disputed"}]},
    ]  # fmt: skip
    model = ScriptedModel(_labeller({}, found), repeat_last=True)
    briefing = labelled_merge(corpus, fake_client(settings, model))
    [asked] = [r for r in model.requests if _tool(r) == "Disagreements"]
    assert "Q1 (b) Will Putin accept the guarantees? [disputed]" in asked["messages"][-1]["content"]
    [conflict] = [c for c in briefing.conflicts if c.topic.startswith("whether Putin")]
    assert [(c.source, c.quote) for c in conflict.claims] == [
        ("a", corpus[0].facts[0].evidence[0].quote), ("b", question.evidence[0].quote),
    ]  # fmt: skip
