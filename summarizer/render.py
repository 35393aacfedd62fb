"""Briefing -> JSON / Markdown text. Pure functions; writing files is the caller's business.

Markdown output escapes article-derived text so that a quote cannot inject markup (links,
HTML, table breaks) into the rendered briefing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from summarizer.schema import Briefing, Evidence

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|!])")


def md_escape(text: str) -> str:
    """Escape Markdown/HTML control characters and flatten line breaks."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def to_json(briefing: Briefing) -> str:
    return briefing.model_dump_json(indent=2) + "\n"


def _cite(evidence: Iterable[Evidence], limit: int = 3) -> str:
    parts = []
    for ev in list(evidence)[:limit]:
        parts.append(f'[{md_escape(ev.source)} {ev.start}-{ev.end}] "{md_escape(ev.quote)}"')
    return "; ".join(parts)


def _support(sources: list[str]) -> str:
    n = len(set(sources))
    return "1 source" if n == 1 else f"{n} sources"


def to_markdown(briefing: Briefing) -> str:
    """A readable briefing: what an analyst scans first comes first."""
    out: list[str] = []
    title = briefing.event.title or "Briefing"
    out.append(f"# {md_escape(title)}\n")
    if briefing.notice:
        out.append(f"> **Note:** {md_escape(briefing.notice)}\n")
    if briefing.partial:
        missing = ", ".join(md_escape(s) for s in briefing.missing_sources)
        out.append(f"> **Partial briefing:** these sources failed and are missing: {missing}\n")
    if briefing.event.summary:
        out.append(md_escape(briefing.event.summary) + "\n")
    out += _actors_section(briefing)
    out += _positions_section(briefing)
    out += _commitments_section(briefing)
    out += _questions_section(briefing)
    out += _conflicts_section(briefing)
    out += _sources_section(briefing)
    return "\n".join(out).rstrip() + "\n"


def _actors_section(b: Briefing) -> list[str]:
    if not b.actors:
        return []
    lines = ["## Actors\n"]
    for a in b.actors:
        role = f", {md_escape(a.role)}" if a.role else ""
        aka = f" (also: {', '.join(md_escape(x) for x in a.aliases)})" if a.aliases else ""
        lines.append(f"- **{md_escape(a.name)}**{role}{aka} [{_support(a.sources)}]")
    return [*lines, ""]


def _positions_section(b: Briefing) -> list[str]:
    if not b.positions:
        return []
    by_actor: dict[str, list[int]] = defaultdict(list)
    for n, p in enumerate(b.positions):
        by_actor[p.actor].append(n)
    lines = ["## Positions\n"]
    for actor, indexes in by_actor.items():
        lines.append(f"### {md_escape(actor)}\n")
        for n in indexes:
            p = b.positions[n]
            via = f" (according to {md_escape(p.attributed_by)})" if p.attributed_by else ""
            lines.append(
                f"- **{md_escape(p.issue)}** ({p.polarity}){via}: {md_escape(p.stance)} "
                f"[{_support(p.sources)}] — {_cite(p.evidence)}"
            )
        lines.append("")
    return lines


def _commitments_section(b: Briefing) -> list[str]:
    if not b.commitments:
        return []
    lines = [
        "## Commitments\n",
        "| Who | To whom | What | Conditions | Timeframe | Status | Sources |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in b.commitments:
        cells = [
            c.actor,
            c.beneficiary or "",
            c.action,
            "; ".join(c.conditions),
            c.timeframe or "",
            c.status,
            ", ".join(sorted(set(c.sources))),
        ]
        lines.append("| " + " | ".join(md_escape(x) for x in cells) + " |")
    lines.append("")
    for n, c in enumerate(b.commitments, 1):
        lines.append(f"{n}. {md_escape(c.actor)} — {_cite(c.evidence)}")
    return [*lines, ""]


def _questions_section(b: Briefing) -> list[str]:
    if not b.open_questions:
        return []
    lines = ["## Open questions\n"]
    for q in b.open_questions:
        lines.append(
            f"- {md_escape(q.question)} ({q.reason.replace('_', ' ')}) "
            f"[{_support(q.sources)}] — {_cite(q.evidence)}"
        )
    return [*lines, ""]


def _conflicts_section(b: Briefing) -> list[str]:
    if not b.conflicts:
        return []
    lines = ["## Where sources disagree\n"]
    for c in b.conflicts:
        lines.append(f"- **{md_escape(c.topic)}**")
        for claim in c.claims:
            source, value = md_escape(claim.source), md_escape(claim.value)
            lines.append(f'  - {source}: {value} — "{md_escape(claim.quote)}"')
    return [*lines, ""]


def _sources_section(b: Briefing) -> list[str]:
    lines = ["## Sources\n"]
    for s in b.sources:
        bits = [x for x in (s.outlet, s.date, s.path) if x]
        extra = f" ({', '.join(md_escape(x) for x in bits)})" if bits else ""
        lines.append(f"- `{s.id}`: {md_escape(s.title)}{extra}")
    if b.dropped:
        lines.append(
            f"\n{len(b.dropped)} item(s) were dropped because their quote could not be found "
            "in the article."
        )
    if b.model:
        lines.append(f"\nModel: {md_escape(b.model)}")
    return [*lines, ""]
