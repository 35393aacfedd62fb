"""Actor resolution on invented names: variants merge, different people never do."""

from __future__ import annotations

import pytest

from summarizer.merge.actors import Mention, fold_token, parse_name, resolve, role_key
from summarizer.schema import ActorType


def declared(source: str, name: str, *aliases: str, role: str | None = None,
             type: ActorType = "person", affiliation: str | None = None) -> list[Mention]:
    group = f"{source}:{name}"
    sources = (source,)
    return [Mention(source, name, type, role, affiliation, group, declared=True, primary=True,
                    sources=sources)] + [
        Mention(source, a, type, None, affiliation, group, declared=True, sources=sources)
        for a in aliases
    ]


def names(mentions: list[Mention]) -> list[str]:
    return sorted(a.name for a in resolve(mentions).actors)


@pytest.mark.parametrize("variant", ["Zelenskyy", "Zelenskiy", "Zelensky", "Zelenski",
                                     "Zelenskyi"])
def test_transliterations_fold_to_one_key(variant: str) -> None:
    assert fold_token(variant) == fold_token("Zelensky")


def test_folding_keeps_different_surnames_apart() -> None:
    assert fold_token("Brandt") != fold_token("Brand")
    assert fold_token("Voronov") == fold_token("Voronoff")


@pytest.mark.parametrize(
    ("text", "given", "surname", "role"),
    [
        ("US President Donald Trump", ("Donald",), ("Trump",), "US President"),
        ("Mr. Trump", (), ("Trump",), None),
        ("Sir Keir Starmer", ("Keir",), ("Starmer",), None),
        ("NATO Secretary General Mark Rutte", ("Mark",), ("Rutte",), "NATO Secretary General"),
        ("European Commission President Ursula von der Leyen", ("Ursula",),
         ("von", "der", "Leyen"), "European Commission President"),
        ("Secretary of State Marco Rubio", ("Marco",), ("Rubio",), "Secretary of State"),
        ("Angus King", ("Angus",), ("King",), None),
        ("Rear Adm. Jonas Brandt", ("Jonas",), ("Brandt",), "Rear Adm."),
    ],
)
def test_names_are_split_into_role_given_and_surname(
    text: str, given: tuple[str, ...], surname: tuple[str, ...], role: str | None
) -> None:
    parsed = parse_name(text)
    assert (parsed.kind, parsed.given, parsed.surname, parsed.role) == ("name", given, surname,
                                                                        role)


@pytest.mark.parametrize("text", ["the Ukrainian president", "the German Chancellor",
                                  "the Kestrel premier", "a European official"])
def test_role_references_are_roles(text: str) -> None:
    assert parse_name(text).kind == "role"


@pytest.mark.parametrize("text", ["European leaders", "Russian Foreign Ministry",
                                  "Trump administration", "Russia", "the Kremlin"])
def test_groups_are_not_people(text: str) -> None:
    assert parse_name(text).kind == "group"


@pytest.mark.parametrize(
    ("a", "b"),
    [("Ukrainian President", "President of Ukraine"), ("Italian Premier", "Italian Prime Minister"),
     ("NATO Secretary General", "Nato secretary-general"), ("US President", "U.S. president")],
)
def test_roles_written_differently_share_a_key(a: str, b: str) -> None:
    assert role_key(a) == role_key(b)


def test_vice_president_is_not_president() -> None:
    assert role_key("Vice President") != role_key("President")


def test_spelling_variants_titles_and_surname_mentions_are_one_actor() -> None:
    mentions = [
        *declared("s1", "Volodymyr Zelensky", "Zelensky", role="Ukrainian President"),
        *declared("s2", "Volodymyr Zelenskyy", "Mr. Zelenskyy", role="President of Ukraine"),
        *declared("s3", "Volodymyr Zelenskiy", "Zelenskiy"),
        Mention("s2", "Ukrainian President Volodymyr Zelenskyy"),
        Mention("s3", "the Ukrainian president"),
    ]
    actors = resolve(mentions).actors
    assert len(actors) == 1
    actor = actors[0]
    assert actor.name.startswith("Volodymyr Zelensk")
    assert {"Zelensky", "Mr. Zelenskyy", "Zelenskiy", "the Ukrainian president"} <= set(
        actor.aliases
    )
    assert {"Ukrainian President", "President of Ukraine"} <= set(actor.roles)
    assert actor.sources == ["s1", "s2", "s3"]


def test_the_canonical_name_is_the_fullest_form() -> None:
    mentions = [Mention("s1", "Trump"), Mention("s2", "Mr. Trump"),
                Mention("s3", "US President Donald Trump")]
    assert names(mentions) == ["Donald Trump"]


def test_two_people_who_share_a_surname_are_never_merged() -> None:
    mentions = [
        *declared("s1", "Ilse Brandt", "Ms. Brandt", role="Ostmark Foreign Minister"),
        *declared("s1", "Jonas Brandt", "Admiral Brandt", role="Rear Admiral"),
        *declared("s2", "Ilse Brandt", role="Foreign Minister"),
        *declared("s3", "Jonas Brandt"),
        *declared("s3", "Brandt", "Ms. Brandt", role="Ostmark Foreign Minister"),
        Mention("s2", "Brandt"),
        Mention("s4", "Brandt"),
    ]
    resolution = resolve(mentions)
    assert sorted(a.name for a in resolution.actors) == ["Brandt", "Ilse Brandt", "Jonas Brandt"]
    assert resolution.canonical("s3", "Ms. Brandt") == "Ilse Brandt"
    assert resolution.canonical("s1", "Admiral Brandt") == "Jonas Brandt"
    assert resolution.canonical("s2", "Brandt") == "Ilse Brandt"  # the only Brandt in s2
    assert resolution.canonical("s4", "Brandt") == "Brandt"  # ambiguous: kept apart


def test_different_given_names_with_one_surname_stay_apart_across_articles() -> None:
    mentions = [Mention("s1", "John Calloway"), Mention("s2", "Jane Calloway"),
                Mention("s3", "J. Calloway")]
    assert names(mentions) == ["J. Calloway", "Jane Calloway", "John Calloway"]


def test_initials_and_middle_names_are_the_same_person() -> None:
    mentions = [Mention("s1", "JD Vance"), Mention("s2", "J.D. Vance"),
                Mention("s3", "James David Vance")]
    assert names(mentions) == ["James David Vance"]
    assert names([Mention("s1", "Donald Trump"), Mention("s2", "Donald J. Trump")]) == [
        "Donald J. Trump"]


def test_given_name_transliterations_merge() -> None:
    mentions = [*declared("s1", "Aleksandr Voronov"), *declared("s2", "Alexander Voronoff")]
    assert len(resolve(mentions).actors) == 1


def test_a_role_reference_resolves_to_the_person_an_article_tied_it_to() -> None:
    mentions = [
        *declared("s1", "Friedrich Merz", role="German Chancellor"),
        Mention("s2", "the German Chancellor"),
        *declared("s2", "Emmanuel Macron", role="French President"),
    ]
    resolution = resolve(mentions)
    assert resolution.canonical("s2", "the German Chancellor") == "Friedrich Merz"


def test_an_ambiguous_role_reference_is_kept_as_written() -> None:
    mentions = [
        *declared("s1", "Marta Ilvesse", role="Valdorian President"),
        *declared("s1", "Emmanuel Mercier", role="French President"),
        Mention("s1", "the president"),
    ]
    assert resolve(mentions).canonical("s1", "the president") == "president"


def test_organisations_and_collectives_match_on_normalised_keys() -> None:
    mentions = [
        *declared("s1", "European leaders", "Europeans leaders", type="collective"),
        *declared("s2", "European leaders", type="collective"),
        Mention("s3", "the European leaders"),
        *declared("s1", "North Atlantic Treaty Organization", type="organisation"),
        Mention("s2", "NATO"),
        *declared("s3", "Russia", "Kremlin", type="government"),
        *declared("s4", "Russia", type="government"),
    ]
    actors = {a.name: a for a in resolve(mentions).actors}
    assert set(actors) == {"European leaders", "North Atlantic Treaty Organization", "Russia"}
    assert actors["European leaders"].type == "collective"
    assert "NATO" in actors["North Atlantic Treaty Organization"].aliases


def test_a_person_and_an_organisation_with_a_shared_word_stay_apart() -> None:
    mentions = [Mention("s1", "Donald Trump"), Mention("s1", "Trump administration")]
    assert names(mentions) == ["Donald Trump", "Trump administration"]


def test_weak_mentions_resolve_but_create_no_actor() -> None:
    mentions = [*declared("s1", "Steve Witkoff"), Mention("s2", "Witkoff", weak=True),
                Mention("s2", "the detained crews", weak=True)]
    resolution = resolve(mentions)
    assert [a.name for a in resolution.actors] == ["Steve Witkoff"]
    assert resolution.canonical("s2", "Witkoff") == "Steve Witkoff"
    assert resolution.canonical("s2", "the detained crews") is None


def test_decide_settles_a_near_spelling_the_rules_cannot() -> None:
    mentions = [Mention("s1", "Maria Kowalczyk"), Mention("s2", "Maria Kovalchik")]
    assert len(resolve(mentions).actors) == 2
    asked: list[tuple[str, str]] = []

    def decide(a: str, b: str) -> bool:
        asked.append((a, b))
        return True

    assert len(resolve(mentions, decide=decide).actors) == 1
    assert asked == [("Maria Kovalchik", "Maria Kowalczyk")]


def test_resolution_does_not_depend_on_mention_order() -> None:
    mentions = [
        *declared("s1", "Ilse Brandt", "Ms. Brandt", role="Foreign Minister"),
        *declared("s2", "Jonas Brandt", "Adm. Brandt"),
        Mention("s2", "Brandt"), Mention("s3", "the foreign minister"),
        Mention("s1", "Mr. Trump"), Mention("s4", "Donald Trump"),
    ]
    forward = resolve(mentions).actors
    backward = resolve(list(reversed(mentions))).actors
    assert [a.model_dump() for a in forward] == [a.model_dump() for a in backward]
