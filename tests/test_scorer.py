"""The scorer's checks: self-score, exact recall loss, paraphrase, wrong actor, order, strictness.

Most tests use a small invented corpus (two made-up articles about a made-up river treaty) so
that every expectation can be worked out by hand; the last ones run on the example gold.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.evaluate.scorer import (
    DEFAULT_THRESHOLD,
    ITEM_KINDS,
    ActorTable,
    ScoreConfig,
    agreement,
    calibrate,
    calibration_pairs,
    cohen_kappa,
    score,
    text_similarity,
    value_key,
    values_agree,
)
from summarizer.schema import (
    Actor,
    ArticleExtraction,
    Briefing,
    Claim,
    Commitment,
    Conflict,
    Evidence,
    Fact,
    OpenQuestion,
    Position,
)

ROOT = Path(__file__).resolve().parent.parent

A1 = (
    "Minister Oda Lindqvist said Norland would cede no territory along the Lumen river. "
    "President Tomas Arvid of Sudmark pledged to release the detained barges by Friday. "
    "Lindqvist backed a joint water commission. It was not clear who would chair it. "
    "The treaty would cost 1.2 billion euro. Talks lasted two days. Lindqvist promised to "
    "publish the river survey next month. Arvid offered to host the next round. No date has "
    "been set for the signing. The route of the new canal remains in dispute."
)
A2 = (
    "Ms. Lindqvist rejected territorial concessions on the Lumen. Mr. Arvid promised the barges "
    "would be freed this week. The deal is worth €1.5bn, officials said. Paul Arvid, the "
    "president's brother, opposed any commission."
)
TEXTS = {"a1": A1, "a2": A2}


def ev(source: str, quote: str) -> Evidence:
    text = TEXTS[source]
    start = text.index(quote)
    return Evidence(source=source, quote=quote, start=start, end=start + len(quote))


def actors() -> list[Actor]:
    return [
        Actor(
            name="Oda Lindqvist",
            aliases=["Minister Oda Lindqvist", "Ms. Lindqvist", "Lindqvist"],
            role="Norland minister",
        ),
        Actor(
            name="Tomas Arvid",
            aliases=["President Tomas Arvid", "Mr. Arvid"],
            role="President of Sudmark",
            affiliation="Sudmark",
        ),
        Actor(name="Paul Arvid", aliases=["Paul Arvid"]),
    ]


def gold() -> Briefing:
    return Briefing(
        actors=actors(),
        positions=[
            Position(
                actor="Oda Lindqvist",
                issue="ceding territory along the Lumen",
                stance="No territory will be ceded.",
                polarity="opposes",
                sources=["a1", "a2"],
                evidence=[ev("a1", "Norland would cede no territory along the Lumen river")],
            ),
            Position(
                actor="Oda Lindqvist",
                issue="joint water commission",
                stance="Backs a joint commission.",
                polarity="supports",
                sources=["a1"],
                evidence=[ev("a1", "Lindqvist backed a joint water commission")],
            ),
            Position(
                actor="Paul Arvid",
                issue="joint water commission",
                stance="Against any commission.",
                polarity="opposes",
                sources=["a2"],
                evidence=[ev("a2", "opposed any commission")],
            ),
        ],
        commitments=[
            Commitment(
                actor="Tomas Arvid",
                action="release the detained barges",
                timeframe="by Friday",
                status="firm",
                sources=["a1", "a2"],
                evidence=[ev("a1", "pledged to release the detained barges by Friday")],
            ),
            Commitment(
                actor="Oda Lindqvist",
                action="publish the river survey",
                timeframe="next month",
                status="firm",
                sources=["a1"],
                evidence=[ev("a1", "Lindqvist promised to publish the river survey next month")],
            ),
            Commitment(
                actor="Tomas Arvid",
                action="host the next round of talks",
                status="proposed",
                sources=["a1"],
                evidence=[ev("a1", "Arvid offered to host the next round")],
            ),
        ],
        open_questions=[
            OpenQuestion(
                question="Who will chair the water commission?",
                reason="unknown",
                sources=["a1"],
                evidence=[ev("a1", "It was not clear who would chair it")],
            ),
            OpenQuestion(
                question="When will the treaty be signed?",
                reason="not_announced",
                sources=["a1"],
                evidence=[ev("a1", "No date has been set for the signing")],
            ),
            OpenQuestion(
                question="Where will the new canal run?",
                reason="disputed",
                sources=["a1"],
                evidence=[ev("a1", "The route of the new canal remains in dispute")],
            ),
        ],
        facts=[
            Fact(
                topic="cost of the treaty",
                value="1.2 billion euro",
                sources=["a1"],
                evidence=[ev("a1", "The treaty would cost 1.2 billion euro")],
            ),
            Fact(
                topic="cost of the treaty",
                value="€1.5bn",
                sources=["a2"],
                evidence=[ev("a2", "The deal is worth €1.5bn")],
            ),
            Fact(
                topic="length of the talks",
                value="two days",
                sources=["a1"],
                evidence=[ev("a1", "Talks lasted two days")],
            ),
        ],
        conflicts=[
            Conflict(
                topic="cost of the treaty",
                kind="amount",
                claims=[
                    Claim(source="a1", value="1.2 billion euro", quote="cost 1.2 billion euro"),
                    Claim(source="a2", value="€1.5bn", quote="worth €1.5bn"),
                ],
            ),
        ],
    )


def counts(card_kind: object) -> tuple[int, int, int, int]:
    c = card_kind
    return (c.gold, c.predicted, c.matched, c.strict)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------------------------
# The checks the issue asks for
# --------------------------------------------------------------------------------------------


def test_gold_against_itself_is_one() -> None:
    card = score(gold(), gold(), texts=TEXTS)
    assert card.headline == 1.0
    assert all(v == 1.0 for v in card.metrics().values())
    assert card.misses == []


def test_example_gold_against_itself_is_one() -> None:
    case = ROOT / "eval" / "cases" / "example" / "gold"
    texts = {
        p.stem: p.read_text("utf-8") for p in (ROOT / "examples" / "harbor-accord").glob("*.txt")
    }
    briefing = Briefing.model_validate_json((case / "briefing.json").read_text("utf-8"))
    assert score(briefing, briefing, texts=texts).metrics()["headline"] == 1.0
    for path in sorted(case.glob("0*.json")):
        article = ArticleExtraction.model_validate_json(path.read_text("utf-8"))
        card = score(article, article, texts=texts)
        assert set(card.metrics().values()) == {1.0}, path.name


@pytest.mark.parametrize("kind", ITEM_KINDS)
@pytest.mark.parametrize("k", [1, 2, 3])
def test_removing_k_items_lowers_recall_by_exactly_k_over_n(kind: str, k: int) -> None:
    full = gold()
    n = len(getattr(full, kind))
    predicted = gold()
    setattr(predicted, kind, getattr(predicted, kind)[k:])
    card = score(full, predicted, texts=TEXTS)
    assert card.kinds[kind].recall == pytest.approx(1 - k / n)
    assert card.kinds[kind].precision == (1.0 if k < n else 0.0)  # nothing predicted: 0
    missing = [m for m in card.misses if m.kind == kind and m.side == "gold"]
    assert len(missing) == k


def test_paraphrased_items_still_match() -> None:
    predicted = gold()
    predicted.actors = [
        Actor(name="Ms. Lindqvist"),
        Actor(name="Mr. Arvid"),
        Actor(name="Paul Arvid"),
    ]
    predicted.positions[0] = predicted.positions[0].model_copy(
        update={"actor": "Ms. Lindqvist", "issue": "territorial concessions on the Lumen"}
    )
    predicted.commitments[0] = predicted.commitments[0].model_copy(
        update={"actor": "the president of Sudmark", "action": "free the detained barges"}
    )
    predicted.open_questions[0] = predicted.open_questions[0].model_copy(
        update={"question": "Who chairs the joint water commission?"}
    )
    predicted.facts[2] = predicted.facts[2].model_copy(
        update={"topic": "talks length", "value": "two-day"}
    )
    card = score(gold(), predicted, texts=TEXTS)
    for kind in ITEM_KINDS:
        assert card.kinds[kind].recall == 1.0, (kind, card.misses)
        assert card.kinds[kind].strict_recall == 1.0, (kind, card.misses)


def test_a_wrong_actor_does_not_match() -> None:
    predicted = gold()
    wrong = predicted.positions[1].model_copy(update={"actor": "Tomas Arvid"})
    predicted.positions = [predicted.positions[0], wrong, predicted.positions[2]]
    card = score(gold(), predicted, texts=TEXTS)
    assert counts(card.kinds["positions"]) == (3, 3, 2, 2)
    miss = next(m for m in card.misses if m.side == "gold" and m.kind == "positions")
    assert "Lindqvist" in miss.item
    assert miss.why.startswith("actor differs")
    assert miss.nearest is not None and "joint water commission" in miss.nearest
    assert miss.similarity == 1.0


def test_two_people_sharing_a_surname_are_told_apart() -> None:
    table = ActorTable(actors())
    assert table.resolve("Mr. Arvid") == {"Tomas Arvid"}
    assert table.resolve("President Arvid") == {"Tomas Arvid"}
    assert table.resolve("Paul Arvid") == {"Paul Arvid"}
    assert table.resolve("Arvid") == {"Tomas Arvid", "Paul Arvid"}  # ambiguous: both kept
    assert table.resolve("Lindquist") == {"Oda Lindqvist"}  # a near spelling
    assert table.resolve("Henrik Berg") == frozenset()


def _shuffled(briefing: Briefing, seed: int) -> Briefing:
    rng = random.Random(seed)
    out = briefing.model_copy(deep=True)
    for name in (*ITEM_KINDS, "actors", "conflicts"):
        items = list(getattr(out, name))
        rng.shuffle(items)
        setattr(out, name, items)
    return out


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_item_order_does_not_matter(seed_gold: int, seed_pred: int) -> None:
    predicted = gold()
    predicted.positions[2] = predicted.positions[2].model_copy(update={"polarity": "supports"})
    predicted.facts = predicted.facts[1:]
    reference = score(gold(), predicted, texts=TEXTS)
    shuffled = score(_shuffled(gold(), seed_gold), _shuffled(predicted, seed_pred), texts=TEXTS)
    assert shuffled.metrics() == reference.metrics()
    assert sorted(map(str, shuffled.misses)) == sorted(map(str, reference.misses))


# --------------------------------------------------------------------------------------------
# Strictness, grounding, conflicts, actors
# --------------------------------------------------------------------------------------------


def test_strict_wants_the_key_attribute() -> None:
    predicted = gold()
    predicted.positions[0] = predicted.positions[0].model_copy(update={"polarity": "supports"})
    predicted.commitments[0] = predicted.commitments[0].model_copy(update={"status": "proposed"})
    predicted.open_questions[0] = predicted.open_questions[0].model_copy(
        update={"reason": "disputed"}
    )
    predicted.facts[2] = predicted.facts[2].model_copy(update={"value": "three days"})
    card = score(gold(), predicted, texts=TEXTS)
    for kind in ITEM_KINDS:
        assert card.kinds[kind].recall == 1.0
        assert card.kinds[kind].strict < card.kinds[kind].matched, kind
    whys = {m.why for m in card.misses if m.side == "attribute"}
    assert "polarity: gold 'opposes', predicted 'supports'" in whys
    assert "value: gold 'two days', predicted 'three days'" in whys


def test_strict_wants_a_quote_that_verifies() -> None:
    predicted = gold()
    bad = predicted.positions[0].evidence[0].model_copy(update={"start": 0, "end": 5})
    predicted.positions[0] = predicted.positions[0].model_copy(update={"evidence": [bad]})
    card = score(gold(), predicted, texts=TEXTS)
    assert counts(card.kinds["positions"]) == (3, 3, 3, 2)
    assert any(m.why == "quote not found in the article" for m in card.misses)
    total = sum(len(getattr(predicted, k)) for k in ITEM_KINDS)
    assert card.grounding == pytest.approx((total - 1) / total)


def test_without_texts_quotes_are_not_checked() -> None:
    card = score(gold(), gold())
    assert card.grounding is None
    assert card.headline == 1.0


def test_dropped_items_lower_the_grounding_rate() -> None:
    extraction = ArticleExtraction.model_validate(
        {
            "source": {"id": "a1"},
            "positions": [gold().positions[1].model_dump()],
            "dropped": [{"source": "a1", "kind": "position", "quote": "made up", "reason": "x"}],
        }
    )
    card = score(extraction, extraction, texts=TEXTS)
    assert card.grounding == 0.5


def test_conflict_recall_and_its_strict_form() -> None:
    predicted = gold()
    predicted.conflicts = [
        Conflict(
            topic="treaty price",
            claims=[
                Claim(source="a1", value="€1.2bn", quote="x"),
                Claim(source="a2", value="1.5 billion euros", quote="y"),
            ],
        )
    ]
    card = score(gold(), predicted, texts=TEXTS)
    assert counts(card.conflicts) == (1, 1, 1, 1)
    predicted.conflicts = []
    card = score(gold(), predicted, texts=TEXTS)
    assert card.conflict_recall == 0.0
    assert any(m.kind == "conflicts" and m.side == "gold" for m in card.misses)


def test_actor_accuracy_counts_splits_and_merges() -> None:
    predicted = gold()
    predicted.actors = [
        Actor(name="Oda Lindqvist"),
        Actor(name="Ms. Lindqvist"),  # split
        Actor(name="Tomas Arvid", aliases=["Paul Arvid"]),  # merged with Paul
        Actor(name="Henrik Berg"),  # not in gold
    ]
    card = score(gold(), predicted, texts=TEXTS)
    assert card.actor_accuracy == 0.0
    whys = " | ".join(m.why for m in card.misses if m.kind == "actors")
    assert "split into 2" in whys and "merged" in whys and "not a gold actor" in whys


def test_misses_name_the_nearest_candidate_and_its_similarity() -> None:
    predicted = gold()
    predicted.open_questions = [
        OpenQuestion(question="Will the barges carry grain?", evidence=[ev("a2", "barges")])
    ]
    card = score(gold(), predicted, texts=TEXTS)
    misses = [m for m in card.misses if m.kind == "open_questions"]
    chair = next(m for m in misses if m.side == "gold" and "chair" in m.item)
    assert chair.nearest == "Will the barges carry grain? [unknown]"
    assert chair.similarity is not None and chair.similarity < DEFAULT_THRESHOLD
    assert chair.why.startswith("nothing similar enough (best ")
    extra = next(m for m in misses if m.side == "predicted")
    assert extra.nearest is not None and extra.similarity is not None
    assert card.kinds["open_questions"].recall == 0.0


def test_embeddings_can_rescue_a_paraphrase() -> None:
    predicted = gold()
    predicted.open_questions[0] = predicted.open_questions[0].model_copy(
        update={"question": "Leadership of the new body?"}
    )
    assert score(gold(), predicted).kinds["open_questions"].matched == 2

    def embed(texts: list[str]) -> list[list[float]]:  # a stand-in: both texts, one direction
        return [[1.0, 0.0] if ("chair" in t or "Leadership" in t) else [0.0, 1.0] for t in texts]

    card = score(gold(), predicted, config=ScoreConfig(embed=embed))  # type: ignore[arg-type]
    assert card.kinds["open_questions"].matched == 3


# --------------------------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("€2.4bn", "2.4 billion euro"),
        ("two-day", "two days"),
        ("$90 billion", "USD 90bn"),
        ("nine", "9"),
        ("three-week", "3 weeks"),
    ],
)
def test_values_that_mean_the_same_agree(a: str, b: str) -> None:
    assert values_agree(a, b), (value_key(a), value_key(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("€2.4bn", "€3bn"),
        ("63", "more than 60"),
        ("Tuesday", "Wednesday"),
        ("the accord was signed on the second day", "the accord was not signed on the second day"),
    ],
)
def test_values_that_differ_do_not_agree(a: str, b: str) -> None:
    assert not values_agree(a, b)


def test_text_similarity_handles_the_classic_paraphrase() -> None:
    assert text_similarity("ceding territory", "territorial concessions") >= DEFAULT_THRESHOLD
    assert text_similarity("security guarantees", "weapons purchase") < DEFAULT_THRESHOLD


def test_two_labellers_compared_with_pairwise_item_f1() -> None:
    other = gold()
    other.positions = other.positions[:2]
    other.positions[1] = other.positions[1].model_copy(update={"polarity": "conditional"})
    a_vs_b = agreement(gold(), other)
    b_vs_a = agreement(other, gold())
    assert a_vs_b.item_f1 == b_vs_a.item_f1  # symmetric
    assert a_vs_b.item_f1["positions"] == pytest.approx(2 * 2 / (3 + 2))
    assert a_vs_b.attribute_agreement["positions"] == 0.5
    assert a_vs_b.item_f1["facts"] == 1.0


def test_cohen_kappa() -> None:
    assert cohen_kappa([("a", "a"), ("b", "b")]) == 1.0
    assert cohen_kappa([("a", "b"), ("b", "a")]) == -1.0
    assert cohen_kappa([]) is None


def test_threshold_is_calibrated_on_the_example_gold() -> None:
    case = ROOT / "eval" / "cases" / "example" / "gold"
    articles = [
        ArticleExtraction.model_validate_json(p.read_text("utf-8"))
        for p in sorted(case.glob("0*.json"))
    ]
    briefing = Briefing.model_validate_json((case / "briefing.json").read_text("utf-8"))
    pairs = calibration_pairs(articles, briefing)
    assert sum(p.same for p in pairs) >= 50
    [(threshold, recall, false_positive_rate)] = calibrate(pairs, [DEFAULT_THRESHOLD])
    assert recall >= 0.95
    assert false_positive_rate <= 0.10


def test_a_predicted_acronym_finds_the_one_gold_organisation_with_those_initials() -> None:
    from summarizer.evaluate.scorer import ActorTable
    from summarizer.schema import Actor

    table = ActorTable(
        [
            Actor(name="Valdorian Reconstruction Council", type="organisation"),
            Actor(name="Security Council", type="organisation"),
            Actor(name="Supreme Court", type="organisation"),
        ]
    )
    assert table.resolve("VRC") == {"Valdorian Reconstruction Council"}
    assert table.resolve("SC") == set()  # two full names share the initials: no guess
    assert table.resolve("Supreme Court") == {"Supreme Court"}  # full names never cross
