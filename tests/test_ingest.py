"""Reading articles: exact text, the model's cleaned text, metadata, ids, every input kind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.cli.main import app
from summarizer.errors import InputError
from summarizer.ingest.articles import (
    Article,
    article_text,
    guess_date,
    load_articles,
    parse_date,
    read_article,
    require_articles,
)
from summarizer.ingest.boilerplate import split_lines
from tests.conftest import EXAMPLE_DIR

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Fisheries fund agreed in Corvenna | Harbor Wire</title>
<meta property="og:title" content="Fisheries fund agreed in Corvenna">
<meta property="og:site_name" content="Harbor Wire">
<meta property="article:published_time" content="2026-11-17T18:00:00Z">
<link rel="canonical" href="https://harborwire.example/fund">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<div class="share">Share Twitter Facebook Email</div>
<article><h1>Fisheries fund agreed in Corvenna</h1>
<p>The leaders of Valdoria and the Kestrel Federation agreed in principle on Tuesday to create a
fund for fishing communities around the Greywater Strait.</p>
<p>Valdorian President Marta Ilvesse told a news conference that Valdoria would pull its six
patrol boats off the Tessel Bank within ten days, provided the two Kestrel frigates had left.</p>
<p>"If the frigates go, our boats go," Ilvesse said. Kestrel Premier Aleksandr Voronov said the
frigates would sail home once the detained crews were back in Kestrel ports.</p>
<p>Ostmark Foreign Minister Ilse Brandt, who chaired the talks, said no date had been set for
the next round. Who will manage the fund has not been announced.</p>
</article>
<aside><h2>Related</h2><ul><li><a href="/a">Fishing towns brace for winter</a></li></ul></aside>
<footer>Copyright 2026 Harbor Wire. All rights reserved. <a href="/privacy">Privacy</a></footer>
<script>console.log("tracker")</script>
</body></html>
"""


def lines_of(text: str) -> list[str]:
    return [line.raw.rstrip("\r\n") for line in split_lines(text)]


def assert_prompt_lines_from_text(article: Article) -> None:
    """The model's text is made of whole lines of ``text``, in order."""
    source = lines_of(article.text)
    pos = 0
    for line in lines_of(article.prompt_text):
        while pos < len(source) and source[pos] != line:
            pos += 1
        assert pos < len(source), f"prompt line not in text: {line!r}"
        pos += 1


# --- plain text ---------------------------------------------------------------------------


@pytest.mark.seeds
def test_seed_text_is_the_file_unchanged_and_prompt_is_cleaned(seeds: Path) -> None:
    for path in sorted(seeds.glob("*.txt")):
        [article] = read_article(path)
        assert article.text == path.read_bytes().decode("utf-8")
        assert article.id == path.stem
        assert_prompt_lines_from_text(article)
        for junk in ("Source link", "Exit mobile version", "Leave a Comment", "Photo: AAP"):
            assert junk not in article.prompt_text


@pytest.mark.seeds
def test_seed_metadata(seeds: Path) -> None:
    by_id = {a.id: a for a in require_articles([seeds])}
    assert len(by_id) == 5
    # "News Trump, Zelensky ..." then the bare headline: the section prefix is dropped.
    assert by_id["000_dc005bf77e71bed0"].title.startswith("Trump, Zelensky discuss")
    assert by_id["000_dc005bf77e71bed0"].outlet == "AAP"
    assert by_id["001_575d9e9093f51687"].outlet == "Einenews.com"
    assert by_id["001_575d9e9093f51687"].title.startswith("Trump")
    assert by_id["004_65358d6dc58c99d8"].title.startswith("Zelenskiy: U.S. Security Pledge")
    assert all(a.date is None for a in by_id.values())  # no seed states its date


def test_example_metadata() -> None:
    by_id = {a.id: a for a in require_articles([EXAMPLE_DIR])}
    assert list(by_id) == [
        "01_coastal_herald",
        "02_harbor_wire",
        "03_kestrel_morning_post",
        "04_tidewatch_daily",
    ]
    assert by_id["01_coastal_herald"].title.startswith("Corvenna summit ends without a deal")
    assert by_id["02_harbor_wire"].outlet == "Harbor Wire"
    assert by_id["03_kestrel_morning_post"].date == "2026-11-18"
    assert by_id["04_tidewatch_daily"].outlet == "Tidewatch Daily"
    assert by_id["04_tidewatch_daily"].date == "2026-11-17"
    assert "Related Posts" not in by_id["04_tidewatch_daily"].prompt_text
    for article in by_id.values():
        assert_prompt_lines_from_text(article)


def test_crlf_and_cp1252_text_is_kept_exactly(tmp_path: Path) -> None:
    raw = b"Headline\r\n\r\nShare\r\nThe minister\x92s plan was approved.\r\nSource link\r\n"
    path = tmp_path / "a.txt"
    path.write_bytes(raw)
    [article] = read_article(path)
    assert article.text == raw.decode("cp1252")
    assert "\u2019" in article.text
    assert article.encoding == "cp1252"
    assert article.prompt_text == "Headline\r\n\r\nThe minister\u2019s plan was approved.\r\n"


def test_ids_are_stable_and_unique(tmp_path: Path) -> None:
    for folder, body in (("a", "One story here.\n"), ("b", "Another story here.\n")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "story.txt").write_text(body, encoding="utf-8")
    first = [a.id for a in load_articles([tmp_path / "a", tmp_path / "b"]).articles]
    second = [a.id for a in load_articles([tmp_path / "a", tmp_path / "b"]).articles]
    assert first == second == ["story", "story-2"]


def test_from_text_guesses_metadata_and_cleans() -> None:
    text = "Harbor Wire\nNovember 17, 2026\n\nShare\nTwitter Facebook\n\nA story sentence.\n"
    article = Article.from_text(text, id="x", title="Given title")
    assert article.title == "Given title"
    assert article.date == "2026-11-17"
    assert article.prompt_text == "Harbor Wire\nNovember 17, 2026\n\nA story sentence.\n"
    with pytest.raises(InputError):
        Article.from_text("  \n", id="empty")


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("Published 18 November 2026", "2026-11-18"),
        ("November 17, 2026", "2026-11-17"),
        ("Updated: 2025-08-19 10:32", "2025-08-19"),
        ("Aug. 5th, 2025", "2025-08-05"),
        ("Tuesday", None),
        ("31 Smarch 2026", None),
    ],
)
def test_parse_date(line: str, iso: str | None) -> None:
    assert parse_date(line) == iso


def test_date_only_from_a_date_line_near_the_top() -> None:
    story = "Headline\n\n" + "A sentence of the story that mentions 1 May 2020 in passing. " * 2
    assert guess_date(story) is None


# --- Markdown -------------------------------------------------------------------------------


def test_markdown_front_matter(tmp_path: Path) -> None:
    text = (
        "---\ntitle: Fund agreed\noutlet: Harbor Wire\ndate: 17 November 2026\n"
        "url: https://harborwire.example/fund\n---\n# Fund agreed\n\nShare\n\n"
        "The leaders agreed a fund.\n"
    )
    path = tmp_path / "fund.md"
    path.write_text(text, encoding="utf-8")
    [article] = read_article(path)
    assert article.text == text
    assert (article.title, article.outlet, article.date) == (
        "Fund agreed",
        "Harbor Wire",
        "2026-11-17",
    )
    assert article.url == "https://harborwire.example/fund"
    assert article.prompt_text == "# Fund agreed\n\nThe leaders agreed a fund.\n"


def test_markdown_heading_is_the_title(tmp_path: Path) -> None:
    path = tmp_path / "b.md"
    path.write_text("## Talks end\n\nBody text here.\n", encoding="utf-8")
    assert read_article(path)[0].title == "Talks end"


# --- HTML -----------------------------------------------------------------------------------


def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "fund.html"
    path.write_text(PAGE, encoding="utf-8")
    [article] = read_article(path)
    assert "Valdorian President Marta Ilvesse told a news conference" in article.text
    for junk in ("Home", "Privacy", "tracker", "Fishing towns brace", "<p>"):
        assert junk not in article.text
    assert article.title == "Fisheries fund agreed in Corvenna"
    assert (article.outlet, article.date) == ("Harbor Wire", "2026-11-17")
    assert article.url == "https://harborwire.example/fund"
    assert any("trafilatura" in note for note in article.notes)
    # Offsets refer to the extracted text, which `summarizer text` prints exactly.
    quote = "within ten days"
    start = article.text.index(quote)
    result = CliRunner().invoke(app, ["text", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.decode("utf-8") == article.text
    assert result.stdout_bytes.decode("utf-8")[start : start + len(quote)] == quote


def test_html_without_article_text_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text("<html><head><title>Empty</title></head><body></body></html>", "utf-8")
    with pytest.raises(InputError, match="no article text"):
        read_article(path)


# --- JSON records ---------------------------------------------------------------------------


def test_json_records_with_metadata(tmp_path: Path) -> None:
    rows = [
        {"id": "hw-1", "text": "Fund agreed\n\nShare\nThe leaders agreed a fund.\n",
         "title": "Fund agreed", "outlet": "Harbor Wire", "date": "2026-11-17",
         "url": "https://harborwire.example/1"},
        {"text": "Talks end\n\nNo deal was reached.\n"},
    ]  # fmt: skip
    path = tmp_path / "batch.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    first, second = read_article(path)
    assert (first.id, first.title, first.outlet, first.date) == (
        "hw-1",
        "Fund agreed",
        "Harbor Wire",
        "2026-11-17",
    )
    assert first.text == rows[0]["text"]
    assert first.prompt_text == "Fund agreed\n\nThe leaders agreed a fund.\n"
    assert (second.id, second.title) == ("batch-2", "Talks end")


def test_jsonl_and_its_errors(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text('{"text": "One."}\n\n{"text": "Two."}\n', encoding="utf-8")
    assert [a.id for a in read_article(path)] == ["feed-1", "feed-2"]
    path.write_text('{"text": "One."}\n{"text": \n', encoding="utf-8")
    with pytest.raises(InputError, match="line 2"):
        read_article(path)
    path.write_text('{"title": "no text"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="'text'"):
        read_article(path)


def test_text_command_picks_a_record(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_text('{"id": "a", "text": "First."}\n{"id": "b", "text": "Second."}\n', "utf-8")
    assert article_text(path, "b").text == "Second."
    runner = CliRunner()
    result = runner.invoke(app, ["text", str(path), "--id", "a"])
    assert result.stdout_bytes == b"First."
    with pytest.raises(InputError, match="--id"):
        article_text(path)
    with pytest.raises(InputError, match="no record"):
        article_text(path, "zzz")


def test_text_command_prints_a_text_file_byte_for_byte() -> None:
    path = EXAMPLE_DIR / "04_tidewatch_daily.txt"
    result = CliRunner().invoke(app, ["text", str(path)])
    assert result.exit_code == 0
    assert result.stdout_bytes == path.read_bytes()


def test_folder_skips_readme_and_reads_every_kind(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# not an article\n", "utf-8")
    (tmp_path / "a.txt").write_text("A story.\n", "utf-8")
    (tmp_path / "b.md").write_text("# B\n\nB story.\n", "utf-8")
    (tmp_path / "c.html").write_text(PAGE, "utf-8")
    (tmp_path / "d.json").write_text('{"text": "D story."}', "utf-8")
    assert [a.id for a in require_articles([tmp_path])] == ["a", "b", "c", "d"]
