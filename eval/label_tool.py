#!/usr/bin/env python
"""Fill and check the character offsets of hand-labelled gold files.

A labeller writes each evidence quote (and each conflict claim quote) by copying the exact words
from the article; this tool computes ``start``/``end`` so that ``text[start:end] == quote``, where
``text`` is the article file read with ``open(path, encoding="utf-8").read()``, unchanged.

Usage::

    python eval/label_tool.py fill  eval/cases/seeds/gold/*.json --articles ../shared/seeds
    python eval/label_tool.py check eval/cases/seeds/gold/*.json --articles ../shared/seeds

``fill`` rewrites the file in place (``--dry-run`` only reports). A quote must occur verbatim;
when it does not, the tool prints the nearest span that ``locate`` (the function the pipeline's
grounding uses, :mod:`summarizer.extract.locate`) finds
(normalized or fuzzy) as a hint, and leaves the item for the labeller to fix. For a quote that
occurs more than once, offsets already given are kept when they match; otherwise the first
occurrence is taken, with a warning.

``check`` validates the file against the pydantic model (``ArticleExtraction`` or ``Briefing``,
chosen by the file's shape), verifies every quote at its offsets, that every item has evidence
from each of its sources, that actor references resolve to the actor list, and prints counts.
Without ``--articles`` the folder comes from ``$SUMMARIZER_SEEDS`` or from ``case.json``
(``default_articles_dir``, relative to the repository root). Exit status 1 on any error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parents[1]
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))


def _light_package() -> None:
    """Make ``summarizer.schema`` and ``summarizer.extract.locate`` importable on their own.

    The tool needs only those two modules (no I/O, no model client). When the package's
    ``__init__`` cannot be imported (a missing optional dependency, work in progress), register a
    bare package object so that the two submodules still load from the checkout.
    """
    try:
        import summarizer  # noqa: F401
    except ImportError:
        package = types.ModuleType("summarizer")
        setattr(package, "__path__", [str(_ROOT / "summarizer")])  # noqa: B010
        sys.modules["summarizer"] = package


_light_package()

from pydantic import BaseModel, ValidationError  # noqa: E402

from summarizer.extract.locate import locate  # noqa: E402  (re-exported by summarizer.extract.grounding)
from summarizer.schema import ArticleExtraction, Briefing  # noqa: E402

ITEM_SECTIONS = ("positions", "commitments", "open_questions", "facts")
LONG_QUOTE_CHARS = 350  # a list of names (e.g. the attendees) can run to ~320
JSON = dict[str, Any]


@dataclass
class Report:
    """Errors and warnings for one gold file."""

    path: Path
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def warn(self, where: str, message: str) -> None:
        self.warnings.append(f"{where}: {message}")

    def print(self) -> None:
        for message in self.warnings:
            print(f"  warning {message}", file=sys.stderr)
        for message in self.errors:
            print(f"  ERROR   {message}", file=sys.stderr)


@dataclass(frozen=True)
class Quote:
    """One quote in a gold file: an evidence entry or a conflict claim (a live dict)."""

    where: str
    entry: JSON
    is_claim: bool


def is_briefing(data: JSON) -> bool:
    return "sources" in data or "conflicts" in data or "event" in data


def source_paths(data: JSON) -> dict[str, str]:
    """Source id -> file name, from the gold file itself."""
    sources = data.get("sources") if is_briefing(data) else [data.get("source") or {}]
    paths: dict[str, str] = {}
    for source in sources or []:
        if isinstance(source, dict) and source.get("id"):
            sid = str(source["id"])
            paths[sid] = str(source.get("path") or f"{sid}.txt")
    return paths


def iter_quotes(data: JSON) -> Iterator[Quote]:
    for section in ITEM_SECTIONS:
        for i, item in enumerate(data.get(section) or []):
            for j, evidence in enumerate(item.get("evidence") or []):
                yield Quote(f"{section}[{i}].evidence[{j}]", evidence, False)
    for i, conflict in enumerate(data.get("conflicts") or []):
        for j, claim in enumerate(conflict.get("claims") or []):
            yield Quote(f"conflicts[{i}].claims[{j}]", claim, True)


def occurrences(quote: str, text: str) -> list[int]:
    found: list[int] = []
    at = text.find(quote)
    while at >= 0:
        found.append(at)
        at = text.find(quote, at + 1)
    return found


def resolve_articles_dir(given: str | None, gold: Path) -> Path | None:
    if given:
        return Path(given)
    env = os.environ.get("SUMMARIZER_SEEDS")
    if env:
        return Path(env)
    for folder in (gold.resolve().parent, *gold.resolve().parents):
        case = folder / "case.json"
        if case.is_file():
            meta = json.loads(case.read_text(encoding="utf-8"))
            for key in ("default_articles_dir", "articles_dir"):
                default = meta.get(key)
                if isinstance(default, str) and default:
                    return (_ROOT / default).resolve()
            break
    return None


class Articles:
    """Reads article files once, exactly as the pipeline does."""

    def __init__(self, folder: Path, paths: dict[str, str]) -> None:
        self.folder = folder
        self.paths = paths
        self._texts: dict[str, str] = {}

    def text(self, source: str) -> str | None:
        if source not in self.paths:
            return None
        if source not in self._texts:
            path = self.folder / self.paths[source]
            if not path.is_file():
                return None
            with open(path, encoding="utf-8") as handle:
                self._texts[source] = handle.read()
        return self._texts[source]


def hint(quote: str, text: str) -> str:
    span = locate(quote, text)
    if span is None:
        return "not found, even approximately"
    return f"nearest {span.match} match is {text[span.start : span.end]!r}"


def fill_quote(q: Quote, articles: Articles, report: Report) -> bool:
    """Set start/end of one quote from its text; return True when it was changed."""
    entry = q.entry
    source = str(entry.get("source") or "")
    quote = entry.get("quote")
    if not isinstance(quote, str) or not quote:
        report.error(q.where, "empty quote")
        return False
    text = articles.text(source)
    if text is None:
        report.error(q.where, f"unknown source or missing article file: {source!r}")
        return False
    found = occurrences(quote, text)
    start, end = entry.get("start"), entry.get("end")
    given_ok = isinstance(start, int) and isinstance(end, int) and text[start:end] == quote
    if not found:
        report.error(q.where, f"quote is not verbatim in {source}: {quote!r}; {hint(quote, text)}")
        return False
    if given_ok and isinstance(start, int):
        new_start = start
    else:
        new_start = found[0]
        if len(found) > 1:
            report.warn(
                q.where,
                f"quote occurs {len(found)} times in {source}; took the first: {quote[:60]!r}",
            )
    changed = (start, end) != (new_start, new_start + len(quote))
    entry["start"], entry["end"] = new_start, new_start + len(quote)
    if not q.is_claim and entry.get("match") != "exact":
        entry["match"] = "exact"
        changed = True
    return changed


def load(path: Path) -> JSON:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise SystemExit(f"{path}: not a JSON object")
    return data


def cmd_fill(paths: list[Path], articles_dir: str | None, dry_run: bool) -> int:
    status = 0
    for path in paths:
        data = load(path)
        report = Report(path)
        folder = resolve_articles_dir(articles_dir, path)
        if folder is None:
            print(f"{path}: no articles folder (pass --articles DIR)", file=sys.stderr)
            return 2
        articles = Articles(folder, source_paths(data))
        changed = sum(fill_quote(q, articles, report) for q in iter_quotes(data))
        if changed and not dry_run:
            path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        verb = "would change" if dry_run else "changed"
        print(f"{path}: {verb} {changed} offsets; {len(report.errors)} errors", flush=True)
        report.print()
        status = status or (1 if report.errors else 0)
    return status


def validate(data: JSON, report: Report) -> BaseModel | None:
    model: type[BaseModel] = Briefing if is_briefing(data) else ArticleExtraction
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(part) for part in err["loc"])
            report.error(f"schema {model.__name__} {where}", err["msg"])
        return None


def check_quotes(data: JSON, articles: Articles, report: Report) -> None:
    for q in iter_quotes(data):
        entry = q.entry
        source = str(entry.get("source") or "")
        quote = entry.get("quote")
        text = articles.text(source)
        if text is None:
            report.error(q.where, f"unknown source or missing article file: {source!r}")
            continue
        if not isinstance(quote, str) or not quote.strip():
            report.error(q.where, "empty quote")
            continue
        start, end = entry.get("start"), entry.get("end")
        if not (isinstance(start, int) and isinstance(end, int)):
            report.error(q.where, "start/end missing; run `fill`")
        elif text[start:end] != quote:
            report.error(
                q.where, f"text[{start}:{end}] is {text[start:end]!r}, not the quote {quote!r}"
            )
        if quote != quote.strip():
            report.warn(q.where, "quote has leading or trailing white space")
        if len(quote) > LONG_QUOTE_CHARS:
            report.warn(q.where, f"long quote ({len(quote)} chars); prefer a sentence or clause")


def check_items(data: JSON, known: set[str], report: Report) -> None:
    actors = {str(a.get("name")) for a in data.get("actors") or []}
    for i, actor in enumerate(data.get("actors") or []):
        for source in actor.get("sources") or []:
            if source not in known:
                report.error(f"actors[{i}]", f"unknown source {source!r}")
        if not actor.get("sources"):
            report.error(f"actors[{i}]", "no sources")
    if len(actors) != len(data.get("actors") or []):
        report.error("actors", "duplicate canonical names")
    for section in ITEM_SECTIONS:
        seen: set[str] = set()
        for i, item in enumerate(data.get(section) or []):
            where = f"{section}[{i}]"
            evidence = item.get("evidence") or []
            sources = set(item.get("sources") or [])
            if not evidence:
                report.error(where, "no evidence")
            if not sources:
                report.error(where, "no sources")
            for source in sources - known:
                report.error(where, f"unknown source {source!r}")
            for j, entry in enumerate(evidence):
                speaker = entry.get("speaker")
                if speaker and speaker not in actors:
                    report.warn(f"{where}.evidence[{j}]", f"speaker {speaker!r} is not an actor")
            quoted = {str(e.get("source")) for e in evidence}
            for source in quoted - sources:
                report.error(where, f"evidence from {source!r}, which is not in sources")
            for source in sources - quoted:
                report.error(where, f"source {source!r} has no evidence quote")
            for key in ("actor", "attributed_by"):
                name = item.get(key)
                if name and name not in actors:
                    report.error(where, f"{key} {name!r} is not a canonical actor name")
            ident = json.dumps(
                [item.get(k) for k in ("actor", "issue", "stance", "action", "question", "topic")]
                + [item.get("value"), item.get("attributed_by")]
            )
            if ident in seen:
                report.warn(where, "duplicate of an earlier item")
            seen.add(ident)
    for i, conflict in enumerate(data.get("conflicts") or []):
        claims = conflict.get("claims") or []
        if len({str(c.get("value")).strip().lower() for c in claims}) < 2:
            report.error(f"conflicts[{i}]", "a conflict needs at least two different values")
        if len({c.get("source") for c in claims}) < 2:
            report.error(f"conflicts[{i}]", "a conflict needs at least two sources")
    if not data.get("labelled_by"):
        report.warn("labelled_by", "gold files should say who labelled them and how")


def counts(data: JSON) -> str:
    parts = [f"{key}={len(data.get(key) or [])}" for key in ("actors", *ITEM_SECTIONS)]
    if is_briefing(data):
        parts.append(f"conflicts={len(data.get('conflicts') or [])}")
        parts.append(f"sources={len(data.get('sources') or [])}")
    parts.append(f"quotes={sum(1 for _ in iter_quotes(data))}")
    return " ".join(parts)


def cmd_check(paths: list[Path], articles_dir: str | None) -> int:
    status = 0
    for path in paths:
        data = load(path)
        report = Report(path)
        folder = resolve_articles_dir(articles_dir, path)
        if folder is None:
            print(f"{path}: no articles folder (pass --articles DIR)", file=sys.stderr)
            return 2
        paths_by_id = source_paths(data)
        validate(data, report)
        check_quotes(data, Articles(folder, paths_by_id), report)
        check_items(data, set(paths_by_id), report)
        verdict = "FAIL" if report.errors else "ok"
        print(f"{verdict:4} {path}: {counts(data)}", flush=True)
        report.print()
        status = status or (1 if report.errors else 0)
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("fill", "fill or repair start/end of every quote from its text"),
        ("check", "validate a gold file and verify every quote at its offsets"),
    ):
        cmd = sub.add_parser(name, help=help_text)
        cmd.add_argument("gold", nargs="+", type=Path, help="gold JSON file(s)")
        cmd.add_argument("--articles", help="folder with the article files")
        if name == "fill":
            cmd.add_argument("--dry-run", action="store_true", help="report, do not write")
    args = parser.parse_args(argv)
    if args.command == "fill":
        return cmd_fill(args.gold, args.articles, args.dry_run)
    return cmd_check(args.gold, args.articles)


if __name__ == "__main__":
    raise SystemExit(main())
