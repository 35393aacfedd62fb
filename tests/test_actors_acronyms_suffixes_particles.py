"""Actors: organisations with the same initials stay apart, an acronym names the one
organisation it fits, generational suffixes keep father and son apart, capitalised particles
belong to the surname, and a surname attaches only to the one person it can mean (invented
names)."""

from __future__ import annotations

import pytest

from summarizer.merge.actors import Mention, parse_name, resolve
from summarizer.merge.fold import briefing_as_extraction, merge
from summarizer.schema import Actor, ActorType
from tests.factories import commitment, extraction, position


def declared(
    source: str, name: str, *aliases: str, role: str | None = None, type: ActorType = "person"
) -> list[Mention]:
    group = f"{source}:{name}"
    return [
        Mention(
            source, name, type, role, None, group, declared=True, primary=True, sources=(source,)
        )
    ] + [
        Mention(source, a, type, None, None, group, declared=True, sources=(source,))
        for a in aliases
    ]


def names(mentions: list[Mention]) -> list[str]:
    return sorted(a.name for a in resolve(mentions).actors)


# --- 1. organisations with the same initials -------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("the Security Council", "the Supreme Court"),
        ("the Foreign Ministry", "the Finance Ministry"),
        ("Defence Ministry", "Development Ministry"),
        ("the European Council", "the European Commission"),
        ("the Valdorian Foreign Ministry", "the Valdorian Finance Ministry"),
    ],
)
def test_organisations_with_the_same_initials_stay_apart(a: str, b: str) -> None:
    briefing = merge(
        [
            extraction("s1", positions=[position("s1", a, "the emergency decree")]),
            extraction(
                "s2", positions=[position("s2", b, "the emergency decree", polarity="opposes")]
            ),
        ]
    )
    assert len(briefing.actors) == 2
    assert len({p.actor for p in briefing.positions}) == 2
    # declared as organisations, too
    mentions = [*declared("s1", a, type="organisation"), *declared("s2", b, type="organisation")]
    assert len(resolve(mentions).actors) == 2


@pytest.mark.parametrize(
    ("full", "short", "type"),
    [
        ("the Valdorian Relief Corps", "VRC", None),
        ("the Valdorian Relief Corps", "V.R.C.", None),
        ("the Valdorian Relief Corps", "VRC", "organisation"),
        ("Kestrel Relief and Aid Fund", "Kraf", "organisation"),
    ],
)
def test_an_acronym_still_names_the_one_organisation_with_those_initials(
    full: str, short: str, type: ActorType | None
) -> None:
    mentions = [*declared("s1", full, type="organisation"), Mention("s2", short, type)]
    resolution = resolve(mentions)
    expected = full.removeprefix("the ")
    assert [(a.name, a.type) for a in resolution.actors] == [(expected, "organisation")]
    assert resolution.canonical("s2", short) == expected


def test_an_acronym_two_organisations_share_stays_apart() -> None:
    mentions = [
        *declared("s1", "the Security Council", type="organisation"),
        *declared("s2", "the Supreme Court", type="organisation"),
        *declared("s3", "SC", type="organisation"),
    ]
    assert names(mentions) == ["SC", "Security Council", "Supreme Court"]
    # ... unless the acronym's own article names only one of them
    local = [*mentions, Mention("s1", "SC")]
    assert resolve(local).canonical("s1", "SC") == "Security Council"


# --- 2. generational suffixes ----------------------------------------------------------------


def test_father_and_son_are_two_actors() -> None:
    briefing = merge(
        [
            extraction(
                "s1",
                actors=[Actor(name="Hamid Osei", role="former President", type="person")],
                positions=[position("s1", "Hamid Osei", "the amnesty law")],
            ),
            extraction(
                "s2",
                actors=[Actor(name="Hamid Osei Jr.", role="Opposition leader", type="person")],
                positions=[position("s2", "Hamid Osei Jr.", "the amnesty law", polarity="opposes")],
            ),
        ]
    )
    assert sorted(a.name for a in briefing.actors) == ["Hamid Osei", "Hamid Osei Jr."]
    assert sorted(p.actor for p in briefing.positions) == ["Hamid Osei", "Hamid Osei Jr."]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Hamid Osei", "Hamid Osei Jr."),
        ("Hamid Osei Sr.", "Hamid Osei Jr."),
        ("Hamid Osei", "Hamid Osei III"),
        ("Hamid Osei, Jr.", "Hamid Osei Sr"),
    ],
)
def test_different_generational_suffixes_never_merge(a: str, b: str) -> None:
    assert len(resolve([*declared("s1", a), *declared("s2", b)]).actors) == 2
    assert len(resolve([Mention("s1", a), Mention("s2", b)]).actors) == 2


def test_the_same_suffix_still_merges_and_a_suffixed_partial_finds_its_generation() -> None:
    mentions = [
        *declared("s1", "Hamid Osei Jr."),
        *declared("s2", "Hamid Osei Jr", role="Opposition leader"),
        *declared("s3", "Hamid Osei"),
        Mention("s4", "Mr. Osei Jr."),
        Mention("s5", "Osei"),
    ]
    resolution = resolve(mentions)
    assert names(mentions) == ["Hamid Osei", "Hamid Osei Jr.", "Osei"]
    assert resolution.canonical("s4", "Mr. Osei Jr.") == "Hamid Osei Jr."
    assert resolution.canonical("s5", "Osei") == "Osei"  # ambiguous: father or son


# --- 3. capitalised surname particles --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "surname"),
    [
        ("Von der Aue", ("Von", "der", "Aue")),
        ("De la Fuente", ("De", "la", "Fuente")),
        ("Van den Berg", ("Van", "den", "Berg")),
        ("de Vries", ("de", "Vries")),
    ],
)
def test_a_capitalised_particle_chain_is_a_surname(text: str, surname: tuple[str, ...]) -> None:
    parsed = parse_name(text)
    assert (parsed.given, parsed.surname) == ((), surname)


def test_a_capitalised_particle_inside_a_full_name_belongs_to_the_surname() -> None:
    parsed = parse_name("Katrin Von der Aue")
    assert (parsed.given, parsed.surname) == (("Katrin",), ("Von", "der", "Aue"))
    parsed = parse_name("Lucie Le Brun")
    assert (parsed.given, parsed.surname) == (("Lucie",), ("Le", "Brun"))


def test_a_sentence_initial_particle_attaches_like_a_lower_case_one() -> None:
    briefing = merge(
        [
            extraction(
                "s1",
                actors=[
                    Actor(name="Katrin von der Aue", role="Commission President", type="person")
                ],
                positions=[position("s1", "Katrin von der Aue", "the tariff truce")],
            ),
            extraction("s2", positions=[position("s2", "Von der Aue", "the tariff truce")]),
            extraction("s3", positions=[position("s3", "Ms von der Aue", "the tariff truce")]),
        ]
    )
    assert [a.name for a in briefing.actors] == ["Katrin von der Aue"]
    assert {"Von der Aue", "Ms von der Aue"} <= set(briefing.actors[0].aliases)


# --- 4. attachment reaches its fixed point in one merge --------------------------------------


def test_a_surname_attaches_the_same_way_when_a_briefing_is_merged_again() -> None:
    extractions = [
        extraction(
            "s1",
            positions=[
                position("s1", "Jonas Brandt", "the joint patrol centre"),
                position("s1", "Admiral Brandt", "the shipping lane scheme"),
            ],
        ),
        extraction("s2", positions=[position("s2", "Ilse Brandt", "the fishing moratorium")]),
        extraction(
            "s3",
            commitments=[commitment("s3", "Admiral Brandt", "withdraw patrol boats from the bank")],
        ),
    ]
    briefing = merge(extractions)
    assert sorted(a.name for a in briefing.actors) == ["Ilse Brandt", "Jonas Brandt"]
    assert [c.actor for c in briefing.commitments] == ["Jonas Brandt"]
    again = merge([briefing_as_extraction(briefing)], sources=briefing.sources)
    assert again.actors == briefing.actors
    assert again.positions == briefing.positions
    assert again.commitments == briefing.commitments


def test_iterated_attachment_never_joins_two_people_or_guesses() -> None:
    mentions = [
        Mention("s1", "Jonas Brandt"),
        Mention("s1", "Admiral Brandt"),
        Mention("s2", "Ilse Brandt"),
        Mention("s2", "Ms. Brandt"),
        Mention("s3", "Admiral Brandt"),
        Mention("s4", "Ms. Brandt"),
        Mention("s5", "Brandt"),
    ]
    resolution = resolve(mentions)
    assert names(mentions) == ["Brandt", "Ilse Brandt", "Jonas Brandt"]
    assert resolution.canonical("s3", "Admiral Brandt") == "Jonas Brandt"
    assert resolution.canonical("s4", "Ms. Brandt") == "Ilse Brandt"
    assert resolution.canonical("s5", "Brandt") == "Brandt"


@pytest.mark.parametrize(
    ("text", "given", "surname"),
    [
        ("Al Gore", ("Al",), ("Gore",)),
        ("Van Jones", ("Van",), ("Jones",)),
        ("De Gaulle", (), ("De", "Gaulle")),
    ],
)
def test_a_particle_that_is_also_a_given_name_still_opens_a_full_name(
    text: str, given: tuple[str, ...], surname: tuple[str, ...]
) -> None:
    parsed = parse_name(text)
    assert (parsed.given, parsed.surname) == (given, surname)


def test_a_suffix_is_kept_in_the_name_shown() -> None:
    parsed = parse_name("Former President Hamid Osei Jr.")
    assert (parsed.given, parsed.surname, parsed.suffix) == (("Hamid",), ("Osei",), "jr")
    assert parsed.display == "Hamid Osei Jr."
    assert parse_name("Hamid Osei, Jr.").suffix == "jr"


def test_a_person_is_named_by_a_name_never_by_an_office() -> None:
    """A surname declared with an office ("Merz", "the German Chancellor") is called by the
    name, so it can never share a name with an office-only actor."""
    from summarizer.merge.fold import merge
    from summarizer.schema import Actor
    from tests.factories import commitment, extraction, position

    s2 = extraction(
        "s2",
        commitments=[
            commitment("s2", "Merz", "arrange a meeting"),
            commitment("s2", "the German Chancellor", "arrange a meeting"),
        ],
    )
    s3 = extraction("s3", positions=[position("s3", "the German Chancellor", "a ceasefire")])
    s4 = extraction(
        "s4",
        actors=[
            Actor(
                name="Merz",
                aliases=["Merz", "the German Chancellor"],
                role="German Chancellor",
                type="person",
                sources=["s4"],
            )
        ],
        positions=[position("s4", "Merz", "a ceasefire")],
    )
    names = [a.name for a in merge([s2, s3, s4]).actors]
    assert "Merz" in names and len(names) == len(set(names))
