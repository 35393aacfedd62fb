"""What the Markdown and HTML renderings share: how a quote is shown, an actor's other names,
the counts line, and positions grouped under each listed actor. Pure functions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from summarizer.schema import Actor, Briefing, Usage

QUOTE_CHARS = "\"'“”‘’«»„"


def quoted(quote: str) -> str:
    """The quote in curly quotes, unless it already starts or ends with a quotation mark."""
    if quote[:1] in QUOTE_CHARS or quote[-1:] in QUOTE_CHARS:
        return quote
    return f"“{quote}”"


def aliases(actor: Actor) -> list[str]:
    """The other names an actor goes by, without its own name and without repeats."""
    seen = {actor.name.casefold()}
    out: list[str] = []
    for alias in actor.aliases:
        key = alias.strip().casefold()
        if key and key not in seen:
            seen.add(key)
            out.append(alias.strip())
    return out


def counts_line(b: Briefing) -> str:
    """ "5 sources · 12 actors · ..." (the sections that have something)."""
    counts = [
        (len(b.sources), "source"),
        (len(b.actors), "actor"),
        (len(b.positions), "position"),
        (len(b.commitments), "commitment"),
        (len(b.open_questions), "open question"),
        (len(b.conflicts), "disagreement"),
    ]
    return " · ".join(f"{n} {word}{'' if n == 1 else 's'}" for n, word in counts if n)


def canonical_names(b: Briefing) -> dict[str, str]:
    """Every actor name and alias (case-folded) -> the actor's name in the actors list."""
    names: dict[str, str] = {}
    for actor in b.actors:
        names.setdefault(actor.name.casefold(), actor.name)
    for actor in b.actors:
        for alias in actor.aliases:
            names.setdefault(alias.strip().casefold(), actor.name)
    return names


def positions_by_actor(b: Briefing) -> list[tuple[str, list[int]]]:
    """Position indexes grouped under each actor's listed name (aliases folded), in the order
    of the actors list."""
    names = canonical_names(b)
    groups: dict[str, list[int]] = defaultdict(list)
    for n, p in enumerate(b.positions):
        groups[names.get(p.actor.strip().casefold(), p.actor)].append(n)
    return [(name, groups[name]) for name in actor_order(b, groups)]


def actor_order(b: Briefing, names: Iterable[str]) -> list[str]:
    """``names`` in the order of the actors list, unknown names after, first seen first."""
    rank = {a.name: n for n, a in enumerate(b.actors)}
    unique = list(dict.fromkeys(names))
    return sorted(unique, key=lambda name: (rank.get(name, len(rank)), unique.index(name)))


def usage_line(usage: Usage) -> str:
    """'extraction 5 calls, 13,399 + 10,025 tokens · merge ...' (prompt + completion; cached
    prompt tokens when the server reported any)."""
    parts = []
    for kind, u in sorted(usage.by_kind.items()):
        cached = f" ({u.cached_tokens:,} cached)" if u.cached_tokens else ""
        parts.append(
            f"{kind} {u.calls} call{'s' * (u.calls != 1)}, "
            f"{u.prompt_tokens:,}{cached} + {u.completion_tokens:,} tokens"
        )
    return " · ".join(parts)
