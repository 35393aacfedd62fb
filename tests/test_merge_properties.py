"""Properties the merge must always have, checked on generated extractions.

The generator draws from a small vocabulary on purpose (name variants of a few invented and
real-style actors, paraphrased issues, values that agree or disagree), so that folding, actor
resolution and conflicts actually happen in most examples.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.merge.fold import briefing_as_extraction, merge
from summarizer.schema import (
    Actor,
    ArticleExtraction,
    Briefing,
    Commitment,
    Evidence,
    Fact,
    OpenQuestion,
    Position,
    Source,
    Usage,
)

PEOPLE = [
    ("Volodymyr Zelensky", ("Zelenskyy", "Mr. Zelenskiy", "the Ukrainian president"),
     "Ukrainian President"),
    ("Donald Trump", ("Mr. Trump", "Trump", "US President Donald Trump"), "US President"),
    ("Ilse Brandt", ("Ms. Brandt", "Brandt"), "Ostmark Foreign Minister"),
    ("Jonas Brandt", ("Admiral Brandt", "Adm. Brandt"), "Rear Admiral"),
    ("Friedrich Merz", ("Merz", "the German Chancellor"), "German Chancellor"),
]
GROUPS = ["European leaders", "the European leaders", "Russia", "Kremlin"]
ISSUES = ["ceasefire before talks", "a ceasefire before peace talks", "ceasefire first",
          "security guarantees for Ukraine", "Ukraine security guarantees",
          "US troops in Ukraine", "fishing moratorium on the bank"]
ACTIONS = ["arrange a meeting between Zelensky and Putin", "set up a Zelensky-Putin meeting",
           "buy US weapons", "buy American weapons", "send troops to Ukraine",
           "give Ukraine protection and security",
           "co-ordinate the security guarantees for Ukraine",
           "support Ukraine's security in a peace deal",
           "buy $90bn of US weapons", "buy $100bn of US weapons"]
BENEFICIARIES = [None, None, "Ukraine", "Ukraine", "the United States"]
TIMEFRAMES = [None, "within two weeks", "before the end of the month", "by Friday",
              "this week"]
QUESTIONS = ["Where will the meeting take place?", "Where will the meeting be held?",
             "Will Putin agree to meet?", "Who will pay for the fund?",
             "Where will the Zelensky-Putin meeting take place?",
             "When will the Zelensky-Putin meeting happen?"]
FACTS = [
    ("weapons purchase amount", ("$90 billion", "$90bn", "$100bn", "around $90 bn")),
    ("day of the White House meeting", ("Monday", "Tuesday (AEST)", "last week")),
    ("timing of the Zelensky-Putin meeting", ("within two weeks", "before the end of the month")),
    ("venue of the Zelensky-Putin meeting", ("Hungary", "Geneva")),
    ("outcome of the talks", ("a breakthrough", "ended without a guarantee")),
    ("number of trawlers seized", ("nine", "eleven", "more than eight")),
]
SOURCE_IDS = [f"s{i}" for i in range(6)]

# Without the second Brandt: a surname-only mention that two people could own is kept apart
# from both in the first merge, but after it is re-merged under one synthetic source it can
# attach (a known edge case, see the merge report); the re-merge property uses this cast.
UNAMBIGUOUS = [p for p in PEOPLE if p[0] != "Jonas Brandt"]


def names_of(people: list[tuple[str, tuple[str, ...], str]]) -> st.SearchStrategy[str]:
    return st.sampled_from([p[0] for p in people] + [a for p in people for a in p[1]] + GROUPS)


@st.composite
def evidence(draw: st.DrawFn, source: str, text: str) -> list[Evidence]:
    start = draw(st.integers(0, 5000))
    quote = f"{text} ({start})"
    return [Evidence(source=source, quote=quote, start=start, end=start + len(quote))]


@st.composite
def extractions(draw: st.DrawFn, source: str,
                cast: list[tuple[str, tuple[str, ...], str]]) -> ArticleExtraction:
    names = names_of(cast)
    people = draw(st.lists(st.sampled_from(cast), max_size=3, unique=True))
    actors = [
        Actor(name=draw(st.sampled_from([p[0], p[1][0]])),
              aliases=draw(st.lists(st.sampled_from(p[1]), max_size=2, unique=True)),
              role=p[2], sources=[source])
        for p in people
    ]
    positions = [
        Position(actor=draw(names), issue=draw(st.sampled_from(ISSUES)), stance="stance",
                 polarity=draw(st.sampled_from(["supports", "opposes", "conditional"])),
                 attributed_by=draw(st.sampled_from([None, None, "Witkoff"])),
                 sources=[source], evidence=draw(evidence(source, "position")))
        for _ in range(draw(st.integers(0, 3)))
    ]
    commitments = [
        Commitment(actor=draw(names), action=draw(st.sampled_from(ACTIONS)),
                   timeframe=draw(st.sampled_from(TIMEFRAMES)),
                   beneficiary=draw(st.sampled_from(BENEFICIARIES)),
                   status=draw(st.sampled_from(["firm", "firm", "refused", "proposed"])),
                   sources=[source], evidence=draw(evidence(source, "commitment")))
        for _ in range(draw(st.integers(0, 2)))
    ]
    questions = [
        OpenQuestion(question=draw(st.sampled_from(QUESTIONS)),
                     reason=draw(st.sampled_from(["not_announced", "disputed", "unknown"])),
                     sources=[source], evidence=draw(evidence(source, "question")))
        for _ in range(draw(st.integers(0, 2)))
    ]
    facts = []
    for topic, values in draw(st.lists(st.sampled_from(FACTS), max_size=3, unique=True)):
        facts.append(Fact(topic=topic, value=draw(st.sampled_from(values)), sources=[source],
                          evidence=draw(evidence(source, "fact"))))
    return ArticleExtraction(
        source=Source(id=source, title=f"Title {source}",
                      date=draw(st.sampled_from([None, "2025-08-18", "2025-08-19"]))),
        actors=actors, positions=positions, commitments=commitments,
        open_questions=questions, facts=facts, model="m",
        usage=Usage(prompt_tokens=10, completion_tokens=5, calls=1),
    )


@st.composite
def corpora(draw: st.DrawFn, cast: list[tuple[str, tuple[str, ...], str]] | None = None
            ) -> list[ArticleExtraction]:
    ids = draw(st.lists(st.sampled_from(SOURCE_IDS), min_size=1, max_size=5, unique=True))
    return [draw(extractions(source, cast or PEOPLE)) for source in ids]


CONTENT = ("actors", "positions", "commitments", "open_questions", "facts", "conflicts")
SETTINGS = settings(max_examples=60, deadline=None)


def content(briefing: Briefing) -> dict[str, object]:
    dumped = briefing.model_dump()
    return {k: dumped[k] for k in CONTENT}


def all_evidence(items: list[ArticleExtraction] | Briefing) -> set[tuple[str, str, int, int]]:
    groups = items if isinstance(items, list) else [items]
    return {
        (e.source, e.quote, e.start, e.end)
        for g in groups
        for kind in (g.positions, g.commitments, g.open_questions, g.facts)
        for item in kind
        for e in item.evidence
    }


@SETTINGS
@given(corpus=corpora(), data=st.data())
def test_the_briefing_does_not_depend_on_article_order(
    corpus: list[ArticleExtraction], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(corpus))
    assert merge(shuffled).model_dump() == merge(corpus).model_dump()


@SETTINGS
@given(corpus=corpora())
def test_merging_duplicates_changes_nothing(corpus: list[ArticleExtraction]) -> None:
    assert merge(corpus + corpus).model_dump() == merge(corpus).model_dump()


@SETTINGS
@given(corpus=corpora(UNAMBIGUOUS))
def test_merging_a_briefing_again_changes_nothing(corpus: list[ArticleExtraction]) -> None:
    briefing = merge(corpus)
    again = merge([briefing_as_extraction(briefing)], sources=briefing.sources)
    assert content(again) == content(briefing)


@SETTINGS
@given(corpus=corpora())
def test_no_source_or_quote_is_lost(corpus: list[ArticleExtraction]) -> None:
    briefing = merge(corpus)
    assert {s.id for s in briefing.sources} == {e.source.id for e in corpus}
    assert all_evidence(corpus) <= all_evidence(briefing)


@SETTINGS
@given(corpus=corpora())
def test_every_item_is_backed_by_grounded_article_items(corpus: list[ArticleExtraction]) -> None:
    briefing = merge(corpus)
    grounded = all_evidence(corpus)
    for kind in (briefing.positions, briefing.commitments, briefing.open_questions,
                 briefing.facts):
        for item in kind:
            quotes = {(e.source, e.quote, e.start, e.end) for e in item.evidence}
            assert quotes and quotes <= grounded
            assert set(item.sources) == {e.source for e in item.evidence}
            assert item.support == len(item.sources)
    for c in briefing.conflicts:
        assert len({claim.value for claim in c.claims}) >= 2
        for claim in c.claims:
            assert claim.start is not None and claim.end is not None
            assert (claim.source, claim.quote, claim.start, claim.end) in grounded


@SETTINGS
@given(corpus=corpora())
def test_every_item_actor_is_a_resolved_actor(corpus: list[ArticleExtraction]) -> None:
    briefing = merge(corpus)
    actors = {a.name for a in briefing.actors}
    assert {p.actor for p in briefing.positions} <= actors
    assert {c.actor for c in briefing.commitments} <= actors
