"""Evaluation cases: ``case.json``, the gold files, and the articles they label.

A case is a folder ``eval/cases/<name>/`` holding::

    case.json                 name, articles, where the articles are, who labelled the gold
    gold/<article-stem>.json  one ArticleExtraction per article (hand-labelled)
    gold/briefing.json        the merged Briefing (hand-folded)

Articles are found in one of two ways:

* ``"articles_dir"``: a folder inside the repository (relative to the repository root), e.g.
  the fictional ``examples/harbor-accord``;
* ``"articles_env"``: articles kept *outside* the repository (other people's writing, such as
  the seeds): the folder comes from ``--articles-dir``, else the named environment variable
  (``SUMMARIZER_SEEDS``), else ``"default_articles_dir"`` (relative to the repository root).

A case whose articles folder is absent is **skipped**, with the reason, never failed: CI
without the seeds still runs the example. A folder that exists but lacks a listed article is an
:class:`~summarizer.errors.InputError` naming the file (the wrong folder was given).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from summarizer.errors import InputError
from summarizer.extract.grounding import verify
from summarizer.ingest.articles import Article, read_article
from summarizer.schema import ArticleExtraction, Briefing

BRIEFING_FILE = "briefing.json"
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Case:
    """One labelled event: its articles and their gold."""

    name: str
    folder: Path
    articles: tuple[Article, ...]
    gold_articles: Mapping[str, ArticleExtraction]
    gold_briefing: Briefing
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def texts(self) -> dict[str, str]:
        """Article id -> text, for verifying quotes."""
        return {a.id: a.text for a in self.articles}

    @property
    def title(self) -> str | None:
        return self.gold_briefing.event.title or None


@dataclass(frozen=True)
class Skipped:
    """A case that was not run, and why (printed, and kept in the reports)."""

    name: str
    reason: str


def repo_root(start: Path) -> Path:
    """The nearest folder above ``start`` holding ``pyproject.toml`` (else the current one)."""
    for folder in [start, *start.parents]:
        if (folder / "pyproject.toml").is_file():
            return folder
    return Path.cwd()


def _read_json(path: Path) -> Any:
    if not path.is_file():
        raise InputError(path, "no such file")
    try:
        return json.loads(path.read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(path, f"not valid JSON ({exc})") from exc


def _model(path: Path, model: type[M]) -> M:
    data = _read_json(path)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3])
        raise InputError(path, f"not a valid {model.__name__} ({first})") from exc


def articles_folder(
    meta: Mapping[str, Any], root: Path, *, override: Path | None, env: Mapping[str, str]
) -> tuple[Path | None, str]:
    """Where a case's articles are, and a phrase saying where that came from."""
    if meta.get("articles_dir"):
        return root / str(meta["articles_dir"]), "case.json articles_dir"
    variable = str(meta.get("articles_env") or "")
    if override is not None:
        return override, "--articles-dir"
    if variable and env.get(variable):
        return Path(env[variable]), f"${variable}"
    if meta.get("default_articles_dir"):
        return root / str(meta["default_articles_dir"]), "case.json default_articles_dir"
    return None, f"--articles-dir or ${variable or 'SUMMARIZER_SEEDS'}"


def _article_names(meta: Mapping[str, Any], gold_dir: Path) -> list[str]:
    listed = meta.get("articles")
    if isinstance(listed, list) and listed:
        return [str(x) for x in listed]
    return sorted(p.stem for p in gold_dir.glob("*.json") if p.name != BRIEFING_FILE)


def _load_article(folder: Path, name: str) -> Article:
    path = folder / name
    if not path.suffix:
        matches = sorted(folder.glob(f"{name}.*"))
        path = matches[0] if matches else path
    if not path.is_file():
        raise InputError(path, "listed in case.json but not in the articles folder")
    found = read_article(path)
    if len(found) != 1:
        raise InputError(path, "an evaluation article file must hold exactly one article")
    return found[0]


def load_case(
    folder: Path,
    *,
    articles_dir: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Case | Skipped:
    """Load one case folder, or say why it is skipped."""
    meta = _read_json(folder / "case.json")
    if not isinstance(meta, dict):
        raise InputError(folder / "case.json", "must be a JSON object")
    name = str(meta.get("name") or folder.name)
    where, origin = articles_folder(
        meta, repo_root(folder), override=articles_dir, env=os.environ if env is None else env
    )
    if where is None or not where.is_dir():
        shown = where if where is not None else "(not set)"
        return Skipped(
            name,
            f"articles folder {shown} not found (from {origin}); "
            "pass --articles-dir or set SUMMARIZER_SEEDS",
        )
    gold_dir = folder / str(meta.get("gold_dir") or "gold")
    names = _article_names(meta, gold_dir)
    articles = tuple(_load_article(where, n) for n in names)
    gold = {a.id: _model(gold_dir / f"{a.id}.json", ArticleExtraction) for a in articles}
    briefing = _model(gold_dir / BRIEFING_FILE, Briefing)
    return Case(name, folder, articles, gold, briefing, meta)


def discover(
    cases_dir: Path,
    *,
    names: Sequence[str] = (),
    articles_dir: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> tuple[list[Case], list[Skipped]]:
    """Every case under ``cases_dir`` (or only ``names``), loaded or skipped."""
    if not cases_dir.is_dir():
        raise InputError(cases_dir, "no such cases folder")
    folders = sorted(p.parent for p in cases_dir.glob("*/case.json"))
    if names:
        known = {f.name: f for f in folders}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise InputError(
                cases_dir,
                f"no case named {', '.join(unknown)} (cases: {', '.join(sorted(known)) or 'none'})",
            )
        folders = [known[n] for n in names]
    cases: list[Case] = []
    skipped: list[Skipped] = []
    for folder in folders:
        loaded = load_case(folder, articles_dir=articles_dir, env=env)
        if isinstance(loaded, Skipped):
            skipped.append(loaded)
        else:
            cases.append(loaded)
    return cases, skipped


def gold_problems(case: Case) -> list[str]:
    """Gold evidence that does not verify against the article text (should be none)."""
    return [
        f"{case.name}/{sid} {problem}"
        for sid, gold in case.gold_articles.items()
        for problem in verify(gold, case.texts.get(sid, ""))
    ]
