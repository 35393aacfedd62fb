"""Rendering: the Markdown briefing, the HTML report (without a browser), formats, `show`."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from summarizer.cli.main import app
from summarizer.errors import ConfigError, InputError
from summarizer.render import format_from, render, to_json, to_markdown
from summarizer.render.html import load_texts, segments, to_html, view_model
from summarizer.render.markdown import md_code
from summarizer.schema import (
    Actor,
    Briefing,
    Claim,
    Commitment,
    Conflict,
    Event,
    Evidence,
    OpenQuestion,
    Position,
    Source,
)
from tests.conftest import EXAMPLE_DIR, ROOT

FILES = {
    "01_coastal_herald": ("The Coastal Herald", None),
    "02_harbor_wire": ("Harbor Wire", None),
    "03_kestrel_morning_post": ("Kestrel Morning Post", "2026-11-18"),
    "04_tidewatch_daily": ("Tidewatch Daily", "2026-11-17"),
}


def example_texts() -> dict[str, str]:
    return {sid: (EXAMPLE_DIR / f"{sid}.txt").read_text("utf-8") for sid in FILES}


def ev(texts: dict[str, str], source: str, quote: str) -> Evidence:
    start = texts[source].index(quote)
    return Evidence(source=source, quote=quote, start=start, end=start + len(quote))


def claim(texts: dict[str, str], source: str, value: str, quote: str) -> Claim:
    e = ev(texts, source, quote)
    return Claim(source=source, value=value, quote=quote, start=e.start, end=e.end)


def example_briefing(texts: dict[str, str] | None = None) -> Briefing:
    """A hand-built briefing over the fictional harbor-accord corpus (no model involved)."""
    t = texts or example_texts()
    sources = [
        Source(
            id=sid,
            title=t[sid].splitlines()[0],
            outlet=outlet,
            date=date,
            path=str(EXAMPLE_DIR / f"{sid}.txt"),
        )
        for sid, (outlet, date) in FILES.items()
    ]
    every = list(FILES)
    return Briefing(
        event=Event(
            title="Corvenna summit on the Greywater Strait standoff",
            summary=(
                "Valdoria and the Kestrel Federation agreed in principle on a fisheries fund "
                "and traded conditional pledges on patrol boats and frigates [01, 02]."
            ),
        ),
        sources=sources,
        actors=[
            Actor(
                name="Marta Ilvesse",
                role="President of Valdoria",
                aliases=["Ilvesse", "Ms. Ilvesse", "the Valdorian president"],
                sources=every,
            ),
            Actor(
                name="Aleksandr Voronov",
                role="Premier of the Kestrel Federation",
                aliases=["Voronov", "Mr. Voronov", "Alexander Voronoff", "Mr Voronoff"],
                sources=every,
            ),
            Actor(
                name="Ilse Brandt",
                role="Foreign Minister of the Ostmark Union",
                aliases=["Ms. Brandt", "Ms Brandt"],
                sources=every,
            ),
            Actor(
                name="Jonas Brandt",
                role="Rear Admiral",
                aliases=["Adm. Brandt", "the admiral"],
                affiliation="Republic of Valdoria",
                sources=["01_coastal_herald", "02_harbor_wire"],
            ),
        ],
        positions=[
            Position(
                actor="Marta Ilvesse",
                issue="patrol boats on the Tessel Bank",
                stance="Valdoria's boats leave only if the Kestrel frigates leave.",
                polarity="conditional",
                sources=["01_coastal_herald"],
                evidence=[ev(t, "01_coastal_herald", '"If the frigates go, our boats go."')],
            ),
            Position(
                actor="Aleksandr Voronov",
                issue="fines imposed by the Valdorian court",
                stance="Refuses to pay them.",
                polarity="opposes",
                sources=["01_coastal_herald", "02_harbor_wire"],
                evidence=[
                    ev(
                        t,
                        "01_coastal_herald",
                        "Kestrel will not pay a single coin for fishing in waters our "
                        "grandfathers fished",
                    ),
                    ev(t, "02_harbor_wire", 'calling the penalties "theft dressed as law"'),
                ],
            ),
            Position(
                actor="Aleksandr Voronov",
                issue="shipping-lane plan",
                stance="Backs the Ostmark plan.",
                polarity="supports",
                sources=["01_coastal_herald", "03_kestrel_morning_post"],
                evidence=[
                    ev(t, "01_coastal_herald", "Voronov backed the plan."),
                    ev(
                        t, "03_kestrel_morning_post", "“This is how neighbours should share a sea,”"
                    ),
                ],
            ),
            Position(
                actor="Voronov",  # an alias: grouped and filtered with Aleksandr Voronov
                issue="next round of talks",
                stance="Wants it held in Kestrel.",
                polarity="supports",
                sources=["02_harbor_wire"],
                evidence=[ev(t, "02_harbor_wire", "should be in Kestrel, not in somebody else's")],
            ),
            Position(
                actor="Jonas Brandt",
                issue="withdrawal before a monitoring centre",
                stance="Warns it would leave the bank open to overfishing.",
                polarity="opposes",
                sources=["01_coastal_herald"],
                evidence=[ev(t, "01_coastal_herald", '"A lane on a map does not count fish,"')],
            ),
        ],
        commitments=[
            Commitment(
                actor="Marta Ilvesse",
                beneficiary="Kestrel Federation",
                action="withdraw the six patrol boats from the Tessel Bank",
                conditions=["the Kestrel frigates leave the strait"],
                timeframe="within ten days",
                status="conditional",
                sources=["01_coastal_herald", "02_harbor_wire"],
                evidence=[
                    ev(
                        t,
                        "01_coastal_herald",
                        "would withdraw its six patrol boats from the Tessel Bank within ten days",
                    ),
                    ev(t, "02_harbor_wire", "would pull its six patrol boats off the Tessel Bank"),
                ],
            ),
            Commitment(
                actor="Ilse Brandt",
                action="host the joint coastguard centre and pay for its first year",
                status="proposed",
                sources=["01_coastal_herald"],
                evidence=[
                    ev(
                        t,
                        "01_coastal_herald",
                        "Ostmark was ready to host the centre and pay for its first year",
                    )
                ],
            ),
        ],
        open_questions=[
            OpenQuestion(
                question="Which country does the Tessel Bank belong to?",
                reason="not_announced",
                sources=["01_coastal_herald", "03_kestrel_morning_post"],
                evidence=[
                    ev(t, "01_coastal_herald", "was not even on the table"),
                    ev(t, "03_kestrel_morning_post", "was left for later talks"),
                ],
            )
        ],
        conflicts=[
            Conflict(
                topic="size of the fisheries fund",
                kind="amount",
                claims=[
                    claim(t, "01_coastal_herald", "€2.4bn", "a €2.4bn fund"),
                    claim(t, "03_kestrel_morning_post", "€3bn", "a €3bn fund"),
                    claim(t, "04_tidewatch_daily", "€3 billion", "€3 billion fisheries fund"),
                ],
            )
        ],
        model="hand-built test briefing",
    )


# --- formats ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("output", "fmt", "expected"),
    [
        (None, None, "json"),
        (Path("b.md"), None, "md"),
        (Path("b.HTML"), None, "html"),
        (Path("b.htm"), None, "html"),
        (Path("b.txt"), None, "json"),
        (Path("b.md"), "json", "json"),
        (None, "markdown", "md"),
        (None, "HTML", "html"),
    ],
)
def test_format_from(output: Path | None, fmt: str | None, expected: str) -> None:
    assert format_from(output, fmt) == expected


def test_unknown_format_is_a_usage_error() -> None:
    with pytest.raises(ConfigError, match="json, md, html, csv or jsonl") as exc:
        format_from(None, "pdf")
    assert exc.value.exit_code == 2


def test_render_dispatch() -> None:
    b = example_briefing()
    assert render(b, "json") == to_json(b)
    assert render(b, "md") == to_markdown(b)
    assert render(b, "html").startswith("<!DOCTYPE html>")


# --- Markdown ---------------------------------------------------------------------------------


def test_markdown_sections_in_reading_order() -> None:
    md = to_markdown(example_briefing())
    heads = [line for line in md.splitlines() if line.startswith("## ")]
    assert heads == [
        "## Summary",
        "## Actors",
        "## Positions",
        "## Commitments",
        "## Open questions",
        "## Where sources disagree",
        "## Sources",
    ]
    assert md.startswith("# Corvenna summit on the Greywater Strait standoff\n")
    assert "*4 sources · 4 actors · 5 positions · 2 commitments" in md


def test_markdown_actors_table_with_aliases() -> None:
    md = to_markdown(example_briefing())
    row = next(line for line in md.splitlines() if line.startswith("| **Aleksandr Voronov**"))
    assert row.count(" | ") == 3
    assert "Alexander Voronoff" in row
    assert "| **Jonas Brandt** | Rear Admiral (Republic of Valdoria) |" in md


def test_markdown_positions_grouped_by_actor_in_actor_order() -> None:
    md = to_markdown(example_briefing())
    positions = md.split("## Positions")[1].split("## Commitments")[0]
    groups = re.findall(r"^### (.+)$", positions, flags=re.M)
    # Positions group under the actors list's names; "Voronov" is an alias of Aleksandr Voronov.
    assert groups == ["Marta Ilvesse", "Aleksandr Voronov", "Jonas Brandt"]
    assert "next round of talks** — supports: Wants it held in Kestrel. *(as Voronov)*" in md
    voronov = md.split("### Aleksandr Voronov")[1].split("###")[0]
    assert "fines imposed by the Valdorian court" in voronov
    assert "opposes" in voronov
    assert "`02_harbor_wire`" in voronov


def test_markdown_quotes_carry_source_and_offsets() -> None:
    b = example_briefing()
    md = to_markdown(b)
    e = b.positions[2].evidence[0]
    assert f"`{e.source}` {e.start}–{e.end}: “Voronov backed the plan.”" in md


def test_markdown_commitments_table() -> None:
    md = to_markdown(example_briefing())
    lines = md.splitlines()
    header = "| # | Who | To whom | What | Conditions | Timeframe | Status | Sources |"
    rows = lines[lines.index(header) + 2 : lines.index(header) + 4]
    assert rows[0].startswith("| 1 | Marta Ilvesse | Kestrel Federation | withdraw the six")
    assert "| within ten days | conditional |" in rows[0]
    assert "| proposed |" in rows[1]
    assert all(row.count(" | ") == 7 for row in rows)
    assert "Evidence for the commitments:" in md


def test_markdown_conflicts_list_every_claim() -> None:
    md = to_markdown(example_briefing())
    section = md.split("## Where sources disagree")[1].split("## Sources")[0]
    assert "### size of the fisheries fund (amount)" in section
    assert section.count("\n| `0") == 3
    assert "€3bn" in section and "€2.4bn" in section


def test_markdown_escapes_article_content() -> None:
    b = example_briefing()
    b.positions[0].stance = "a | b <script>alert(1)</script> [x](javascript:y) *bold*"
    b.commitments[0].action = "pay | everything"
    md = to_markdown(b)
    assert "<script>" not in md
    assert "[x](javascript:y)" not in md
    assert r"a \| b \<script\>" in md
    row = next(line for line in md.splitlines() if line.startswith("| 1 |"))
    assert row.count(" | ") == 7  # the escaped pipe does not add a cell


def test_md_code_handles_backticks() -> None:
    assert md_code("a_b") == "`a_b`"
    assert md_code("a`b") == "``a`b``"
    assert md_code("`a") == "`` `a ``"


def test_markdown_partial_and_empty_briefing() -> None:
    b = Briefing(sources=[Source(id="x", title="X")], missing_sources=["y"])
    md = to_markdown(b)
    assert md.startswith("# Briefing\n")
    assert "**Partial briefing:**" in md and "`y`" in md
    assert "## Actors" not in md and "## Commitments" not in md


# --- `summarizer show` --------------------------------------------------------------------------


def test_show_prints_the_markdown(tmp_path: Path) -> None:
    path = tmp_path / "briefing.json"
    path.write_text(to_json(example_briefing()), "utf-8")
    result = CliRunner().invoke(app, ["show", str(path), "--width", "120"])
    assert result.exit_code == 0, result.output
    for words in ("Summary", "Positions", "Where sources disagree", "Aleksandr Voronov"):
        assert words in result.output
    assert "## " not in result.output  # rendered, not raw Markdown


def test_show_rejects_what_is_not_a_briefing(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"sources": 3}', "utf-8")
    result = CliRunner().invoke(app, ["show", str(path)])
    assert result.exit_code != 0
    assert isinstance(result.exception, InputError)


# --- HTML report, without a browser --------------------------------------------------------------


def test_html_marks_every_quote_in_its_article() -> None:
    b = example_briefing()
    model = view_model(b, example_texts())
    html = to_html(b, example_texts())
    linked = _all_evidence(model)
    assert linked and all(e.linked for e in linked)
    for e in linked:
        assert f'id="ev-{e.n}"' in html
        assert re.search(rf'<mark class="q" data-ev="[^"]*\b{e.n}\b', html)


def _all_evidence(model: dict[str, Any]) -> list[Any]:
    items = [*model["commitments"], *model["questions"], *model["conflicts"]]
    for group in model["groups"]:
        items += group.items
    return [e for item in items for e in item.evidence]


def test_html_segments_rebuild_the_text() -> None:
    texts = example_texts()
    model = view_model(example_briefing(), texts)
    for article in model["articles"]:
        assert "".join(s.text for s in article.segments) == texts[article.source.id]


def test_segments_handle_overlaps() -> None:
    from summarizer.render.html import EvidenceView

    spans = [
        EvidenceView(1, "a", "s0", "bcd", 1, 4, True),
        EvidenceView(2, "a", "s0", "cdef", 2, 6, True),
    ]
    got = [(s.text, s.evs, s.anchors) for s in segments("abcdefg", spans)]
    assert got == [
        ("a", "", []),
        ("b", "1", [1]),
        ("cd", "1 2", [2]),
        ("ef", "2", []),
        ("g", "", []),
    ]


def test_html_is_self_contained() -> None:
    html = to_html(example_briefing(), example_texts())
    assert "<link" not in html and "@import" not in html and "url(" not in html
    assert not re.search(r"<(?:script|img|iframe)[^>]*\ssrc=", html)
    assert html.count("<script>") == 1 and html.count("<style>") == 1
    assert " style=" not in html  # the CSP allows no inline style attribute


def test_html_csp_hashes_match_the_inline_blocks() -> None:
    html = to_html(example_briefing(), example_texts())
    for tag in ("script", "style"):
        body = html.split(f"<{tag}>", 1)[1].split(f"</{tag}>", 1)[0]
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in html
    assert "default-src 'none'" in html


HOSTILE = (
    "Harbor notes\n\n"
    "<script>window.__pwned = 1; document.title = 'PWNED'</script>\n"
    '<img src=x onerror="window.__pwned = 2">\n'
    "The minister said the fund would open in March & close in May.\n"
)


def hostile_briefing(path: str = "") -> tuple[Briefing, dict[str, str]]:
    texts = {"hostile": HOSTILE}
    quote = "<script>window.__pwned = 1; document.title = 'PWNED'</script>"
    b = Briefing(
        event=Event(title="<script>alert('title')</script>", summary="</p><script>x()</script>"),
        sources=[Source(id="hostile", title="<b>bold</b>", url="javascript:alert(1)", path=path)],
        actors=[Actor(name='Mallory "><img src=x onerror=alert(1)>', sources=["hostile"])],
        positions=[
            Position(
                actor='Mallory "><img src=x onerror=alert(1)>',
                issue="<i>issue</i>",
                stance="the fund",
                sources=["hostile"],
                evidence=[ev(texts, "hostile", quote), ev(texts, "hostile", "March & close")],
            )
        ],
    )
    return b, texts


def test_html_escapes_article_and_model_content() -> None:
    b, texts = hostile_briefing()
    html = to_html(b, texts)
    assert html.count("<script>") == 1  # only the report's own
    assert "<img src=x" not in html and "<b>bold</b>" not in html and "<i>issue</i>" not in html
    assert "&lt;script&gt;window.__pwned" in html
    assert "March &amp; close" in html
    assert 'href="javascript:' not in html


def test_html_reads_texts_from_source_paths(tmp_path: Path) -> None:
    b = example_briefing()
    html = to_html(b)  # no texts given: read from Source.path
    assert html.count('class="ev unlinked"') == 0
    # A relative path is resolved from `base`.
    for s in b.sources:
        s.path = Path(s.path).name
    assert load_texts(b.sources, base=EXAMPLE_DIR).keys() == set(FILES)
    assert to_html(b, base=EXAMPLE_DIR).count('class="ev unlinked"') == 0


def test_html_from_an_html_source_uses_the_extracted_text(tmp_path: Path) -> None:
    from tests.test_ingest import PAGE

    page = tmp_path / "fund.html"
    page.write_text(PAGE, "utf-8")
    from summarizer.ingest.articles import read_article

    [article] = read_article(page)
    quote = "within ten days"
    start = article.text.index(quote)
    b = Briefing(
        sources=[article.source],
        positions=[
            Position(
                actor="Marta Ilvesse",
                issue="patrol boats",
                stance="out within ten days",
                sources=[article.id],
                evidence=[Evidence(source=article.id, quote=quote, start=start, end=start + 15)],
            )
        ],
    )
    html = to_html(b)
    assert f'<mark class="q" data-ev="1">{quote}</mark>' in html


def test_html_stale_or_missing_text_is_not_marked(tmp_path: Path) -> None:
    b = example_briefing()
    texts = example_texts()
    texts["01_coastal_herald"] = "The file changed since the briefing was made.\n"
    b.sources[1].path = str(tmp_path / "gone.txt")
    texts.pop("02_harbor_wire")
    html = to_html(b, texts)
    assert 'class="ev unlinked"' in html
    assert "The article text is not available" in html
    assert "could not be marked in their article" in html


def test_html_of_the_gold_briefing_marks_all_its_quotes() -> None:
    gold = ROOT / "eval" / "cases" / "example" / "gold" / "briefing.json"
    if not gold.is_file():
        pytest.skip("eval/cases/example/gold/briefing.json is not in this checkout")
    b = Briefing.model_validate_json(gold.read_text("utf-8"))
    html = to_html(b, base=EXAMPLE_DIR)
    assert 'class="ev unlinked"' not in html
    assert html.count("<mark") > 50
