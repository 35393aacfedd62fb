"""Names and wordings outside a-z: different people never merge; one person may, when said so.

Keys used to keep only the letters a-z, so every Chinese or Cyrillic name folded to the same
empty key (习近平 and 李强, or Путин and Зеленский, became one actor), and any two item
texts in those scripts looked alike.
"""

from __future__ import annotations

from summarizer.merge.actors import fold_token
from summarizer.merge.fold import merge
from summarizer.merge.similarity import text_key
from summarizer.schema import Actor, ArticleExtraction, Evidence, Position, Source


def _extraction(
    sid: str, said: list[tuple[str, str]], aliases: dict[str, list[str]]
) -> ArticleExtraction:
    text = " ".join(f"{name}: {issue}." for name, issue in said)
    positions = []
    for name, issue in said:
        quote = f"{name}: {issue}."
        start = text.index(quote)
        evidence = Evidence(source=sid, quote=quote, start=start, end=start + len(quote))
        positions.append(
            Position(actor=name, issue=issue, stance=issue, sources=[sid], evidence=[evidence])
        )
    actors = [
        Actor(name=name, aliases=aliases.get(name, []), sources=[sid])
        for name in dict.fromkeys(name for name, _ in said)
    ]
    return ArticleExtraction(source=Source(id=sid), actors=actors, positions=positions)


def _names(*extractions: ArticleExtraction) -> list[list[str]]:
    briefing = merge(list(extractions))
    return sorted(sorted([a.name, *a.aliases]) for a in briefing.actors)


def test_different_people_in_other_scripts_stay_apart() -> None:
    people = [
        ("习近平", "贸易"), ("李强", "关税"),  # Chinese: no spaces, no case
        ("Владимир Путин", "переговоры"), ("Владимир Зеленский", "мир"),  # shared given name
        ("محمد بن سلمان", "النفط"), ("عبد الفتاح السيسي", "الغاز"),  # Arabic
        ("Κυριάκος Μητσοτάκης", "λιμάνι"), ("Αλέξης Τσίπρας", "χρέος"),  # Greek
    ]  # fmt: skip
    names = _names(_extraction("a", people, {}))
    assert len(names) == len(people)


def test_a_bare_surname_in_another_script_joins_its_full_name() -> None:
    names = _names(
        _extraction("a", [("Владимир Путин", "переговоры")], {}),
        _extraction("b", [("Путин", "санкции"), ("Зеленский", "мир")], {}),
    )
    assert ["Владимир Путин", "Путин"] in names
    assert ["Зеленский"] in names


def test_one_person_in_two_scripts_merges_when_an_article_says_so() -> None:
    said_so = _extraction(
        "b", [("Vladimir Putin", "talks")], {"Vladimir Putin": ["Владимир Путин"]}
    )
    names = _names(_extraction("a", [("Владимир Путин", "переговоры")], {}), said_so)
    assert names == [["Vladimir Putin", "Владимир Путин"]]
    apart = _names(
        _extraction("a", [("Владимир Путин", "переговоры")], {}),
        _extraction("b", [("Vladimir Putin", "talks")], {}),
    )
    assert len(apart) == 2  # nothing said they are one: no transliteration table guesses


def test_keys_keep_letters_of_any_script() -> None:
    assert fold_token("Путин") == "путин" and fold_token("习近平") == "习近平"
    assert fold_token("Zelenskyy") == fold_token("Zelenskiy")  # Latin rules unchanged
    assert text_key("Санкции против России").tokens != text_key("Мирные переговоры").tokens
    assert text_key("kein Abkommen").tokens and text_key("Abkommen erzielt").tokens


def test_positions_worded_in_another_script_do_not_fold_by_accident() -> None:
    briefing = merge(
        [
            _extraction("a", [("Владимир Путин", "санкции")], {}),
            _extraction("b", [("Владимир Путин", "переговоры о мире")], {}),
        ]
    )
    assert len(briefing.positions) == 2
