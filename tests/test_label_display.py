"""A label that starts with the item's own actor ("Trump: buy drones") is shown without it:
the briefing names the actor already."""

from __future__ import annotations

from summarizer.merge.consolidate import _without_actor


def test_the_actors_own_name_is_taken_off_a_label() -> None:
    assert _without_actor("Trump: help provide guarantees", "Donald Trump") == (
        "help provide guarantees"
    )
    assert _without_actor("Zelensky: meet Putin", "Zelensky") == "meet Putin"
    # The head is compared as name tokens: another transliteration of the actor goes too.
    assert _without_actor("Zelensky: buy US weapons", "Volodymyr Zelenskyy") == "buy US weapons"


def test_other_colons_stay() -> None:
    assert _without_actor("Article 5: guarantees", "Donald Trump") == "Article 5: guarantees"
    assert _without_actor("Putin: meet Zelensky", "Donald Trump") == "Putin: meet Zelensky"
    assert _without_actor("Trump:", "Donald Trump") == "Trump:"
