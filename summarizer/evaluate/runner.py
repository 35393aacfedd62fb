"""Evaluation runs: merge-only, record (a real model) and replay (recorded responses only).

* **merge-only** feeds each case's per-article gold through :func:`summarizer.merge.fold.merge` and
  scores the result against the hand-folded gold briefing: the merge step alone, no model.
* **record** runs a real model (any backend) over each case and saves every request/response
  under ``<recordings>/<model-slug>/`` through :meth:`Recordings.recorder`, together with
  ``_run.json``: the settings that shape the requests (model name, structured-output mode,
  ``max_tokens``, ...), so that a replay rebuilds exactly the same requests.
* **replay** serves those recordings through ``make_client(settings, backend=replayer)``: no
  model is loaded and no network is touched. A request without a recording raises
  :class:`~summarizer.errors.MissingRecording` naming the case, the article and the prompt.

Articles are extracted one after another, so the sequence of requests (and so of recordings)
is the same on every run. A model run is scored twice: each article's extraction against that
article's gold (``articles``, micro-averaged) and the merged briefing against the gold briefing
(``briefing``, the headline).

The baseline (``eval/baseline.json``) stores the metrics of each run and case; a run fails when
any stored metric drops. Updating it is a deliberate act (``--update-baseline``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from summarizer.config import DEMO_NOTICE, Settings
from summarizer.errors import ConfigError, InputError, MissingRecording, ModelError
from summarizer.evaluate.cases import Case
from summarizer.evaluate.scorer import Scorecard, ScoreConfig, score, score_all
from summarizer.extract.extraction import extract
from summarizer.extract.summary import summarize
from summarizer.files import write_atomic
from summarizer.merge.fold import merge
from summarizer.model.backends import default_gguf_path, make_client
from summarizer.model.client import ModelClient
from summarizer.model.recording import Recordings, slug
from summarizer.model.usage import metered
from summarizer.pipeline import labelled_merge
from summarizer.schema import ArticleExtraction, Briefing, Event, Failure, Usage

RUN_FILE = "_run.json"
#: The ``_run.json`` key saying what produced the recordings (a model behind an API, or a
#: capable LLM answering each captured request on its own): written by the recorder, kept.
PRODUCED_BY = "produced_by"
#: The ``_run.json`` key listing the cases a recorded set covers; a replay runs only those.
CASES = "cases"
MERGE_ONLY = "merge-only"
Log = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass
class CaseRun:
    """One case scored under one run (merge-only, or one model)."""

    case: str
    run: str
    briefing: Scorecard
    articles: Scorecard | None = None
    model: str | None = None
    notice: str | None = None
    failures: list[str] = field(default_factory=list)
    usage: Usage | None = None
    #: The model-assisted merge of the per-article gold, scored like ``merge-only``.
    gold_merge: Scorecard | None = None

    def levels(self) -> dict[str, Scorecard]:
        out = {"briefing": self.briefing}
        if self.articles is not None:
            out["articles"] = self.articles
        if self.gold_merge is not None:
            out[MERGE_ONLY] = self.gold_merge
        return out


def model_run_key(model_label: str) -> str:
    return f"model:{slug(model_label)}"


# --------------------------------------------------------------------------------------------
# Merge-only
# --------------------------------------------------------------------------------------------


def run_merge_only(case: Case, config: ScoreConfig | None = None) -> CaseRun:
    """Merge the per-article gold and score it against the gold briefing."""
    merged = merge(list(case.gold_articles.values()), title=case.title)
    card = score(case.gold_briefing, merged, texts=case.texts, config=config)
    return CaseRun(case=case.name, run=MERGE_ONLY, briefing=card)


def run_scored_file(
    case: Case, briefing: Briefing, label: str, config: ScoreConfig | None = None
) -> CaseRun:
    """Score a briefing made elsewhere (``summarizer merge`` / ``brief`` output) on ``case``."""
    card = score(case.gold_briefing, briefing, texts=case.texts, config=config)
    return CaseRun(case=case.name, run=f"file:{label}", briefing=card, notice=briefing.notice)


def covering_case(cases: Sequence[Case], briefing: Briefing) -> Case | None:
    """The case whose gold articles share the most source ids with ``briefing`` (None if none
    shares any; ties go to the case listed first)."""
    ids = {s.id for s in briefing.sources}
    best = max(cases, key=lambda c: len(ids & set(c.gold_articles)), default=None)
    if best is None or not ids & set(best.gold_articles):
        return None
    return best


# --------------------------------------------------------------------------------------------
# Model runs (record or replay)
# --------------------------------------------------------------------------------------------


def _extract_case(
    case: Case, client: ModelClient, log: Log
) -> tuple[list[ArticleExtraction], list[Failure]]:
    extractions: list[ArticleExtraction] = []
    failures: list[Failure] = []
    for article in case.articles:
        log(f"{case.name}/{article.id}: extracting with {client.model}")
        try:
            extractions.append(extract(article, client, tag=f"{case.name}/{article.id}"))
        except MissingRecording:
            raise
        except ModelError as exc:
            failures.append(Failure(source=article.id, reason=str(exc)))
            log(f"{case.name}/{article.id}: failed: {exc}")
    return extractions, failures


def _briefing(
    extractions: list[ArticleExtraction], failures: list[Failure], case: Case, client: ModelClient
) -> Briefing:
    # As `summarizer brief` does with default options (no title; the model labels the items
    # unless it is the demo model), so `summarizer brief ARTICLES --replay RECORDINGS` sends
    # the same requests and a user can replay them too.
    settings = client.settings
    if not extractions:
        briefing = Briefing(event=Event())
    elif settings.is_demo_model:
        briefing = merge(extractions)
    else:
        briefing = labelled_merge(extractions, client, tag=f"{case.name}/merge")
    briefing.failures = [*briefing.failures, *failures]
    briefing.missing_sources = sorted({*briefing.missing_sources, *(f.source for f in failures)})
    if settings.is_demo_model:
        briefing.notice = DEMO_NOTICE
    return briefing


def run_model(
    case: Case, client: ModelClient, config: ScoreConfig | None = None, log: Log = _quiet
) -> CaseRun:
    """Extract every article of ``case`` with ``client``, merge, write the summary (as
    ``summarizer brief`` does, so its call is recorded and replayed too), and score both
    levels. ``usage`` counts every call."""
    with metered() as meter:
        extractions, failures = _extract_case(case, client, log)
        briefing = _briefing(extractions, failures, case, client)
        if extractions:
            try:
                briefing.event = summarize(briefing, client, tag=f"{case.name}/summary")
            except MissingRecording:
                raise
            except ModelError as exc:
                log(f"{case.name}: the summary failed: {exc}")
    by_id = {e.source.id: e for e in extractions}
    pairs = [
        (gold, by_id.get(sid) or ArticleExtraction(source=gold.source))
        for sid, gold in case.gold_articles.items()
    ]
    usage = meter.usage
    return CaseRun(
        gold_merge=_gold_merge(case, client, config, log),
        case=case.name,
        run=model_run_key(client.model),
        model=client.model,
        briefing=score(case.gold_briefing, briefing, texts=case.texts, config=config),
        articles=score_all(pairs, texts=case.texts, config=config),
        notice=briefing.notice,
        failures=[f"{f.source}: {f.reason}" for f in failures],
        usage=usage,
    )


def _gold_merge(
    case: Case, client: ModelClient, config: ScoreConfig | None, log: Log
) -> Scorecard | None:
    """The merge alone, with this model's help: the per-article gold merged as
    ``merge-only`` does but through :func:`labelled_merge` (label and disagreement calls,
    recorded and replayed like the rest). Not for the demo model, which never labels."""
    if client.settings.is_demo_model or len(case.gold_articles) < 2:
        return None
    try:
        merged = labelled_merge(
            list(case.gold_articles.values()), client, title=case.title, tag=f"{case.name}/gold"
        )
    except MissingRecording:
        raise
    except ModelError as exc:
        log(f"{case.name}: the model-assisted merge of the gold failed: {exc}")
        return None
    return score(case.gold_briefing, merged, texts=case.texts, config=config)


# --------------------------------------------------------------------------------------------
# Recordings: what a replay needs to rebuild the same requests
# --------------------------------------------------------------------------------------------


def _public_url(url: str | None) -> str | None:
    """The server URL without credentials or query (it only decides request details)."""
    if not url:
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def run_info(client: ModelClient) -> dict[str, Any]:
    """The settings that shape a request, as resolved for this client (never a key)."""
    s = client.settings
    return {
        "model_label": client.model,
        "backend": s.backend,
        "model": s.model,
        "base_url": _public_url(s.base_url),
        "gguf": Path(s.gguf_path).name if s.gguf_path else None,
        "mode": client.mode,
        "temperature": s.temperature,
        "max_tokens": s.max_tokens,
        "seed": s.seed,
        "max_retries": s.max_retries,
        "chunk_chars": s.chunk_chars,
        "n_ctx": s.n_ctx,
    }


def replay_settings(info: Mapping[str, Any]) -> Settings:
    """Settings that rebuild the recorded requests; the model itself is never loaded."""
    try:
        return Settings(
            backend=info["backend"],
            model=info["model"],
            base_url=info["base_url"],
            gguf_path=info["gguf"],
            mode=info["mode"],
            temperature=float(info["temperature"]),
            max_tokens=int(info["max_tokens"]),
            seed=int(info["seed"]),
            max_retries=int(info["max_retries"]),
            chunk_chars=int(info["chunk_chars"]),
            n_ctx=int(info["n_ctx"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{RUN_FILE} is incomplete or invalid ({exc!r})") from exc


def _tagged(recordings: Recordings) -> dict[Path, str]:
    out: dict[Path, str] = {}
    if not recordings.dir.is_dir():
        return out
    for path in sorted(recordings.dir.glob("*.json")):
        if path.name == RUN_FILE:
            continue
        try:
            out[path] = str(json.loads(path.read_text("utf-8")).get("tag") or "")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(path, f"not a valid recording ({exc})") from exc
    return out


def _case_files(recordings: Recordings, case: str) -> list[Path]:
    return [p for p, tag in _tagged(recordings).items() if tag.startswith(f"{case}/")]


def prepare_recording(
    recordings: Recordings, client: ModelClient, cases: Sequence[str], log: Log = _quiet
) -> None:
    """Write ``_run.json`` and clear the old recordings of the cases about to be recorded.

    Recordings made under other settings cannot be replayed with these, so when the settings
    change every old recording of this model is removed.
    """
    info = run_info(client)
    run_file = recordings.dir / RUN_FILE
    old = json.loads(run_file.read_text("utf-8")) if run_file.is_file() else None
    changed = isinstance(old, dict) and _settings_of(old) != _settings_of(info)
    kept = old if isinstance(old, dict) and not changed else {}
    if PRODUCED_BY in kept:
        # What produced the set (written by whoever recorded it) survives a re-recording.
        info[PRODUCED_BY] = kept[PRODUCED_BY]
    info[CASES] = sorted({*kept.get(CASES, ()), *cases})
    stale = (
        list(_tagged(recordings))
        if changed
        else [p for case in cases for p in _case_files(recordings, case)]
    )
    if changed:
        log(f"recording settings changed; removing {len(stale)} old recordings")
    for path in stale:
        path.unlink()
    write_atomic(run_file, json.dumps(info, indent=1) + "\n")


def _settings_of(info: Mapping[str, Any]) -> dict[str, Any]:
    """The part of ``_run.json`` that shapes requests (not what produced it, nor its cases)."""
    return {k: v for k, v in info.items() if k not in (PRODUCED_BY, CASES)}


def recorded_cases(folder: Path) -> list[str] | None:
    """The cases a recorded set covers (None: every case, for sets older than the list)."""
    try:
        info = json.loads((folder / RUN_FILE).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    cases = info.get(CASES) if isinstance(info, dict) else None
    return [str(c) for c in cases] if isinstance(cases, list) else None


def _local_folders(settings: Settings) -> tuple[str, ...]:
    """The folder of a local GGUF: llama.cpp writes its path into every response's ``model``."""
    if settings.backend != "llama":
        return ()
    try:
        path = Path(settings.gguf_path) if settings.gguf_path else default_gguf_path()
    except ConfigError:
        return ()
    return (str(path.resolve().parent), str(path.parent))


def recording_client(settings: Settings, root: Path) -> tuple[ModelClient, Recordings]:
    """A real client whose every response is saved under ``root``; the API key and local
    folders are scrubbed from what is saved."""
    secrets = (settings.api_key or "", *_local_folders(settings))
    recordings = Recordings(root, settings.model_label, secrets=secrets)
    client = make_client(settings, wrap=recordings.recorder())
    return client, recordings


def recorded_models(root: Path) -> list[Path]:
    """Folders under ``root`` that hold a recorded run."""
    if not root.is_dir():
        return []
    return sorted(p.parent for p in root.glob(f"*/{RUN_FILE}"))


def replay_client(folder: Path) -> tuple[ModelClient, Recordings]:
    """A client that only reads the recordings in ``folder``: no model, no network."""
    info_path = folder / RUN_FILE
    try:
        info = json.loads(info_path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(info_path, f"cannot read the recorded run's settings ({exc})") from exc
    settings = replay_settings(info)
    recordings = Recordings(folder.parent, settings.model_label)
    if recordings.dir.resolve() != folder.resolve():
        raise InputError(
            folder,
            f"holds recordings of {settings.model_label!r}, whose folder "
            f"would be {recordings.dir.name}",
        )
    return make_client(settings, backend=recordings.replayer()), recordings


def unused_recordings(recordings: Recordings, cases: Sequence[str]) -> list[str]:
    """Recordings of these cases that the replay never asked for (stale: re-record)."""
    prefixes = tuple(f"{case}/" for case in cases)
    return [
        f"{path.name} ({tag})"
        for path, tag in _tagged(recordings).items()
        if tag.startswith(prefixes) and path.name not in recordings.used
    ]


# --------------------------------------------------------------------------------------------
# Baseline
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Regression:
    run: str
    case: str
    level: str
    metric: str
    baseline: float
    now: float

    def __str__(self) -> str:
        return (
            f"{self.run} / {self.case} / {self.level}: {self.metric} fell from "
            f"{self.baseline:.4f} to {self.now:.4f}"
        )


def load_baseline(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {"runs": {}}
    try:
        data = json.loads(path.read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(path, f"not valid JSON ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("runs", {}), dict):
        raise InputError(path, "expected an object with a 'runs' object")
    data.setdefault("runs", {})
    return data


def compare(baseline: Mapping[str, Any], runs: Sequence[CaseRun]) -> list[Regression]:
    """Every stored metric that the current runs fall below."""
    out: list[Regression] = []
    for run in runs:
        stored = baseline.get("runs", {}).get(run.run, {}).get(run.case, {})
        for level, card in run.levels().items():
            now = card.metrics()
            for metric, value in stored.get(level, {}).items():
                if metric in now and now[metric] < float(value) - 1e-9:
                    out.append(
                        Regression(run.run, run.case, level, metric, float(value), now[metric])
                    )
    return out


def updated_baseline(baseline: Mapping[str, Any], runs: Sequence[CaseRun]) -> dict[str, Any]:
    """The baseline with these runs' metrics written in (other runs and cases kept)."""
    out: dict[str, Any] = json.loads(json.dumps(dict(baseline)))
    out.setdefault("runs", {})
    for run in runs:
        entry = {level: card.metrics() for level, card in run.levels().items()}
        out["runs"].setdefault(run.run, {})[run.case] = entry
    return out
