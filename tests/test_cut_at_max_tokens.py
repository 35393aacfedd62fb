"""The capable-model recordings served by a server that cuts answers at ``max_tokens``.

``../shared/tools/relay.py serve --honour-max-tokens`` is the OpenAI-compatible server the
recordings were made through: it answers each request from a file and, like a real server,
cuts an answer longer than the request's ``max_tokens`` and says ``finish_reason: "length"``.
Here it serves the recorded extraction answers of the seed articles (restored from the
recordings, which hold quotes as offsets), and the pipeline briefs the seeds through it:

* with default settings nothing is cut, and the briefing equals the replayed one;
* with a ``max_tokens`` below the longest answer, every cut answer is continued or named:
  no item disappears without the briefing saying so, and the briefing is partial.
"""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from summarizer.config import Settings
from summarizer.errors import ModelError
from summarizer.evaluate.runner import replay_client
from summarizer.ingest.articles import load_articles
from summarizer.model.backends import make_client
from summarizer.pipeline import brief, extract_all
from summarizer.schema import Briefing

ROOT = Path(__file__).resolve().parent.parent
RECORDED = ROOT / "eval" / "recordings" / "capable-llm"
RELAY = ROOT.parent / "shared" / "tools" / "relay.py"
KINDS = ("positions", "commitments", "open_questions", "facts")

pytestmark = pytest.mark.seeds


def _relay() -> Any:
    if not RELAY.is_file():
        pytest.skip(f"{RELAY} not found (the shared tools folder beside the repo)")
    spec = importlib.util.spec_from_file_location("relay", RELAY)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _seed_files(seeds: Path) -> list[Path]:
    return sorted(seeds.glob("0*.txt"))


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Briefing]:
    """The recorded extraction answers as relay answer files, and the replayed briefing."""
    from tests.conftest import seeds_dir

    seeds = seeds_dir()
    if seeds is None:
        pytest.skip("seed articles not found: set SUMMARIZER_SEEDS to the seeds folder")
    relay = _relay()
    folder = tmp_path_factory.mktemp("relay")
    (folder / "answers").mkdir()
    replayer, _ = replay_client(RECORDED)
    pairs: list[tuple[dict[str, Any], Any]] = []
    create = replayer._send
    assert create is not None

    def keep(**kwargs: Any) -> Any:
        response = create(**kwargs)
        pairs.append((kwargs, response))
        return response

    replayed = brief(
        _seed_files(seeds),
        client=make_client(replayer.settings, backend=(keep, keep)),
        summary=False,
    )
    for kwargs, response in pairs:
        arguments = response.choices[0].message.tool_calls[0].function.arguments
        path = folder / "answers" / f"{relay.key_of(kwargs)}.json"
        path.write_text(arguments, "utf-8")
    return folder, replayed


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(answers: tuple[Path, Briefing]) -> Iterator[str]:
    port = _free_port()
    args = [sys.executable, str(RELAY), "serve", str(answers[0]), "--port", str(port)]
    process = subprocess.Popen([*args, "--honour-max-tokens"])
    try:
        for _ in range(100):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _settings(url: str, **changes: Any) -> Settings:
    recorded = json.loads((RECORDED / "_run.json").read_text("utf-8"))
    return Settings.resolve(
        backend="openai", model=recorded["model"], base_url=url, mode="tools", **changes
    )


def _items(briefing: Briefing) -> dict[str, int]:
    return {kind: len(getattr(briefing, kind)) for kind in KINDS}


def test_default_settings_lose_nothing(
    seeds: Path, answers: tuple[Path, Briefing], server: str
) -> None:
    live = brief(_seed_files(seeds), settings=_settings(server), summary=False)
    replayed = answers[1]
    assert live.gaps == [] and live.failures == [] and not live.partial
    assert _items(live) == _items(replayed)
    assert [d.reason for d in live.dropped] == [d.reason for d in replayed.dropped]
    # One extraction an article (nothing cut, so no continuation), and the merge's labels.
    assert live.usage.calls == replayed.usage.calls == len(_seed_files(seeds)) + 6


def test_a_low_max_tokens_is_continued_or_named(
    seeds: Path, answers: tuple[Path, Briefing], server: str
) -> None:
    # 2,000 tokens is below the two longest recorded answers (2,000-2,350): the relay cuts them.
    # A continuation asks for the unfinished lists; the relay has no answer for that request
    # (no model is behind it), so such an article fails, and says so.
    articles = load_articles(_seed_files(seeds)).articles
    live = extract_all(articles, make_client(_settings(server, max_tokens=2000)))
    full = extract_all(articles, make_client(_settings(server)))
    assert full.failures == [] and all(not e.gaps for e in full.extractions)
    whole = {e.source.id: e for e in full.extractions}
    cut = {f.source for f in live.failures} | {e.source.id for e in live.extractions if e.gaps}
    assert cut, "nothing was cut at 2,000 tokens: the test proves nothing"
    assert len(cut) < len(articles), "every answer was cut: the test proves little"
    for extraction in live.extractions:
        if extraction.source.id not in cut:  # an article not named is complete
            counts = {k: len(getattr(extraction, k)) for k in KINDS}
            assert counts == {k: len(getattr(whole[extraction.source.id], k)) for k in KINDS}
    for failure in live.failures:
        assert "400" in failure.reason  # the continuation the relay could not answer


def test_the_cli_exits_1_on_a_cut_briefing(
    seeds: Path, answers: tuple[Path, Briefing], server: str, tmp_path: Path
) -> None:
    out = tmp_path / "b.json"
    command = [
        sys.executable, "-m", "summarizer", "brief", *map(str, _seed_files(seeds)),
        "--base-url", server, "--model", _settings(server).model, "--mode", "tools",
        "--max-tokens", "2000", "--no-summary", "-o", str(out),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    briefing = Briefing.model_validate_json(out.read_text("utf-8"))
    assert briefing.partial
    assert "warning:" in done.stderr


def test_nothing_is_silently_fine_when_every_article_fails() -> None:
    with pytest.raises(ModelError):
        brief(
            [ROOT / "examples" / "harbor-accord" / "01_coastal_herald.txt"],
            settings=_settings("http://127.0.0.1:9/v1", transport_attempts=1),
            summary=False,
        )
