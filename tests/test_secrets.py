"""The API key never leaks: a recognisable key is planted, runs go through faults and errors at
every verbosity, and every stream and file they produced is scanned for it.

Where it could show up, and what is scanned:

* the CLI's standard output and error -- quiet, ``-v``, ``--debug`` tracebacks, and the SDK's
  own debug logging (``OPENAI_LOG=debug``);
* every log record of every logger at DEBUG (openai, httpx2/httpcore2, instructor, ours),
  tracebacks included;
* every file a run writes: briefings (JSON, Markdown, HTML), ``run.jsonl``, the extraction
  cache, recordings;
* ``repr``/``str`` of settings, clients and every error raised;
* a hostile server that echoes the key back in its 401 answer.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from benchmarks.standin_server import FAULTS, start_server
from summarizer.config import Settings
from summarizer.errors import SummarizerError
from summarizer.extract.extraction import extract
from summarizer.ingest.articles import Article
from summarizer.model.backends import make_client
from summarizer.model.recording import Recordings
from summarizer.model.usage import AsyncCreateFn, CreateFn
from tests.conftest import ROOT
from tests.test_faults import article_text, make_corpus

KEY = "sk-canary-7f3a9c1e5b2d4f6a8c0e1b3d5f7a9c2e"
CORE = KEY[-20:]  # also catches a key shown in part ("sk-...masked...9c2e" keeps less)


def leaks(blob: str | bytes) -> bool:
    text = blob.decode("utf-8", "replace") if isinstance(blob, bytes) else blob
    return KEY in text or CORE in text


def leaking_files(root: Path) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.is_file() and leaks(p.read_bytes())]


# --------------------------------------------------------------------------------------------
# Servers: the stand-in with faults, and one that echoes the key in a 401.
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def standin() -> Iterator[str]:
    url, stop = start_server(
        latency=0.002, error_rate=0.3, seed=3, retry_after=0.01, hang=3.0, process=True
    )
    yield url
    stop()


class _EchoKey(BaseHTTPRequestHandler):
    """Answers every request 401, quoting the Authorization header back (a careless proxy)."""

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        self.rfile.read(int(self.headers.get("content-length") or 0))
        said = self.headers.get("authorization", "")
        body = json.dumps(
            {"error": {"message": f"Incorrect API key provided: {said}", "code": "invalid_key"}}
        ).encode()
        self.send_response(401)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def echo_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoKey)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()
    thread.join(5)


# --------------------------------------------------------------------------------------------
# The CLI, as a user runs it, with the key in the environment.
# --------------------------------------------------------------------------------------------


def cli(*args: str, cwd: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}
    env.update(
        OPENAI_API_KEY=KEY,
        OPENAI_LOG="debug",  # the SDK's own debug logging, to stderr
        SUMMARIZER_TIMEOUT="1",
        SUMMARIZER_TRANSPORT_ATTEMPTS="3",
        SUMMARIZER_MAX_RETRIES="1",
        PYTHONPATH=str(ROOT),
    )
    return subprocess.Popen(
        [sys.executable, "-m", "summarizer", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_no_cli_run_leaves_the_key_in_a_stream_or_a_file(
    tmp_path: Path, standin: str, echo_server: str
) -> None:
    make_corpus(tmp_path / "events", 2, 3)
    one = tmp_path / "events" / "event-00"
    failing = tmp_path / "failing.txt"
    failing.write_text(article_text(99) + "STANDIN-FAULT: 500\n", "utf-8")
    server = ["--model", "standin", "--mode", "tools"]
    runs = {
        "brief -v to HTML": cli("brief", str(one), "-v", "-o", str(tmp_path / "b.html"),
                                "--base-url", standin, *server, cwd=tmp_path),
        "batch -v with cache": cli("batch", str(tmp_path / "events"), "-o",
                                   str(tmp_path / "out"), "-v", "--progress", "plain",
                                   "--base-url", standin, *server, cwd=tmp_path),
        "failing brief --debug": cli("brief", str(failing), "--debug", "-v", "--base-url",
                                     standin, *server, cwd=tmp_path),
        "echoing 401 -v": cli("brief", str(failing), "-v", "--base-url", echo_server,
                              *server, cwd=tmp_path),
        "echoing 401 --debug": cli("brief", str(failing), "--debug", "--base-url",
                                   echo_server, *server, cwd=tmp_path),
    }  # fmt: skip
    outputs = {name: proc.communicate(timeout=120) for name, proc in runs.items()}
    for name, (out, err) in outputs.items():
        assert not leaks(out), f"{name}: the key is on standard output"
        assert not leaks(err), f"{name}: the key is on standard error:\n{err[-3000:]}"
    assert leaking_files(tmp_path) == []
    # The runs did what they should (so the scan saw real output):
    assert runs["brief -v to HTML"].returncode == 0 and (tmp_path / "b.html").is_file()
    assert (tmp_path / "out" / "run.jsonl").is_file()
    assert {p.suffix for p in (tmp_path / "out").iterdir()} >= {".json", ".md", ".jsonl"}
    assert list((tmp_path / "out" / ".cache").rglob("*.json"))
    assert "DEBUG" in outputs["brief -v to HTML"][1]  # the SDK's debug log was on
    assert "Traceback" in outputs["failing brief --debug"][1]
    assert "Traceback" in outputs["echoing 401 --debug"][1]  # the SDK error, key blanked
    assert "rejected the API key" in outputs["echoing 401 -v"][1]
    assert runs["echoing 401 -v"].returncode == 2


# --------------------------------------------------------------------------------------------
# The library, with every logger at DEBUG.
# --------------------------------------------------------------------------------------------


class _Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))  # with the traceback, when there is one


@pytest.fixture
def debug_logs() -> Iterator[_Everything]:
    handler = _Everything()
    root = logging.getLogger()
    names = ("", "openai", "httpx2", "httpcore2", "instructor", "summarizer")
    levels = {name: logging.getLogger(name).level for name in names}
    root.addHandler(handler)
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def _closing(clients: list[Any]) -> Any:
    """A ``make_client(wrap=...)`` that remembers the SDK client so the test can close it."""

    def wrap(create: CreateFn, acreate: AsyncCreateFn) -> tuple[CreateFn, AsyncCreateFn]:
        clients.append(create.__self__._client)  # type: ignore[attr-defined]
        return create, acreate

    return wrap


@pytest.mark.parametrize("url_fixture", ["standin", "echo_server"])
def test_debug_logs_errors_and_reprs_hold_no_key(
    request: pytest.FixtureRequest, debug_logs: _Everything, url_fixture: str
) -> None:
    url: str = request.getfixturevalue(url_fixture)
    settings = Settings.resolve(
        backend="openai", model="standin", base_url=url, api_key=KEY, mode="tools",
        max_retries=1, transport_attempts=2, transport_max_wait=0.02, timeout=0.5,
    )  # fmt: skip
    clients: list[Any] = []
    client = make_client(settings, wrap=_closing(clients))
    errors: list[BaseException] = []
    try:
        for kind in ("ok", *FAULTS):
            article = Article(id=kind, text=article_text(7) + f"STANDIN-FAULT: {kind}\n")
            try:
                extract(article, client)
            except SummarizerError as exc:
                errors.append(exc)
    finally:
        for sdk in clients:
            sdk.close()
    assert errors  # the error paths ran
    assert len(debug_logs.lines) > 20 and any(" DEBUG " in x for x in debug_logs.lines)
    leaked = [line[:300] for line in debug_logs.lines if leaks(line)]
    assert leaked == []
    for exc in errors:
        chain: BaseException | None = exc
        while chain is not None:
            assert not leaks(str(chain)) and not leaks(repr(chain))
            chain = chain.__cause__ or chain.__context__
    assert not leaks(repr(settings)) and not leaks(str(settings))
    assert not leaks(repr(client)) and not leaks(repr(vars(client)))


# --------------------------------------------------------------------------------------------
# Recordings.
# --------------------------------------------------------------------------------------------


def test_recordings_hold_neither_the_key_nor_the_article(tmp_path: Path) -> None:
    from tests.fakes import completion

    recordings = Recordings(tmp_path, "some-model", secrets=(KEY,))
    kwargs = {
        "model": "some-model",
        "messages": [{"role": "user", "content": "<article>secret article text</article>"}],
        "api_key": KEY,
        "extra_headers": {"Authorization": f"Bearer {KEY}"},
    }
    echoed = completion(json.dumps({"note": f"the server echoed {KEY}"}))
    path = recordings.save(kwargs, echoed)
    text = path.read_text("utf-8")
    assert not leaks(text) and "[REDACTED]" in text
    assert "secret article text" not in text  # messages are counted, never stored
