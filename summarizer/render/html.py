"""Briefing -> one self-contained HTML report, with every quote highlighted in its article.

The report is a single file: its CSS and JavaScript are inline and it loads nothing, so it opens
offline. It shows the briefing's sections (summary, actors, positions by actor, commitments,
open questions, disagreements, sources) beside the articles' texts. Every evidence quote is
marked in its article; clicking an item scrolls to its quote and highlights it, and the reader
can filter the items by actor and by source. Without JavaScript, each quote link still jumps to
the quote (``#ev-N``).

The article texts are the texts offsets refer to: given as ``texts`` (source id -> text), else
read again from ``Source.path`` through :mod:`summarizer.ingest.articles` (so an HTML page is
extracted
again). An evidence whose ``text[start:end]`` is not its quote (the file changed, or is gone) is
shown as a plain quote, never marked at the wrong place.

Safety: everything that comes from an article or a model is escaped by Jinja's autoescape; a
link is only made from an ``http(s)`` URL; and a Content-Security-Policy allows no script or
style but the report's own (by hash), so markup hidden in an article cannot run even if it got
through.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from summarizer.errors import ConfigError, InputError
from summarizer.ingest.articles import ARTICLE_SUFFIXES, Article, read_article
from summarizer.render.common import aliases, counts_line, positions_by_actor, quoted
from summarizer.schema import Briefing, Claim, Evidence, Source

TEMPLATE = "report.html.j2"
_SCRIPT_HASH = "__SUMMARIZER_SCRIPT_HASH__"
_STYLE_HASH = "__SUMMARIZER_STYLE_HASH__"


@dataclass
class EvidenceView:
    """One quote, numbered across the report; ``linked`` when it is marked in its article."""

    n: int
    source: str
    src: str
    quote: str
    start: int | None
    end: int | None
    linked: bool


@dataclass
class ItemView:
    """One briefing item as the template shows it: the model object plus filter keys."""

    obj: Any
    actor: str
    srcs: str
    sources: list[str]
    evidence: list[EvidenceView]

    @property
    def ev_numbers(self) -> str:
        return " ".join(str(e.n) for e in self.evidence if e.linked)


@dataclass
class Segment:
    """A run of article text; ``evs`` lists the quotes covering it, ``anchors`` those starting
    here."""

    text: str
    evs: str = ""
    anchors: list[int] = field(default_factory=list)


@dataclass
class ArticleView:
    src: str
    source: Source
    segments: list[Segment]
    available: bool


@dataclass
class ActorGroup:
    key: str
    name: str
    items: list[ItemView]


class _Report:
    """Builds the template's view of a briefing: numbered evidence, filter keys, segments."""

    def __init__(self, briefing: Briefing, texts: Mapping[str, str]) -> None:
        self.briefing = briefing
        self.texts = texts
        self.src = {s.id: f"s{n}" for n, s in enumerate(briefing.sources)}
        self.evidence: list[EvidenceView] = []
        self.actor_keys: dict[str, str] = {}
        self.actor_names: dict[str, str] = {}
        self._index_actors()

    def _index_actors(self) -> None:
        names = [a.name for a in self.briefing.actors]
        extra = [p.actor for p in self.briefing.positions]
        extra += [c.actor for c in self.briefing.commitments]
        for n, name in enumerate(dict.fromkeys([*names, *extra])):
            self.actor_names[f"a{n}"] = name
        by_name = {name.casefold(): key for key, name in self.actor_names.items()}
        for actor in self.briefing.actors:
            key = by_name[actor.name.casefold()]
            for alias in [actor.name, *actor.aliases]:
                self.actor_keys.setdefault(alias.casefold(), key)
        for name_key, key in by_name.items():
            self.actor_keys.setdefault(name_key, key)

    def actor_key(self, name: str | None) -> str:
        return self.actor_keys.get((name or "").casefold(), "")

    def src_key(self, source: str) -> str:
        if source not in self.src:
            self.src[source] = f"s{len(self.src)}"
        return self.src[source]

    def add_evidence(
        self, source: str, quote: str, start: int | None, end: int | None
    ) -> EvidenceView:
        text = self.texts.get(source)
        linked = (
            text is not None
            and start is not None
            and end is not None
            and start < end
            and text[start:end] == quote
        )
        view = EvidenceView(
            len(self.evidence) + 1, source, self.src_key(source), quote, start, end, linked
        )
        self.evidence.append(view)
        return view

    def item(
        self, obj: Any, actor: str | None, sources: Iterable[str], evidence: Iterable[Evidence]
    ) -> ItemView:
        views = [self.add_evidence(e.source, e.quote, e.start, e.end) for e in evidence]
        ids = list(dict.fromkeys([*sources, *(v.source for v in views)]))
        srcs = " ".join(self.src_key(s) for s in ids)
        return ItemView(obj, self.actor_key(actor), srcs, ids, views)

    def claims(self, obj: Any, claims: Sequence[Claim]) -> ItemView:
        views = [self.add_evidence(c.source, c.quote, c.start, c.end) for c in claims]
        ids = list(dict.fromkeys(c.source for c in claims))
        return ItemView(obj, "", " ".join(self.src_key(s) for s in ids), ids, views)


def _position_groups(report: _Report) -> list[ActorGroup]:
    b = report.briefing
    items = [report.item(p, p.actor, p.sources, p.evidence) for p in b.positions]
    return [
        ActorGroup(report.actor_key(name), name, [items[n] for n in indexes])
        for name, indexes in positions_by_actor(b)
    ]


def segments(text: str, spans: Sequence[EvidenceView]) -> list[Segment]:
    """Cut ``text`` at every quote boundary; each piece knows which quotes cover it."""
    marks = [
        (e.start, e.end, e.n)
        for e in spans
        if e.linked and e.start is not None and e.end is not None
    ]
    cuts = sorted({0, len(text), *(m[0] for m in marks), *(m[1] for m in marks)})
    out: list[Segment] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        covering = [n for s, e, n in marks if s <= a and b <= e]
        starting = [n for s, _, n in marks if s == a]
        out.append(Segment(text[a:b], " ".join(map(str, covering)), starting))
    return out


def _articles(report: _Report) -> list[ArticleView]:
    views = []
    for source in report.briefing.sources:
        text = report.texts.get(source.id)
        spans = [e for e in report.evidence if e.source == source.id]
        segs = segments(text, spans) if text is not None else []
        views.append(ArticleView(report.src_key(source.id), source, segs, text is not None))
    return views


def safe_url(url: str | None) -> str | None:
    """Only ``http(s)`` URLs become links (no ``javascript:``)."""
    if url and re.match(r"^https?://[^\s\"'<>]+$", url, re.IGNORECASE):
        return url
    return None


def view_model(briefing: Briefing, texts: Mapping[str, str]) -> dict[str, Any]:
    """Everything the template needs, in the order the sections appear."""
    report = _Report(briefing, texts)
    actors = [report.item(a, a.name, a.sources, []) for a in briefing.actors]
    groups = _position_groups(report)
    commitments = [report.item(c, c.actor, c.sources, c.evidence) for c in briefing.commitments]
    questions = [report.item(q, None, q.sources, q.evidence) for q in briefing.open_questions]
    conflicts = [report.claims(c, c.claims) for c in briefing.conflicts]
    return {
        "b": briefing,
        "title": briefing.event.title or "Briefing",
        "counts": counts_line(briefing),
        "actors": actors,
        "aliases": aliases,
        "groups": groups,
        "commitments": commitments,
        "questions": questions,
        "conflicts": conflicts,
        "articles": _articles(report),
        "actor_options": list(report.actor_names.items()),
        "source_keys": report.src,
        "safe_url": safe_url,
        "quoted": quoted,
        "unlinked": sum(1 for e in report.evidence if not e.linked),
    }


# ---------------------------------------------------------------------------------------------
# Article texts, template, rendering.
# ---------------------------------------------------------------------------------------------


def load_texts(sources: Iterable[Source], base: Path | None = None) -> dict[str, str]:
    """Article texts read again from each ``Source.path`` (relative paths from ``base``, else
    the current folder); a source whose file cannot be read is left out."""
    cache: dict[Path, list[Article]] = {}
    texts: dict[str, str] = {}
    for source in sources:
        if not source.path:
            continue
        path = Path(source.path)
        if path.suffix.lower() not in ARTICLE_SUFFIXES:
            continue  # only article files are ever read back
        if not path.is_absolute() and base is not None:
            path = base / path
        if path not in cache:
            try:
                cache[path] = read_article(path)
            except InputError:
                cache[path] = []
        found = _pick(cache[path], source.id)
        if found is not None:
            texts[source.id] = found.text
    return texts


def _verified(briefing: Briefing, texts: dict[str, str]) -> dict[str, str]:
    """Keep a text read from disk only if the briefing's evidence for that source is at its
    offsets in it: a wrong, moved or unrelated file (a ``path`` naming some other local file)
    is never embedded in the report."""
    spans: dict[str, list[tuple[int, int, str]]] = {}
    for item in [
        *briefing.positions,
        *briefing.commitments,
        *briefing.open_questions,
        *briefing.facts,
    ]:
        for ev in item.evidence:
            spans.setdefault(ev.source, []).append((ev.start, ev.end, ev.quote))
    return {
        sid: text
        for sid, text in texts.items()
        if spans.get(sid) and all(text[a:b] == q for a, b, q in spans[sid])
    }


def _pick(articles: Sequence[Article], source_id: str) -> Article | None:
    for article in articles:
        if article.id == source_id:
            return article
    return articles[0] if len(articles) == 1 else None


def _load_template(name: str) -> str:
    try:
        return resources.files("summarizer.render").joinpath("templates", name).read_text("utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"template {name!r} is missing from the package") from exc


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(_load_template),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _csp_hash(html: str, tag: str) -> str:
    """The CSP hash of the report's own (last) ``<tag>`` block; article text is escaped, so the
    template's blocks are the only raw ones."""
    opening = html.rindex(f"<{tag}>") + len(tag) + 2
    body = html[opening : html.index(f"</{tag}>", opening)]
    digest = hashlib.sha256(body.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def to_html(
    briefing: Briefing, texts: Mapping[str, str] | None = None, *, base: Path | None = None
) -> str:
    """The self-contained HTML report. ``texts`` maps source id -> article text; sources not in
    it are read from ``Source.path`` (relative to ``base``, else the current folder)."""
    given = dict(texts or {})
    missing = [s for s in briefing.sources if s.id not in given]
    all_texts = {**_verified(briefing, load_texts(missing, base)), **given}
    html = _environment().get_template(TEMPLATE).render(**view_model(briefing, all_texts))
    html = html.lstrip()
    html = html.replace(_SCRIPT_HASH, _csp_hash(html, "script"), 1)
    return html.replace(_STYLE_HASH, _csp_hash(html, "style"), 1)
