"""URLs as inputs: each page fetched (http and https only, a time limit, a size cap, a few
redirects), its main text kept beside the briefing; a URL that fails is named in one line
and the briefing is written from the rest. Against a local HTTP server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from summarizer.cli.main import main
from summarizer.errors import InputError
from summarizer.ingest.fetch import fetch, fetch_article, url_id
from summarizer.review import verify
from summarizer.schema import Briefing
from tests.test_update import model  # noqa: F401  (the fixture: a scripted model for brief)

PAGE = """<html><head><title>Harbour talks end</title></head><body><article>
<h1>Harbour talks end with a pledge</h1>
<p>Premier Aleksandr Voronov said Valdoria would withdraw its patrol boats if Kestrel recalls
its frigates. Minister Ilse Brandt said the fund would reach 4 million crowns.</p>
<p>It is not yet known who will chair the commission. The talks ran for two days in the old
harbour hall, and both delegations said they would meet again before the winter.</p>
</article></body></html>"""


class _Site(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/slow":
            time.sleep(3)
        if self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
            return
        if self.path == "/ftp":
            self.send_response(302)
            self.send_header("Location", "ftp://example.invalid/x")
            self.end_headers()
            return
        if self.path == "/missing":
            self.send_error(404)
            return
        kind = "application/pdf" if self.path == "/file.pdf" else "text/html; charset=utf-8"
        body = PAGE.replace("pledge", f"pledge {self.path.strip('/')}").encode()
        if self.path == "/huge":
            body = b"<html>" + b"x" * 6_000_000
        try:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args: Any) -> None:
        return None


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("path", "problem"),
    [("/slow", "timed out after 1 s"), ("/loop", "redirects"), ("/missing", "HTTP 404"),
     ("/file.pdf", "not a web page"), ("/huge", "larger than"), ("/ftp", "only http")],
)  # fmt: skip
def test_each_way_a_url_fails_is_one_named_error(site: str, path: str, problem: str) -> None:
    with pytest.raises(InputError) as exc:
        fetch(site + path, timeout=1)
    assert problem in str(exc.value) and str(exc.value).startswith(site + path)


def test_only_http_and_https_are_fetched() -> None:
    with pytest.raises(InputError, match="only http and https"):
        fetch("file:///etc/passwd")


def test_a_page_becomes_an_article_whose_text_is_kept(site: str, tmp_path: Path) -> None:
    article = fetch_article(site + "/one", tmp_path)
    assert "Voronov" in article.text and article.url == site + "/one"
    kept = Path(article.path)
    assert kept.parent == tmp_path and kept.read_text("utf-8") == article.text
    assert article.id == url_id(site + "/one") == "127.0.0.1_one"


def test_a_url_that_times_out_is_reported_and_the_rest_is_written(
    site: str, tmp_path: Path, model: Any, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    out = tmp_path / "b.json"
    with pytest.raises(SystemExit) as done:
        main(["brief", site + "/one", site + "/slow", site + "/two", "-o", str(out),
              "--fetch-timeout", "1", "--no-summary", "--no-consolidate"])  # fmt: skip
    err = capsys.readouterr().err
    assert done.value.code == 1  # partial
    assert f"{site}/slow: timed out after 1 s" in " ".join(err.split())
    briefing = Briefing.model_validate(json.loads(out.read_text("utf-8")))
    assert sorted(s.id for s in briefing.sources) == ["127.0.0.1_one", "127.0.0.1_two"]
    assert briefing.missing_sources == [site + "/slow"]
    assert all(s.url and s.url.startswith(site) for s in briefing.sources)
    kept = tmp_path / "b.sources"
    assert sorted(p.name for p in kept.iterdir()) == ["127.0.0.1_one.txt", "127.0.0.1_two.txt"]
    assert verify(briefing).ok  # every offset verifiable against the kept text


def test_a_batch_manifest_may_list_urls(
    site: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from summarizer.batch.run import read_manifest, run_batch
    from summarizer.config import Settings
    from tests.conftest import fake_client
    from tests.fakes import ScriptedModel
    from tests.test_batch import answer

    manifest = tmp_path / "events.json"
    manifest.write_text(json.dumps([{"name": "harbour", "articles": [
        site + "/one", site + "/slow", site + "/two"]}]), "utf-8")  # fmt: skip
    [spec] = read_manifest(manifest)
    assert spec.urls == (site + "/one", site + "/slow", site + "/two") and spec.paths == ()
    settings = Settings(backend="openai", model="fake-model", base_url="http://127.0.0.1:9/v1")
    from summarizer.ingest import fetch as fetch_module

    real = fetch_module.fetch_article

    def quick(url: str, folder: Path, *, timeout: float = 1.0) -> Any:
        return real(url, folder, timeout=1.0)

    import summarizer.batch.run as run_module

    monkey = pytest.MonkeyPatch()
    monkey.setattr(run_module, "fetch_article", quick)
    try:
        client = fake_client(settings, ScriptedModel(answer, repeat_last=True))
        result = run_batch(manifest, output=tmp_path / "out", consolidate=False, client=client)
    finally:
        monkey.undo()
    briefing = result.briefings["harbour"]
    assert sorted(s.id for s in briefing.sources) == ["127.0.0.1_one", "127.0.0.1_two"]
    assert briefing.missing_sources == [site + "/slow"] and result.report.exit_code == 1
    assert (tmp_path / "out" / "sources" / "harbour" / "127.0.0.1_one.txt").is_file()
    assert verify(briefing).ok
