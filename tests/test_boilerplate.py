"""Boilerplate lines leave the model's text; no line of the story does, and no line is changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from summarizer.ingest.boilerplate import find_boilerplate, split_lines, strip_boilerplate
from tests.conftest import EXAMPLE_DIR

# What must go from each seed: (rule, how the removed line starts). Every other non-blank line
# of the seed is story, headline or byline and must stay, verbatim.
SEED_BOILERPLATE: dict[str, list[tuple[str, str]]] = {
    "000_dc005bf77e71bed0.txt": [
        ("label", "Updated:"),
        ("photo credit", "Source: White House"),
        ("footer", "Share"),
        ("share widget", "Twitter Facebook Reddit"),
        ("photo caption", "Zelensky and trump"),
        ("photo credit", "Volodymyr Zelensky said he had"),
        ("photo caption", "Trump and Zelensky"),
        ("photo credit", "Trump hosts Zelensky and European"),
        ("wire credit", "-with AAP"),
    ],
    "001_575d9e9093f51687.txt": [
        ("label", "Site icon"),
        ("footer", "Spread the love"),
        ("label", "SEE ALSO:"),
        ("footer", "Source link"),
        ("footer", "Exit mobile version"),
    ],
    "002_37df8142db480a26.txt": [
        ("footer", "Source link"),
        ("footer", "Leave a Comment"),
        ("footer", "Your email address will not"),
        ("footer", "Scroll to Top"),
    ],
    "003_1f1645cd06658523.txt": [
        ("photo credit", "Putin and Trump. Credit:"),
        ("footer", "Leave a Reply"),
        ("footer", "Your email address will not"),
    ],
    "004_65358d6dc58c99d8.txt": [
        ("section label", "News"),
        ("photo credit", "The meeting marked a sharp contrast"),
        ("photo credit", "European leaders pressed Trump"),
    ],
}


def removed(text: str) -> list[tuple[str, str]]:
    return [(r.rule, r.line) for r in strip_boilerplate(text).removed]


def assert_verbatim_lines(original: str, cleaned: str) -> None:
    """Every line of ``cleaned`` is a line of ``original`` (with its ending), in order."""
    source = [line.raw for line in split_lines(original)]
    pos = 0
    for line in (x.raw for x in split_lines(cleaned)):
        while pos < len(source) and source[pos] != line and source[pos].rstrip("\r\n") != line:
            pos += 1
        assert pos < len(source), f"line not in the original, or out of order: {line!r}"
        pos += 1


@pytest.mark.seeds
@pytest.mark.parametrize("name", sorted(SEED_BOILERPLATE))
def test_seed_boilerplate_removed_and_no_story_line_lost(seeds: Path, name: str) -> None:
    text = (seeds / name).read_text(encoding="utf-8")
    cleaned = strip_boilerplate(text)
    got = [(r.rule, r.line) for r in cleaned.removed]
    expected = SEED_BOILERPLATE[name]
    assert len(got) == len(expected), got
    for (rule, line), (want_rule, start) in zip(got, expected, strict=True):
        assert (rule, line[: len(start)]) == (want_rule, start)
    gone = {r.line for r in cleaned.removed}
    kept = {line.content for line in split_lines(cleaned.text)}
    for line in split_lines(text):
        if line.content and line.content not in gone:
            assert line.content in kept, f"story line lost: {line.content[:80]!r}"
    assert_verbatim_lines(text, cleaned.text)


@pytest.mark.seeds
def test_seed_story_sentences_all_survive(seeds: Path) -> None:
    """Every sentence of 8+ words outside a removed caption is still in the model's text."""
    for path in sorted(seeds.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        cleaned = strip_boilerplate(text)
        captions = [r.line for r in cleaned.removed]
        for line in split_lines(text):
            if line.content in captions:
                continue
            for sentence in line.content.replace("? ", ". ").split(". "):
                if len(sentence.split()) >= 8:
                    assert sentence in cleaned.text, (path.name, sentence[:80])


def test_example_aggregator_page() -> None:
    text = (EXAMPLE_DIR / "04_tidewatch_daily.txt").read_text(encoding="utf-8")
    got = [(rule, line.split()[0]) for rule, line in removed(text)]
    assert got == [
        ("footer", "Leave"),
        ("footer", "Share"),
        ("share widget", "Twitter"),
        ("photo credit", "Photo:"),
        ("photo caption", "Valdorian"),
        ("footer", "Related"),
        ("related headline", "Fishing"),
        ("related headline", "Ostmark"),
        ("footer", "Source"),
        ("footer", "Leave"),
        ("footer", "Exit"),
    ]
    cleaned = strip_boilerplate(text).text
    assert "What the fund will pay for first" in cleaned
    assert cleaned.rstrip().endswith("has not been announced.")


@pytest.mark.parametrize("name", ["01_coastal_herald.txt", "02_harbor_wire.txt"])
def test_clean_examples_untouched(name: str) -> None:
    text = (EXAMPLE_DIR / name).read_text(encoding="utf-8")
    assert removed(text) == []
    assert strip_boilerplate(text).text == text


STORY_LINES = [
    "Share prices fell sharply after the minister spoke on Monday.",
    "Source: a senior official said the talks would resume next week.",
    "The photo: a symbol of the summit, the minister said.",
    "Email records released on Friday show the deal was discussed in May.",
    "He said the credit: line of the budget was still open, officials noted.",
    "Related talks are planned in Geneva next month, the ministry said.",
    "News of the agreement reached the capital late on Tuesday.",
    "Comments by the premier drew criticism from the opposition.",
]


@pytest.mark.parametrize("line", STORY_LINES)
def test_story_sentences_that_look_like_boilerplate_are_kept(line: str) -> None:
    text = f"Headline here\n\n{line}\n\nAnother story sentence follows here.\n"
    assert strip_boilerplate(text).text == text


def test_credit_next_to_story_paragraph_in_single_spaced_text_keeps_the_story() -> None:
    text = (
        "Talks end\n"
        "Photo: Wire\n"
        "The talks ended without a deal.\n"
        "The minister left early on Tuesday.\n"
    )
    assert [r.line for r in strip_boilerplate(text).removed] == ["Photo: Wire"]


def test_widget_rows_and_footers() -> None:
    text = (
        "Title\n\nShare this article\nTwitter | Facebook | WhatsApp\n\nStory sentence one here.\n\n"
        "Advertisement\n\nStory sentence two here.\n\nCopyright © 2026 Harbor Wire\n"
    )
    cleaned = strip_boilerplate(text)
    assert cleaned.text == "Title\n\nStory sentence one here.\n\nStory sentence two here.\n"
    assert [r.rule for r in cleaned.removed] == ["footer", "share widget", "footer", "footer"]


def test_section_label_only_near_the_top() -> None:
    text = "News\nHeadline\n\n" + "Story line.\n\n" * 8 + "News\n"
    rules = find_boilerplate(text)
    assert rules[0] == "section label"
    assert len(rules) == 1


def test_removed_offsets_point_into_the_original() -> None:
    text = "Headline\r\n\r\nShare\r\nStory sentence here.\r\nSource link\r\n"
    cleaned = strip_boilerplate(text)
    for r in cleaned.removed:
        assert text[r.start : r.end].strip() == r.line
    assert cleaned.text == "Headline\r\n\r\nStory sentence here.\r\n"


POOL = [
    "Share",
    "Twitter Facebook",
    "Source link",
    "Photo: AAP",
    "A caption. Photo: AAP",
    "",
    "Story sentence one, he said.",
    "Story sentence two, longer, as the minister told reporters.",
    "Short title",
    "Related Posts",
    "News",
    "“A quote,” he said.",
]


@given(st.lists(st.sampled_from(POOL), max_size=30), st.sampled_from(["\n", "\r\n"]))
def test_kept_lines_are_always_verbatim(lines: list[str], newline: str) -> None:
    text = newline.join(lines)
    cleaned = strip_boilerplate(text)
    assert_verbatim_lines(text, cleaned.text)
    story = {x for x in lines if x.startswith(("Story", "“"))}
    assert story <= {line.content for line in split_lines(cleaned.text)}
