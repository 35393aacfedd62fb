"""``summarizer eval``: score the pipeline against hand-labelled gold (thin: parse, delegate, show).

Modes (several may be combined; with none, ``--replay --merge-only`` runs, which needs no model
and no network):

* ``--merge-only``: the per-article gold through the merge, against the gold briefing;
* ``--record``: a real model (``--base-url/--model``, ``--gguf``, or the built-in demo model)
  over every case, each response saved under ``--recordings``;
* ``--replay``: the recorded responses of every recorded model (or ``--model``), no network.
* ``--score FILE``: a briefing JSON made elsewhere (``summarizer merge`` of the per-article gold,
  or ``summarizer brief`` over the case's articles), scored against the gold of the case whose
  sources it covers (or ``--case``); nothing is checked against the baseline.

Exit codes: 0 all scores at or above ``eval/baseline.json``; 1 a score dropped below it (or a
recording was never replayed: re-record); 2 bad options; 3 bad case or gold files; 4 a request
has no recording (the message names the case and the prompt).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from summarizer.cli.click_compat import usage_error
from summarizer.config import Settings
from summarizer.errors import ConfigError, InputError
from summarizer.evaluate.cases import Case, Skipped, discover, gold_problems
from summarizer.evaluate.report import Outcome, headline_lines, print_outcome, write_reports
from summarizer.evaluate.runner import (
    CaseRun,
    compare,
    covering_case,
    load_baseline,
    prepare_recording,
    recorded_cases,
    recorded_models,
    recording_client,
    replay_client,
    run_merge_only,
    run_model,
    run_scored_file,
    unused_recordings,
    updated_baseline,
)
from summarizer.evaluate.scorer import DEFAULT_THRESHOLD, ScoreConfig, agreement
from summarizer.files import write_atomic
from summarizer.logs import setup_logging
from summarizer.model.recording import slug
from summarizer.schema import ITEM_KINDS, ArticleExtraction, Briefing

err = Console(stderr=True, highlight=False)
out = Console(highlight=False)


def _log(line: str) -> None:
    err.print(line, markup=False, highlight=False, soft_wrap=True)


def _say(line: str) -> None:
    out.print(line, markup=False, highlight=False, soft_wrap=True)


def _merge_only(cases: list[Case], config: ScoreConfig) -> list[CaseRun]:
    return [run_merge_only(case, config) for case in cases]


def _record(
    cases: list[Case], settings: Settings, root: Path, config: ScoreConfig
) -> list[CaseRun]:
    client, recordings = recording_client(settings, root)
    prepare_recording(recordings, client, [c.name for c in cases], _log)
    runs = [run_model(case, client, config, _log) for case in cases]
    _log(f"recorded {len(list(recordings.dir.glob('*.json'))) - 1} responses in {recordings.dir}")
    return runs


def _replay(
    cases: list[Case], root: Path, model: str | None, config: ScoreConfig, log: bool
) -> tuple[list[CaseRun], list[str]]:
    folders = recorded_models(root)
    if model:
        folders = [f for f in folders if f.name in (model, slug(model))]
    if not folders:
        which = f" for model {model!r}" if model else ""
        raise ConfigError(
            f"no recordings{which} under {root}; make them with `summarizer eval --record`"
        )
    runs: list[CaseRun] = []
    stale: list[str] = []
    for folder in folders:
        client, recordings = replay_client(folder)
        covered = recorded_cases(folder)
        mine = [c for c in cases if covered is None or c.name in covered]
        runs += [run_model(case, client, config, _log if log else _quiet) for case in mine]
        stale += [
            f"{folder.name}/{s}" for s in unused_recordings(recordings, [c.name for c in mine])
        ]
    return runs, stale


def _quiet(_: str) -> None:
    return None


def _load_labels(path: Path) -> ArticleExtraction | Briefing:
    """A gold or predicted file: an ArticleExtraction (has ``source``) or a Briefing."""
    if not path.is_file():
        raise InputError(path, "no such file")
    try:
        data = json.loads(path.read_text("utf-8"))
        if isinstance(data, dict) and "source" in data:
            return ArticleExtraction.model_validate(data)
        return Briefing.model_validate(data)
    except (UnicodeDecodeError, ValueError) as exc:
        first = str(exc).splitlines()[0]
        raise InputError(path, f"neither an ArticleExtraction nor a Briefing ({first})") from exc


def _compare(a: Path, b: Path, config: ScoreConfig) -> None:
    result = agreement(_load_labels(a), _load_labels(b), config=config)
    _say(f"labeller agreement: {a} vs {b} (threshold {config.threshold:.2f})")
    for kind in ITEM_KINDS:
        c = result.scorecard.kinds[kind]
        kappa = result.kappa[kind]
        attr = result.attribute_agreement[kind]
        _say(
            f"  {kind:15} item F1 {c.f1:.3f} ({c.matched} matched of {c.gold} / {c.predicted})"
            f" · attribute agreement {'—' if attr is None else f'{attr:.2f}'}"
            f" · kappa {'—' if kappa is None else f'{kappa:.2f}'}"
        )
    _say(f"  mean item F1 {result.mean_item_f1:.3f}")


def _scored_files(paths: list[Path], cases: list[Case], config: ScoreConfig) -> list[CaseRun]:
    runs: list[CaseRun] = []
    for path in paths:
        labels = _load_labels(path)
        if not isinstance(labels, Briefing):
            raise InputError(path, "is one article's extraction; --score takes a merged briefing")
        case = covering_case(cases, labels)
        if case is None:
            names = ", ".join(c.name for c in cases) or "none loaded"
            raise InputError(path, f"its sources are in no evaluation case's gold ({names})")
        runs.append(run_scored_file(case, labels, path.name, config))
    return runs


def _modes(record: bool, replay: bool, merge_only: bool) -> tuple[bool, bool, bool]:
    if record and replay:
        raise usage_error("--record and --replay exclude each other")
    if not (record or replay or merge_only):
        return False, True, True
    return record, replay, merge_only


def _cases(
    cases_dir: Path, names: list[str], articles_dir: Path | None
) -> tuple[list[Case], list[Skipped]]:
    cases, skipped = discover(cases_dir, names=names, articles_dir=articles_dir)
    for case in cases:
        for problem in gold_problems(case):
            _log(f"warning: gold evidence: {problem}")
    return cases, skipped


def _finish(
    outcome: Outcome, baseline: Path, update: bool, report_dir: Path | None, misses: int
) -> None:
    stored = load_baseline(baseline)
    if update:
        write_atomic(baseline, _json(updated_baseline(stored, outcome.runs)))
        _log(f"updated {baseline} ({len(outcome.runs)} runs); commit it deliberately")
    else:
        outcome.regressions = compare(stored, outcome.runs)
    print_outcome(out, outcome, misses=misses)
    for line in headline_lines(outcome.runs):
        _say(line)
    if report_dir is not None:
        for path in write_reports(report_dir, outcome):
            _log(f"wrote {path}")
    if outcome.failed:
        raise typer.Exit(code=1)


def _json(data: object) -> str:
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def eval_command(
    record: Annotated[
        bool, typer.Option("--record", help="Run a real model and save its responses.")
    ] = False,
    replay: Annotated[
        bool, typer.Option("--replay", help="Serve recorded responses only (no model, no network).")
    ] = False,
    merge_only: Annotated[
        bool,
        typer.Option(
            "--merge-only", help="Score the merge alone: per-article gold in, gold briefing out."
        ),
    ] = False,
    case: Annotated[
        list[str] | None, typer.Option("--case", help="Only this case (repeat for several).")
    ] = None,
    articles_dir: Annotated[
        Path | None, typer.Option(help="Folder of the seed articles (else $SUMMARIZER_SEEDS).")
    ] = None,
    cases_dir: Annotated[Path, typer.Option(help="Folder of evaluation cases.")] = Path(
        "eval/cases"
    ),
    recordings: Annotated[Path, typer.Option(help="Folder of recorded responses.")] = Path(
        "eval/recordings"
    ),
    baseline: Annotated[Path, typer.Option(help="Stored scores a run must not fall below.")] = (
        Path("eval/baseline.json")
    ),
    update_baseline: Annotated[
        bool, typer.Option("--update-baseline", help="Store this run's scores as the new baseline.")
    ] = False,
    report_dir: Annotated[
        Path | None, typer.Option(help="Write report.json and report.md here.")
    ] = None,
    score_files: Annotated[
        list[Path] | None,
        typer.Option(
            "--score",
            help="Score this briefing JSON (e.g. `summarizer merge` output) against the gold of "
            "the case it covers, and exit (repeat for several).",
        ),
    ] = None,
    compare_files: Annotated[
        tuple[Path, Path] | None,
        typer.Option("--compare", help="Compare two labellers' files (pairwise item F1) and exit."),
    ] = None,
    threshold: Annotated[float, typer.Option(help="Similarity at which two items match.")] = (
        DEFAULT_THRESHOLD
    ),
    misses: Annotated[int, typer.Option(help="Misses to print per table.")] = 10,
    base_url: Annotated[
        str | None, typer.Option(help="--record: OpenAI-compatible server URL.")
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            help="--record: model name on that server; --replay: only this recorded model."
        ),
    ] = None,
    mode: Annotated[str | None, typer.Option(help="--record: structured output mode.")] = None,
    gguf: Annotated[
        str | None, typer.Option(help="--record: run this GGUF file in process.")
    ] = None,
    max_tokens: Annotated[
        int | None, typer.Option(help="--record: completion token cap per call.")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress.")] = False,
) -> None:
    """Score the pipeline against hand-labelled gold; fail when a score drops below baseline."""
    setup_logging(verbose)
    logging.getLogger("instructor").setLevel(logging.INFO if verbose else logging.CRITICAL)
    config = ScoreConfig(threshold=threshold)
    if compare_files is not None:
        _compare(compare_files[0], compare_files[1], config)
        return
    if score_files:
        if record or replay or merge_only or update_baseline:
            raise usage_error(
                "--score runs alone (no --record/--replay/--merge-only/--update-baseline)"
            )
        cases, skipped = _cases(cases_dir, case or [], articles_dir)
        outcome = Outcome(skipped=skipped, threshold=threshold)
        outcome.runs += _scored_files(score_files, cases, config)
        _finish(outcome, baseline, False, report_dir, misses)
        return
    record, replay, merge_only = _modes(record, replay, merge_only)
    cases, skipped = _cases(cases_dir, case or [], articles_dir)
    outcome = Outcome(skipped=skipped, threshold=threshold)
    if merge_only:
        outcome.runs += _merge_only(cases, config)
    if record:
        settings = Settings.from_env(
            base_url=base_url, model=model, mode=mode, gguf_path=gguf, max_tokens=max_tokens
        )
        outcome.runs += _record(cases, settings, recordings, config)
    if replay:
        runs, stale = _replay(cases, recordings, model, config, verbose)
        outcome.runs += runs
        outcome.stale += stale
    _finish(outcome, baseline, update_baseline, report_dir, misses)
