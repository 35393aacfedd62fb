"""Does every quote still stand where the briefing says? ``summarizer verify``.

Each source records the SHA-256 of the text its offsets refer to; each quote its start and
end. Verifying reads each article again (from ``Source.path``, or by file name or id from
another folder), and names every problem: the file is missing or unreadable, it was edited
since (its hash differs, even where a quote still matches), or a quote is no longer at its
offsets (moved, or gone).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from summarizer.errors import SummarizerError
from summarizer.ingest.articles import article_files, article_text
from summarizer.schema import ITEM_KINDS, Briefing, Source


@dataclass(frozen=True)
class Problem:
    source: str
    what: str

    def __str__(self) -> str:
        return f"{self.source}: {self.what}"


@dataclass
class Verification:
    sources: int = 0
    quotes: int = 0
    verified: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _quotes(b: Briefing) -> Iterator[tuple[str, str, int | None, int | None, str]]:
    """(source, quote, start, end, where) of every quote in the briefing."""
    for kind in ITEM_KINDS:
        for n, item in enumerate(getattr(b, kind), 1):
            for ev in item.evidence:
                yield ev.source, ev.quote, ev.start, ev.end, f"{kind} #{n}"
    for n, conflict in enumerate(b.conflicts, 1):
        for claim in conflict.claims:
            yield claim.source, claim.quote, claim.start, claim.end, f"conflict #{n}"


def _locate(source: Source, folder: Path | None) -> Path | None:
    if folder is None:
        return Path(source.path) if source.path else None
    named = folder / Path(source.path).name if source.path else None
    if named is not None and named.is_file():
        return named
    for path in article_files(folder):
        if path.stem == source.id:
            return path
    return named


def verify(briefing: Briefing, articles: Path | None = None) -> Verification:
    """Check every quote of ``briefing`` against its article (see the module docstring)."""
    out = Verification(sources=len(briefing.sources))
    texts: dict[str, str | None] = {}
    for source in briefing.sources:
        path = _locate(source, articles)
        if path is None or not path.is_file():
            texts[source.id] = None
            out.problems.append(Problem(source.id, f"file missing: {path or '(no path)'}"))
            continue
        try:
            article = article_text(path, source.id if path.suffix in (".json", ".jsonl") else None)
        except SummarizerError as exc:
            texts[source.id] = None
            out.problems.append(Problem(source.id, f"unreadable: {exc}"))
            continue
        texts[source.id] = article.text
        if source.sha256 and article.digest != source.sha256:
            out.problems.append(Problem(source.id, f"edited since the briefing was made: {path}"))
    for sid, quote, start, end, where in _quotes(briefing):
        out.quotes += 1
        text = texts.get(sid)
        if text is None:
            continue  # its file is already named
        if start is not None and end is not None and text[start:end] == quote:
            out.verified += 1
            continue
        at = text.find(quote)
        moved = f"moved to {at}-{at + len(quote)}" if at >= 0 else "no longer in the article"
        out.problems.append(Problem(sid, f"{where}: quote at {start}-{end} {moved}"))
    return out
