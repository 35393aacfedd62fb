"""The HTML report in a real headless browser (Chromium + chromedriver, started here).

Skipped, with the reason, when selenium, chromium or chromedriver is missing. On Debian:
``apt-get install -y chromium chromium-driver`` and ``pip install 'selenium>=4.20,<5'``.
``CHROME_BIN`` / ``CHROMEDRIVER`` point at other binaries. The run leaves a screenshot of the
report at ``test-artifacts/report.png``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from summarizer.render.html import to_html
from tests.conftest import ROOT
from tests.test_render import example_briefing, example_texts, hostile_briefing

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "test-artifacts"
CHROME_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
]


def _binary(env: str, *names: str) -> str | None:
    if os.environ.get(env):
        return os.environ[env]
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("selenium is not installed (pip install 'selenium>=4.20,<5')")
    chrome = _binary("CHROME_BIN", "chromium", "chromium-browser", "google-chrome")
    chromedriver = _binary("CHROMEDRIVER", "chromedriver")
    if chrome is None or chromedriver is None:
        pytest.skip(
            "chromium or chromedriver not found (Debian: apt-get install -y chromium "
            "chromium-driver; or set CHROME_BIN and CHROMEDRIVER)"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = chrome
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="summarizer-chrome-")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(chromedriver), options=options)
    browser.set_page_load_timeout(30)
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def report(tmp_path: Path, driver: Any) -> Any:
    path = tmp_path / "report.html"
    path.write_text(to_html(example_briefing(), example_texts()), "utf-8")
    driver.get(path.as_uri())
    assert driver.execute_script("return document.documentElement.dataset.ready") == "1"
    return driver


def _css(driver: Any, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return list(driver.find_elements(By.CSS_SELECTOR, selector))


def _in_pane(driver: Any, element: Any) -> bool:
    """The element is inside the visible part of the scrolled articles pane and the window."""
    return bool(
        driver.execute_script(
            "const r = arguments[0].getBoundingClientRect();"
            "const p = document.getElementById('articles').getBoundingClientRect();"
            "return r.height > 0 && r.top >= p.top && r.bottom <= p.bottom"
            " && r.bottom <= window.innerHeight;",
            element,
        )
    )


def _errors(driver: Any) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_report_renders_offline_without_errors(report: Any) -> None:
    assert report.title == "Corvenna summit on the Greywater Strait standoff"
    for section in ("summary", "actors", "positions", "commitments", "questions", "conflicts"):
        assert _css(report, f"#{section}")[0].is_displayed(), section
    assert len(_css(report, "article.article")) == 4
    assert len(_css(report, "mark.q")) >= 15
    # Nothing was fetched: the page is one file, and the CSP let its own script run.
    resources = report.execute_script("return performance.getEntriesByType('resource').length")
    assert resources == 0
    assert _errors(report) == []


def test_click_scrolls_to_the_quote_and_highlights_it(report: Any) -> None:
    item = next(
        i for i in _css(report, "#positions li.item") if "Voronov backed" in i.text
    )  # far down the first article: the pane has to scroll
    number = item.get_attribute("data-ev").split()[0]
    mark = _css(report, f'mark[data-ev~="{number}"]')[0]
    assert "active" not in mark.get_attribute("class")
    assert not _in_pane(report, mark)
    item.click()
    assert "active" in mark.get_attribute("class")
    assert mark.text == "Voronov backed the plan."
    assert _in_pane(report, mark)
    assert "selected" in item.get_attribute("class")
    assert len(_css(report, "mark.q.active")) == 1
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    report.save_screenshot(str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_quote_link_jumps_to_that_quote(report: Any) -> None:
    link = next(a for a in _css(report, "#conflicts a.ev") if "€3 billion" in a.text)
    number = link.get_attribute("data-ev")
    link.click()
    [mark] = _css(report, "mark.q.active")
    assert mark.get_attribute("data-ev").split() == [number]
    assert mark.text == "€3 billion fisheries fund"
    assert _in_pane(report, mark)
    assert mark.find_element("xpath", "ancestor::article").get_attribute("id") == "article-s3"


def test_clicking_a_marked_quote_shows_the_items_citing_it(report: Any) -> None:
    mark = next(m for m in _css(report, "mark.q") if m.text.startswith("Voronov backed"))
    report.execute_script("arguments[0].scrollIntoView({block: 'center'})", mark)
    mark.click()
    cited = _css(report, ".item.cited")
    assert [c.find_element("css selector", "strong").text for c in cited] == ["shipping-lane plan"]


def test_filter_by_actor(report: Any) -> None:
    from selenium.webdriver.support.ui import Select

    Select(_css(report, "#actor-filter")[0]).select_by_visible_text("Aleksandr Voronov")
    visible = [i for i in _css(report, ".item") if i.is_displayed()]
    # His actor row, three positions (one under the alias "Voronov"), no commitment of his.
    assert len(visible) == 4
    assert all(i.get_attribute("data-actor") == "a1" for i in visible)
    assert not _css(report, "#commitments table")[0].is_displayed()
    assert "showing 4 of" in _css(report, "#filter-status")[0].text
    Select(_css(report, "#actor-filter")[0]).select_by_index(0)
    assert all(i.is_displayed() for i in _css(report, "#positions .item"))


def test_filter_by_source(report: Any) -> None:
    from selenium.webdriver.support.ui import Select

    Select(_css(report, "#source-filter")[0]).select_by_value("s2")
    articles = [a.get_attribute("id") for a in _css(report, "article.article") if a.is_displayed()]
    assert articles == ["article-s2"]
    for item in _css(report, ".item"):
        assert item.is_displayed() == ("s2" in item.get_attribute("data-src").split())
    assert any(i.is_displayed() for i in _css(report, "#conflicts .item"))


def test_article_markup_never_runs(tmp_path: Path, driver: Any) -> None:
    briefing, texts = hostile_briefing()
    path = tmp_path / "hostile.html"
    path.write_text(to_html(briefing, texts), "utf-8")
    driver.get(path.as_uri())
    assert driver.execute_script("return window.__pwned === undefined")
    assert driver.title == "<script>alert('title')</script>"
    text = _css(driver, "article.article .text")[0].text
    assert "<script>window.__pwned = 1;" in text
    assert '<img src=x onerror="window.__pwned = 2">' in text
    assert not _css(driver, ".briefing img, .article img")
    # The report's own script still works on this page.
    _css(driver, "#positions li.item")[0].click()
    assert len(_css(driver, "mark.q.active")) == 1
