"""Builders for merge tests and benchmarks: small hand-made items and large synthetic corpora.

The synthetic corpus imitates many outlets covering one event: a fixed cast of invented people
(named in several ways: full name, surname, "Mr."/"Ms." forms, a role, a transliteration), a
pool of underlying positions, commitments, questions and facts that each article reports a
few of in its own words, a few values that outlets disagree on, and some single-source items.
Everything is derived from a seeded ``random.Random``: the same arguments give the same data.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from summarizer.schema import (
    Actor,
    ArticleExtraction,
    Commitment,
    Evidence,
    Fact,
    OpenQuestion,
    Position,
    Source,
    Usage,
)


def ev(source: str, quote: str, start: int = 0, speaker: str | None = None) -> Evidence:
    """Evidence with consistent offsets (the text itself is not needed by the merge)."""
    return Evidence(source=source, quote=quote, start=start, end=start + len(quote),
                    speaker=speaker)


def position(source: str, actor: str, issue: str, stance: str = "", quote: str | None = None,
             **kw: object) -> Position:
    return Position(actor=actor, issue=issue, stance=stance or f"{actor} on {issue}",
                    evidence=[ev(source, quote or f"{actor} said {issue}")], **kw)  # type: ignore[arg-type]


def commitment(source: str, actor: str, action: str, quote: str | None = None,
               **kw: object) -> Commitment:
    return Commitment(actor=actor, action=action,
                      evidence=[ev(source, quote or f"{actor} will {action}")], **kw)  # type: ignore[arg-type]


def question(source: str, text: str, quote: str | None = None, **kw: object) -> OpenQuestion:
    return OpenQuestion(question=text, evidence=[ev(source, quote or f"unclear: {text}")],
                        **kw)  # type: ignore[arg-type]


def fact(source: str, topic: str, value: str, quote: str | None = None) -> Fact:
    return Fact(topic=topic, value=value, evidence=[ev(source, quote or f"{topic} was {value}")])


def extraction(source: str, *, date: str | None = None, actors: Sequence[Actor] = (),
               positions: Sequence[Position] = (), commitments: Sequence[Commitment] = (),
               questions: Sequence[OpenQuestion] = (), facts: Sequence[Fact] = (),
               model: str | None = "test-model") -> ArticleExtraction:
    return ArticleExtraction(
        source=Source(id=source, title=f"Report {source}", outlet=f"Outlet {source}",
                      date=date),
        actors=list(actors), positions=list(positions), commitments=list(commitments),
        open_questions=list(questions), facts=list(facts), model=model,
        usage=Usage(prompt_tokens=100, completion_tokens=50, calls=1),
    )


# --------------------------------------------------------------------------------------------
# A synthetic corpus
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    names: tuple[str, ...]  # ways outlets write the name; the first is the fullest
    role: str
    affiliation: str


CAST: tuple[Person, ...] = (
    Person(("Oleksandra Marchenko", "Oleksandra Marchenkova", "Marchenko", "Ms. Marchenko"),
           "Valdorian President", "Valdoria"),
    Person(("Dmitri Voskresensky", "Dmitriy Voskresenskiy", "Voskresensky", "Mr. Voskresenskyy"),
           "Kestrel Premier", "Kestrel"),
    Person(("Ilse Brandt", "Brandt", "Ms. Brandt"), "Ostmark Foreign Minister", "Ostmark"),
    Person(("Jonas Brandt", "Adm. Brandt", "Admiral Brandt"), "Rear Admiral", "Valdoria"),
    Person(("Henrik Aaltonen", "Aaltonen", "Mr. Aaltonen"), "Ostmark Chancellor", "Ostmark"),
    Person(("Paloma Ferreira", "Ferreira", "Ms. Ferreira"), "Harbour Council Secretary General",
           "Harbour Council"),
)
ISSUES = (
    ("fishing moratorium", ("a fishing moratorium", "the moratorium on fishing",
                            "fishing moratorium on the bank")),
    ("shipping lane scheme", ("the shipping lane scheme", "a shared shipping lane scheme",
                              "shipping lane plan scheme")),
    ("ceasefire before talks", ("a ceasefire before talks", "ceasefire ahead of talks",
                                "the ceasefire before any talks")),
    ("return of seized trawlers", ("return of the seized trawlers", "seized trawlers return",
                                   "the return of seized fishing trawlers")),
    ("joint patrol centre", ("a joint patrol centre", "the joint patrol monitoring centre",
                             "joint patrol centre plan")),
)
ACTIONS = (
    ("withdraw patrol boats from the bank", ("withdraw its patrol boats from the bank",
                                             "withdraw the patrol boats from the bank")),
    ("release the detained crews", ("release the detained crews", "release all detained crews")),
    ("pay for the monitoring centre", ("pay for the monitoring centre",
                                       "pay for the new monitoring centre")),
)
TIMEFRAMES = ("within two weeks", "within two weeks", "before the end of the month", None)
QUESTIONS = (
    ("When will the next round of talks be held?", "When is the next round of talks?"),
    ("Who will pay for the fisheries fund?", "Who pays for the fisheries fund?"),
    ("Which country owns the disputed bank?", "Which country owns the bank?"),
)
FACTS = (
    ("size of the fisheries fund", ("€2.4bn", "2.4 billion euros", "€3bn")),
    ("number of trawlers seized", ("nine", "nine", "eleven")),
    ("day the summit ended", ("Tuesday", "Tuesday", "Wednesday (local time)")),
    ("number of frigates sent", ("two", "two")),
)
_NOISE_WORDS = tuple(
    f"{a}{b}" for a in ("kel", "mor", "tas", "vin", "dro", "pal", "sen", "ul", "fa", "ric")
    for b in ("ana", "ber", "cot", "dix", "eno", "fur", "gal", "hin", "ist", "jor")
)


def synthetic_corpus(n_articles: int, seed: int = 0) -> list[ArticleExtraction]:
    """``n_articles`` extractions about one invented event (see the module docstring)."""
    rng = random.Random(seed)
    return [_article(rng, i) for i in range(n_articles)]


def _article(rng: random.Random, i: int) -> ArticleExtraction:
    sid = f"a{i:05d}"
    date = f"2026-11-{17 + rng.randrange(3)}" if rng.random() < 0.8 else None
    cast = rng.sample(CAST, k=rng.randint(3, len(CAST)))
    names = {p.names[0]: rng.choice(p.names[:2]) for p in cast}
    actors = [
        Actor(name=names[p.names[0]], aliases=rng.sample(p.names[2:], k=min(1, len(p.names) - 2)),
              role=p.role, affiliation=p.affiliation, sources=[sid])
        for p in cast
    ]
    positions = [
        position(sid, _mention(rng, p), rng.choice(variants),
                 polarity=rng.choice(("supports", "supports", "opposes")),
                 quote=(f"{p.names[-1]} on {issue}"))
        for p in rng.sample(cast, k=min(3, len(cast)))
        for issue, variants in rng.sample(ISSUES, k=2)
    ]
    positions += [_noise_position(rng, sid, cast) for _ in range(2)]
    commitments = [
        commitment(sid, _mention(rng, p), rng.choice(variants),
                   timeframe=rng.choice(TIMEFRAMES), quote=(f"{p.names[-1]} {base}"))
        for p in rng.sample(cast, k=2)
        for base, variants in rng.sample(ACTIONS, k=1)
    ]
    questions = [question(sid, rng.choice(variants), quote=(variants[0]))
                 for variants in rng.sample(QUESTIONS, k=2)]
    facts = [fact(sid, topic, rng.choice(values), quote=(topic))
             for topic, values in rng.sample(FACTS, k=3)]
    return extraction(sid, date=date, actors=actors, positions=positions,
                      commitments=commitments, questions=questions, facts=facts)


def _mention(rng: random.Random, p: Person) -> str:
    return rng.choice(p.names)


def _noise_position(rng: random.Random, sid: str, cast: Sequence[Person]) -> Position:
    """A single-source position with its own words: the long tail real coverage has."""
    issue = " ".join(rng.sample(_NOISE_WORDS, k=3))
    p = rng.choice(cast)
    return position(sid, _mention(rng, p), issue, quote=(issue))
