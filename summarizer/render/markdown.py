"""Briefing -> Markdown. Pure functions; writing files is the caller's business.

The Markdown briefing reads top down, the way an analyst scans: summary, who is involved, what
each actor wants, who promised what (a table), what is still open, where outlets disagree, and
the sources. Every item keeps its evidence as short verbatim quotes with the source id and the
character offsets (``text[start:end] == quote``) so it can be checked.

Article-derived text is escaped so that a quote cannot inject markup (links, HTML, table breaks)
into the rendered briefing. The HTML report lives in :mod:`summarizer.render.html`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from summarizer.render.common import (
    aliases,
    counts_line,
    positions_by_actor,
    quoted,
    usage_line,
)
from summarizer.schema import Briefing, Evidence

QUOTES_PER_ITEM = 3
QUOTE_MAX_CHARS = 240

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|!~])")


def md_escape(text: str) -> str:
    """Escape Markdown/HTML control characters and flatten line breaks."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def md_code(text: str) -> str:
    """``text`` as an inline code span (ids, paths), whatever backticks it holds."""
    flat = " ".join(text.split()) or " "
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def _short(quote: str) -> str:
    flat = " ".join(quote.split())
    if len(flat) <= QUOTE_MAX_CHARS:
        return flat
    return flat[: QUOTE_MAX_CHARS - 1].rsplit(" ", 1)[0] + " …"


def _quote_line(source: str, quote: str, start: int | None, end: int | None) -> str:
    where = f" {start}–{end}" if start is not None and end is not None else ""
    return f"{md_code(source)}{where}: {md_escape(quoted(_short(quote)))}"


def _evidence_lines(evidence: Sequence[Evidence], indent: str = "  ") -> list[str]:
    """Nested bullets: one verbatim quote per line, with source id and offsets."""
    lines = [
        f"{indent}- {_quote_line(ev.source, ev.quote, ev.start, ev.end)}"
        for ev in evidence[:QUOTES_PER_ITEM]
    ]
    if len(evidence) > QUOTES_PER_ITEM:
        more = len(evidence) - QUOTES_PER_ITEM
        lines.append(f"{indent}- … and {more} more quote{'s' if more > 1 else ''} (see JSON)")
    return lines


def _sources(sources: Iterable[str]) -> str:
    ids = list(dict.fromkeys(sources))
    if not ids:
        return ""
    label = "source" if len(ids) == 1 else f"{len(ids)} sources"
    return f"{label}: " + ", ".join(md_code(s) for s in ids)


def to_markdown(briefing: Briefing) -> str:
    """A readable briefing: what an analyst scans first comes first."""
    out: list[str] = [f"# {md_escape(briefing.event.title or 'Briefing')}", ""]
    out += _notices(briefing)
    out += _summary_section(briefing)
    out += _actors_section(briefing)
    out += _positions_section(briefing)
    out += _commitments_section(briefing)
    out += _questions_section(briefing)
    out += _conflicts_section(briefing)
    out += _sources_section(briefing)
    return "\n".join(out).rstrip() + "\n"


def _notices(b: Briefing) -> list[str]:
    lines: list[str] = []
    if b.notice:
        lines += [f"> **Note:** {md_escape(b.notice)}", ""]
    if b.missing_sources:
        missing = ", ".join(md_code(s) for s in b.missing_sources)
        lines += [f"> **Partial briefing:** these sources failed and are missing: {missing}", ""]
    for gap in b.gaps:
        lines += [f"> **Partial briefing:** {md_code(gap.source)}: {md_escape(gap.reason)}", ""]
    return lines


def _summary_section(b: Briefing) -> list[str]:
    lines = ["## Summary", ""]
    if b.event.summary:
        lines += [md_escape(b.event.summary), ""]
    line = counts_line(b)
    return [*lines, f"*{line}*", ""] if line else lines


def _actors_section(b: Briefing) -> list[str]:
    if not b.actors:
        return []
    lines = ["## Actors", "", "| Actor | Role | Also called | Sources |", "|---|---|---|---|"]
    for a in b.actors:
        role = a.role or ", ".join(a.roles)
        if a.affiliation and a.affiliation.split()[-1].casefold() not in role.casefold():
            role = f"{role} ({a.affiliation})" if role else a.affiliation
        cells = [
            f"**{md_escape(a.name)}**",
            md_escape(role),
            ", ".join(md_escape(x) for x in aliases(a)),
            str(len(set(a.sources))),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


def _positions_section(b: Briefing) -> list[str]:
    if not b.positions:
        return []
    lines = ["## Positions", ""]
    for actor, indexes in positions_by_actor(b):
        lines += [f"### {md_escape(actor)}", ""]
        for n in indexes:
            p = b.positions[n]
            via = f" *(according to {md_escape(p.attributed_by)})*" if p.attributed_by else ""
            named = "" if p.actor == actor else f" *(as {md_escape(p.actor)})*"
            lines.append(
                f"- **{md_escape(p.issue)}** — {p.polarity}: {md_escape(p.stance)}{via}{named}"
                f" · {_sources(p.sources)}"
            )
            lines += _evidence_lines(p.evidence)
        lines.append("")
    return lines


def _commitments_section(b: Briefing) -> list[str]:
    if not b.commitments:
        return []
    lines = [
        "## Commitments",
        "",
        "| # | Who | To whom | What | Conditions | Timeframe | Status | Sources |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for n, c in enumerate(b.commitments, 1):
        timeframe = c.timeframe or ""
        if c.date and c.date not in timeframe:
            timeframe = f"{timeframe} ({c.date})" if timeframe else c.date
        cells = [
            md_escape(c.actor),
            md_escape(c.beneficiary or ""),
            md_escape(c.action),
            "; ".join(md_escape(x) for x in c.conditions),
            md_escape(timeframe),
            c.status + ("" if c.modality == "future" else f" ({c.modality})"),
            ", ".join(md_code(s) for s in dict.fromkeys(c.sources)),
        ]
        lines.append(f"| {n} | " + " | ".join(cells) + " |")
    lines += ["", "Evidence for the commitments:", ""]
    for n, c in enumerate(b.commitments, 1):
        lines.append(f"{n}. {md_escape(c.actor)}: {md_escape(c.action)}")
        lines += _evidence_lines(c.evidence, indent="   ")
    return [*lines, ""]


def _questions_section(b: Briefing) -> list[str]:
    if not b.open_questions:
        return []
    lines = ["## Open questions", ""]
    for q in b.open_questions:
        reason = q.reason.replace("_", " ")
        lines.append(f"- **{md_escape(q.question)}** — {reason} · {_sources(q.sources)}")
        lines += _evidence_lines(q.evidence)
    return [*lines, ""]


def _conflicts_section(b: Briefing) -> list[str]:
    if not b.conflicts:
        return []
    lines = ["## Where sources disagree", ""]
    for c in b.conflicts:
        kind = f" ({md_escape(c.kind)})" if c.kind and c.kind != "value" else ""
        lines += [
            f"### {md_escape(c.topic)}{kind}",
            "",
        ]
        if c.note:
            lines += [f"*Note: {md_escape(c.note)}*", ""]
        lines += ["| Source | Says | Quote | Where |", "|---|---|---|---|"]
        for claim in c.claims:
            where = f"{claim.start}–{claim.end}" if claim.start is not None else ""
            quote = md_escape(quoted(_short(claim.quote)))
            says = md_escape(claim.value) + (f" ({claim.resolved})" if claim.resolved else "")
            cells = [md_code(claim.source), says, quote, where]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return lines


def _sources_section(b: Briefing) -> list[str]:
    lines = ["## Sources", ""]
    if b.sources:
        lines += ["| Id | Title | Outlet | Date | File |", "|---|---|---|---|---|"]
        for s in b.sources:
            cells = [
                md_code(s.id),
                md_escape(s.title),
                md_escape(s.outlet),
                md_escape(s.date or ""),
                md_code(s.path) if s.path else "",
            ]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    for failure in b.failures:
        lines.append(f"- failed: {md_code(failure.source)}: {md_escape(failure.reason)}")
    if b.dropped:
        lines.append(
            f"{len(b.dropped)} item(s) were dropped because their quote could not be found "
            "in the article."
        )
    lines.append(
        "Offsets are character positions in each article's text: `text[start:end]` is the quote."
    )
    if b.model:
        lines += ["", f"Model: {md_escape(b.model)}"]
    if b.merged_by:
        lines += ["", f"Merged by: {md_escape(b.merged_by)}"]
    if b.usage.calls:
        lines += ["", f"Model usage: {md_escape(usage_line(b.usage) or str(b.usage.calls))}"]
    return [*lines, ""]
