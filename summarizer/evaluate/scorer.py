"""Score predicted items against hand-labelled gold, and say why each miss is a miss.

Pure: no I/O, no model. The method is template-filling evaluation (MUC / CEAF style):

1. **Actors are resolved through the gold's aliases.** A predicted actor string ("Mr. Voronov",
   "the Valdorian president", "Zelenskiy") is looked up in the gold actor table: an alias as
   written, then the same surname with compatible given names (transliteration folded), then a
   role such as "the Kestrel premier", then a near spelling of the surname ("Voronoff").
   An ambiguous string ("Brandt" when two Brandts exist) keeps every candidate.
2. **Items are matched one-to-one** by an optimal assignment
   (:func:`scipy.optimize.linear_sum_assignment`) over a similarity on the fields that identify
   an item -- actor + issue for positions, actor + action for commitments, the question text,
   the topic of a fact. The actor is a **gate**: a position of the wrong actor scores 0 however
   alike the words are. A pair is a match when the similarity reaches ``threshold``.
3. **Lenient** counts every match; **strict** also wants the key attribute right (polarity,
   status, reason, value) and the predicted quote verified in the article
   (``text[start:end] == quote``).
4. Per item type: precision, recall, F1 (lenient and strict); then actor resolution accuracy,
   conflict recall and the grounding rate. The headline is the mean strict F1 of the four item
   types.

Text similarity is rapidfuzz's token-set ratio on lower-cased words, stop words removed, also
tried on crudely stemmed words ("territorial" / "territory"), so that labeller paraphrases
match; an optional embedding function adds cosine similarity. The default threshold (0.65) was
calibrated on "same item?" pairs taken from the example gold (see :func:`calibration_pairs`
and ``eval/README.md``).

The same matcher compares two labellers: :func:`agreement` gives pairwise item F1 and Cohen's
kappa on the attributes of matched items.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, Protocol

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler
from scipy.optimize import linear_sum_assignment

from summarizer.merge.actors import HONORIFICS, acronym, group_keys, initials, parse_name, role_key
from summarizer.merge.dates import CARDINALS
from summarizer.merge.values import SCALES, negated
from summarizer.schema import (
    ITEM_KINDS,
    Actor,
    Briefing,
    Commitment,
    Conflict,
    Evidence,
    Fact,
    Item,
    ItemKind,
    OpenQuestion,
    Position,
    identity,
    key_attribute,
)

Embedder = Callable[[Sequence[str]], Sequence[Sequence[float]]]

DEFAULT_THRESHOLD = 0.65
_TIE_BONUS = 0.01  # prefers, among equally similar pairs, the one whose attributes agree


class Scorable(Protocol):
    """What both :class:`~summarizer.schema.ArticleExtraction` and ``Briefing`` provide."""

    actors: list[Actor]
    positions: list[Position]
    commitments: list[Commitment]
    open_questions: list[OpenQuestion]
    facts: list[Fact]


@dataclass(frozen=True)
class ScoreConfig:
    """How items are matched. ``embed`` (texts -> vectors) is optional and never required."""

    threshold: float = DEFAULT_THRESHOLD
    embed: Embedder | None = None


# --------------------------------------------------------------------------------------------
# Text and value normalisation
# --------------------------------------------------------------------------------------------

_STOP = frozenset(
    """the a an of to on in for and or with by at from is are be will would its their his her
    that this as about over into it was were has have had any""".split()
)
_SUFFIXES = (
    "ational",
    "ations",
    "ation",
    "ities",
    "ity",
    "ial",
    "ing",
    "ies",
    "ied",
    "ed",
    "es",
    "s",
    "al",
    "y",
    "e",
)


def _ascii_lower(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=65536)
def _words(text: str) -> tuple[str, str]:
    """(content words, their stems), each joined by spaces."""
    words = [w for w in re.findall(r"[a-z0-9]+", _ascii_lower(text)) if w not in _STOP]
    return " ".join(words), " ".join(_stem(w) for w in words)


def text_similarity(a: str, b: str) -> float:
    """0..1: token-set similarity of content words, or of their stems, whichever is higher."""
    (wa, sa), (wb, sb) = _words(a), _words(b)
    if not (wa or wb):
        return 1.0 if _ascii_lower(a).strip() == _ascii_lower(b).strip() else 0.0
    return max(fuzz.token_set_ratio(wa, wb), fuzz.token_set_ratio(sa, sb)) / 100.0


_CURRENCIES = {
    "eur": "eur",
    "euro": "eur",
    "euros": "eur",
    "usd": "usd",
    "dollar": "usd",
    "dollars": "usd",
    "gbp": "gbp",
    "pound": "gbp",
    "pounds": "gbp",
}
_SYMBOLS = {"€": " eur ", "$": " usd ", "£": " gbp ", "%": " percent "}


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


@lru_cache(maxsize=65536)
def value_key(value: str) -> str:
    """A comparable form of a value: '€2.4bn' = '2.4 billion euro'; 'two-day' = 'two days'."""
    text = _ascii_lower(value)
    for symbol, word in _SYMBOLS.items():
        text = text.replace(symbol, word)
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    tokens = re.findall(r"\d+(?:\.\d+)?|[a-z]+", text)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        number = float(token) if token[0].isdigit() else CARDINALS.get(token)
        if number is not None:
            scale = SCALES.get(tokens[i + 1]) if i + 1 < len(tokens) else None
            out.append(_number(number * scale) if scale else _number(number))
            i += 2 if scale else 1
            continue
        if token not in _STOP:
            token = _CURRENCIES.get(token, token)
            out.append(token[:-1] if len(token) > 3 and token.endswith("s") else token)
        i += 1
    return " ".join(sorted(out))


def values_agree(a: str, b: str) -> bool:
    """Equal after :func:`value_key`, or nearly equal as text (for worded outcomes)."""
    if negated(a) != negated(b):  # "a deal was reached" is not "no deal was reached"
        return False
    ka, kb = value_key(a), value_key(b)
    if ka == kb:
        return True
    has_digits = any(c.isdigit() for c in ka + kb)
    return not has_digits and fuzz.token_sort_ratio(ka, kb) >= 90


# --------------------------------------------------------------------------------------------
# Actors: alias-aware lookup in the gold
# --------------------------------------------------------------------------------------------


def _name_key(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", _ascii_lower(text.replace("\u2019", "'")))
    words = [w for w in words if w not in HONORIFICS and w not in ("the", "a", "an", "s")]
    return " ".join(words)


def _exact_key(text: str) -> str:
    text = " ".join(_ascii_lower(text.replace("\u2019", "'")).split()).strip(" .,;:'\"")
    return re.sub(r"^(the|a|an) ", "", text)


@dataclass(frozen=True)
class _Form:
    canonical: str
    surname: str
    given: str
    first: str


class ActorTable:
    """The gold actors, looked up by any way a text may name them."""

    def __init__(self, actors: Sequence[Actor]) -> None:
        self.names = tuple(a.name for a in actors)
        self._exact: dict[str, set[str]] = {}
        self._keys: dict[str, set[str]] = {}
        self._groups: dict[str, set[str]] = {}
        self._roles: dict[tuple[str, str], set[str]] = {}
        self._offices: dict[str, set[str]] = {}
        self._persons: list[_Form] = []
        self._initials: dict[str, set[str]] = {}
        for actor in actors:
            self._add(actor)

    def _add(self, actor: Actor) -> None:
        forms = [actor.name, *actor.aliases]
        for form in forms:
            self._exact.setdefault(_exact_key(form), set()).add(actor.name)
            self._keys.setdefault(_name_key(form), set()).add(actor.name)
            for key in group_keys(form):
                self._groups.setdefault(key, set()).add(actor.name)
            letters = initials(form)
            if letters is not None:
                self._initials.setdefault(letters, set()).add(actor.name)
            parsed = parse_name(form, "person" if actor.type == "person" else actor.type)
            if actor.type == "person" and parsed.kind == "name" and parsed.surname:
                given = parsed.given_key
                self._persons.append(_Form(actor.name, parsed.surname_key, given, given[:1]))
            if parsed.role:
                self._add_role(parsed.role, actor)
        for role in {actor.role, *actor.roles} - {None}:
            self._add_role(role, actor)

    def _add_role(self, role: str | None, actor: Actor) -> None:
        key = role_key(role, actor.affiliation)
        if key is not None:
            self._roles.setdefault(key, set()).add(actor.name)
            self._offices.setdefault(actor.name, set()).add(key[0])

    def resolve(self, text: str) -> frozenset[str]:
        """Every gold actor ``text`` may name; empty when none, several when ambiguous."""
        for step in (
            self._by_alias,
            self._by_name,
            self._by_role,
            self._by_group,
            self._by_spelling,
        ):
            found = step(text)
            if found:
                return frozenset(self._narrow_by_office(text, found))
        return frozenset()

    def _narrow_by_office(self, text: str, found: set[str]) -> set[str]:
        """ "President Arvid" when two Arvids exist: the one who holds that office."""
        key = role_key(text)
        if len(found) < 2 or key is None:
            return found
        narrowed = {n for n in found if key[0] in self._offices.get(n, set())}
        return narrowed or found

    def _by_alias(self, text: str) -> set[str]:
        exact = self._exact.get(_exact_key(text))
        if exact:
            return exact  # a form the gold lists is authoritative ("Mr. Arvid")
        found = self._keys.get(_name_key(text), set())
        parsed = parse_name(text)
        if found and parsed.kind == "name" and not parsed.given:
            found = found | self._by_name(text)  # a bare surname may name several people
        return found

    def _by_name(self, text: str) -> set[str]:
        parsed = parse_name(text)
        if parsed.kind != "name" or not parsed.surname:
            return set()
        given = parsed.given_key
        return {
            f.canonical
            for f in self._persons
            if f.surname == parsed.surname_key
            and (
                not given
                or not f.given
                or f.given == given
                or (given[:1] == f.first and parsed.initials_only)
            )
        }

    def _by_role(self, text: str) -> set[str]:
        key = role_key(text)
        if key is None:
            return set()
        found = self._roles.get(key, set())
        if not found and not key[1]:  # "the premier": any single actor with that office
            found = {
                n for (office, _), names in self._roles.items() if office == key[0] for n in names
            }
        return found if len(found) == 1 else set()

    def _by_group(self, text: str) -> set[str]:
        """By organisation or collective key; a predicted acronym ("NATO") also finds the one
        gold full name with those initials (one way only: two full names never match)."""
        found: set[str] = set()
        for key in group_keys(text):
            found |= self._groups.get(key, set())
        letters = acronym(text)
        if not found and letters is not None and len(self._initials.get(letters, ())) == 1:
            found = set(self._initials[letters])
        return found

    def _by_spelling(self, text: str) -> set[str]:
        parsed = parse_name(text)
        if parsed.kind != "name" or not parsed.surname:
            return set()
        given = parsed.given_key
        found = {
            f.canonical
            for f in self._persons
            if JaroWinkler.similarity(f.surname, parsed.surname_key) >= 0.9
            and (not given or not f.first or f.first == given[:1])
        }
        return found if len(found) == 1 else set()


def _actor_forms(actors: Sequence[Actor]) -> dict[str, Actor]:
    """Predicted actors by every name they list (to read an item's actor string)."""
    out: dict[str, Actor] = {}
    for actor in actors:
        for form in (actor.name, *actor.aliases):
            out.setdefault(_name_key(form), actor)
    return out


def _resolve_item_actor(
    text: str, table: ActorTable, predicted: Mapping[str, Actor]
) -> frozenset[str]:
    found = table.resolve(text)
    own = predicted.get(_name_key(text))
    if len(found) != 1 and own is not None and own.name != text:
        narrowed = table.resolve(own.name)
        if narrowed and (not found or narrowed <= found):
            return narrowed
    # An actor the gold table does not know is still itself: equal strings may match.
    return found or frozenset({"?" + _name_key(text)})


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


def _ratio(num: int, den: int, empty: float) -> float:
    return num / den if den else empty


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Counts:
    """Counts for one item type; add them up to micro-average over articles or cases."""

    gold: int = 0
    predicted: int = 0
    matched: int = 0
    strict: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.gold + other.gold,
            self.predicted + other.predicted,
            self.matched + other.matched,
            self.strict + other.strict,
        )

    def _p(self, tp: int) -> float:
        return _ratio(tp, self.predicted, 1.0 if self.gold == 0 else 0.0)

    def _r(self, tp: int) -> float:
        return _ratio(tp, self.gold, 1.0 if self.predicted == 0 else 0.0)

    @property
    def precision(self) -> float:
        return self._p(self.matched)

    @property
    def recall(self) -> float:
        return self._r(self.matched)

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)

    @property
    def strict_precision(self) -> float:
        return self._p(self.strict)

    @property
    def strict_recall(self) -> float:
        return self._r(self.strict)

    @property
    def strict_f1(self) -> float:
        return _f1(self.strict_precision, self.strict_recall)


MissSide = Literal["gold", "predicted", "attribute"]


@dataclass(frozen=True)
class Miss:
    """Why one item did not count: not found, not in gold, or matched with a wrong attribute."""

    kind: str
    side: MissSide
    item: str
    why: str
    nearest: str | None = None
    similarity: float | None = None
    source: str | None = None


@dataclass(frozen=True)
class Pair:
    """A matched (gold, predicted) pair's key attribute on each side (for kappa)."""

    kind: str
    gold: str
    predicted: str
    similarity: float


@dataclass
class Scorecard:
    """Everything one comparison (or a sum of them) measured."""

    kinds: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in ITEM_KINDS})
    actors: Counts = field(default_factory=Counts)
    conflicts: Counts = field(default_factory=Counts)
    items_verified: int = 0
    items_checked: int = 0
    items_dropped: int = 0
    misses: list[Miss] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)

    def __add__(self, other: Scorecard) -> Scorecard:
        return Scorecard(
            kinds={k: self.kinds[k] + other.kinds[k] for k in ITEM_KINDS},
            actors=self.actors + other.actors,
            conflicts=self.conflicts + other.conflicts,
            items_verified=self.items_verified + other.items_verified,
            items_checked=self.items_checked + other.items_checked,
            items_dropped=self.items_dropped + other.items_dropped,
            misses=[*self.misses, *other.misses],
            pairs=[*self.pairs, *other.pairs],
        )

    @property
    def headline(self) -> float:
        """Mean strict F1 over the four item types."""
        return sum(self.kinds[k].strict_f1 for k in ITEM_KINDS) / len(ITEM_KINDS)

    @property
    def actor_accuracy(self) -> float:
        """Share of gold actors found as exactly one predicted actor that is no one else."""
        return _ratio(self.actors.strict, self.actors.gold, 1.0)

    @property
    def conflict_recall(self) -> float | None:
        return self.conflicts.recall if self.conflicts.gold else None

    @property
    def grounding(self) -> float | None:
        """Share of produced items (kept + dropped) whose quote verifies in the article."""
        total = self.items_checked + self.items_dropped
        return self.items_verified / total if total else None

    def metrics(self) -> dict[str, float]:
        """Flat numbers, for the JSON report and the baseline."""
        out = {"headline": self.headline, "actor_accuracy": self.actor_accuracy}
        for kind in ITEM_KINDS:
            c = self.kinds[kind]
            out[f"{kind}.f1"] = c.f1
            out[f"{kind}.strict_f1"] = c.strict_f1
        if self.conflict_recall is not None:
            out["conflict_recall"] = self.conflict_recall
        if self.grounding is not None:
            out["grounding"] = self.grounding
        return {k: round(v, 4) for k, v in out.items()}


# --------------------------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------------------------


def _attributes_agree(gold: Item, pred: Item) -> bool:
    if isinstance(gold, Fact) and isinstance(pred, Fact):
        return values_agree(gold.value, pred.value)
    return key_attribute(gold)[1] == key_attribute(pred)[1]


def describe(item: Item) -> str:
    """A one-line label for an item in a list of misses."""
    name, value = key_attribute(item)
    actor = getattr(item, "actor", None)
    head = f"{actor} · {identity(item)}" if actor else identity(item)
    return f"{head} = {value}" if name == "value" else f"{head} [{value}]"


def _quote_ok(evidence: Sequence[Evidence], texts: Mapping[str, str] | None) -> bool:
    if texts is None:
        return bool(evidence)
    for ev in evidence:
        text = texts.get(ev.source)
        if text is not None and ev.quote and text[ev.start : ev.end] == ev.quote:
            return True
    return False


class _Similarity:
    """Text similarity, with cached embeddings when an embedder is configured."""

    def __init__(self, config: ScoreConfig) -> None:
        self.config = config
        self._vectors: dict[str, np.ndarray] = {}

    def prepare(self, texts: Iterable[str]) -> None:
        if self.config.embed is None:
            return
        todo = sorted({t for t in texts if t not in self._vectors})
        if todo:
            for text, vector in zip(todo, self.config.embed(todo), strict=True):
                array = np.asarray(vector, dtype=float)
                norm = float(np.linalg.norm(array))
                self._vectors[text] = array / norm if norm else array

    def __call__(self, a: str, b: str) -> float:
        fuzzy = text_similarity(a, b)
        if a in self._vectors and b in self._vectors:
            cosine = float(np.dot(self._vectors[a], self._vectors[b]))
            return max(fuzzy, cosine)
        return fuzzy


@dataclass(frozen=True)
class _Side:
    item: Item
    actors: frozenset[str]


def _sort_key(item: Item) -> str:
    return item.model_dump_json(exclude={"evidence", "sources"})


def _gate(gold: _Side, pred: _Side) -> bool:
    if not isinstance(gold.item, Position | Commitment):
        return True
    return bool(gold.actors & pred.actors)


def _match_kind(
    kind: ItemKind,
    gold: Sequence[_Side],
    pred: Sequence[_Side],
    sim: _Similarity,
    texts: Mapping[str, str] | None,
    card: Scorecard,
) -> None:
    threshold = sim.config.threshold
    sim.prepare([identity(s.item) for s in (*gold, *pred)])
    raw = np.zeros((len(gold), len(pred)))
    weight = np.zeros((len(gold), len(pred)))
    for i, g in enumerate(gold):
        for j, p in enumerate(pred):
            raw[i, j] = sim(identity(g.item), identity(p.item))
            if _gate(g, p) and raw[i, j] >= threshold:
                weight[i, j] = raw[i, j] + _TIE_BONUS * _attributes_agree(g.item, p.item)
    rows, cols = linear_sum_assignment(weight, maximize=True) if weight.size else ([], [])
    matched = {(int(i), int(j)) for i, j in zip(rows, cols, strict=True) if weight[i, j] > 0}
    counts = card.kinds[kind]
    counts.gold += len(gold)
    counts.predicted += len(pred)
    counts.matched += len(matched)
    for i, j in sorted(matched):
        g_item, p_item = gold[i].item, pred[j].item
        card.pairs.append(
            Pair(kind, key_attribute(g_item)[1], key_attribute(p_item)[1], float(raw[i, j]))
        )
        if _strict_ok(kind, g_item, p_item, float(raw[i, j]), texts, card):
            counts.strict += 1
    _explain(kind, gold, pred, raw, matched, threshold, card)


def _strict_ok(
    kind: str,
    gold: Item,
    pred: Item,
    similarity: float,
    texts: Mapping[str, str] | None,
    card: Scorecard,
) -> bool:
    name, gold_value = key_attribute(gold)
    if not _attributes_agree(gold, pred):
        why = f"{name}: gold {gold_value!r}, predicted {key_attribute(pred)[1]!r}"
    elif not _quote_ok(pred.evidence, texts):
        why = "quote not found in the article"
    else:
        return True
    where = pred.sources[0] if pred.sources else None
    card.misses.append(
        Miss(kind, "attribute", describe(pred), why, describe(gold), round(similarity, 3), where)
    )
    return False


def _explain(
    kind: str,
    gold: Sequence[_Side],
    pred: Sequence[_Side],
    raw: np.ndarray,
    matched: set[tuple[int, int]],
    threshold: float,
    card: Scorecard,
) -> None:
    gold_hit = {i for i, _ in matched}
    pred_hit = {j for _, j in matched}
    for i, g in enumerate(gold):
        if i not in gold_hit:
            card.misses.append(_miss(kind, "gold", g, pred, raw[i, :], threshold))
    for j, p in enumerate(pred):
        if j not in pred_hit:
            card.misses.append(_miss(kind, "predicted", p, gold, raw[:, j], threshold))


def _miss(
    kind: str,
    side: MissSide,
    this: _Side,
    others: Sequence[_Side],
    sims: np.ndarray,
    threshold: float,
) -> Miss:
    source = this.item.sources[0] if this.item.sources else None
    label = describe(this.item)
    if not len(others):
        why = "no predicted items of this type" if side == "gold" else "gold has none"
        return Miss(kind, side, label, why, source=source)

    def gated(j: int) -> bool:
        return _gate(this, others[j]) if side == "gold" else _gate(others[j], this)

    overall = int(np.argmax(sims))
    passing = [j for j in range(len(others)) if gated(j)]
    best = max(passing, key=lambda j: float(sims[j])) if passing else overall
    if float(sims[best]) >= threshold:
        why = "its nearest candidate was matched to another item"
    elif float(sims[overall]) >= threshold:
        best = overall
        why = f"actor differs ({_actors_text(this)} vs {_actors_text(others[overall])})"
    else:
        why = f"nothing similar enough (best {float(sims[best]):.2f} < {threshold:.2f})"
    score = round(float(sims[best]), 3)
    return Miss(kind, side, label, why, describe(others[best].item), score, source)


def _actors_text(side: _Side) -> str:
    names = sorted(n.removeprefix("?") for n in side.actors)
    return " / ".join(names) or "no actor"


# --------------------------------------------------------------------------------------------
# Actors and conflicts
# --------------------------------------------------------------------------------------------


def _score_actors(
    gold: Sequence[Actor], pred: Sequence[Actor], table: ActorTable, card: Scorecard
) -> None:
    targets: list[set[str]] = []
    for actor in pred:
        found: set[str] = set()
        for form in (actor.name, *actor.aliases):
            hit = table.resolve(form)
            if len(hit) == 1:
                found |= hit
        targets.append(found)
    claimed = Counter(name for t in targets for name in t)
    card.actors.gold += len(gold)
    card.actors.predicted += len(pred)
    card.actors.matched += sum(1 for a in gold if claimed[a.name])
    for actor in gold:
        owners = [pred[j].name for j, t in enumerate(targets) if actor.name in t]
        exact = [pred[j].name for j, t in enumerate(targets) if t == {actor.name}]
        if len(owners) == 1 and len(exact) == 1:
            card.actors.strict += 1
            continue
        card.misses.append(_actor_miss(actor.name, owners, targets, pred))
    for j, t in enumerate(targets):
        if not t:
            card.misses.append(Miss("actors", "predicted", pred[j].name, "not a gold actor"))


def _actor_miss(
    name: str, owners: list[str], targets: list[set[str]], pred: Sequence[Actor]
) -> Miss:
    if not owners:
        return Miss("actors", "gold", name, "not found")
    if len(owners) > 1:
        return Miss("actors", "gold", name, f"split into {len(owners)}: {', '.join(owners)}")
    merged = next(sorted(t) for j, t in enumerate(targets) if pred[j].name == owners[0])
    return Miss("actors", "gold", name, f"merged with others in {owners[0]!r}: {merged}")


def _claims(conflict: Conflict) -> set[tuple[str, str]]:
    return {(c.source, value_key(c.value)) for c in conflict.claims}


def _conflict_similarity(gold: Conflict, pred: Conflict) -> float:
    gold_claims = _claims(gold)
    overlap = len(gold_claims & _claims(pred)) / len(gold_claims) if gold_claims else 0.0
    return max(text_similarity(gold.topic, pred.topic), overlap)


def _captures_disagreement(gold: Conflict, pred: Conflict) -> bool:
    """The predicted conflict quotes at least two of the gold's different values."""
    values: list[str] = []
    for claim in gold.claims:
        if not any(values_agree(claim.value, v) for v in values):
            values.append(claim.value)
    found = [v for v in values if any(values_agree(v, c.value) for c in pred.claims)]
    return len(found) >= min(2, len(values))


def _score_conflicts(
    gold: Sequence[Conflict], pred: Sequence[Conflict], threshold: float, card: Scorecard
) -> None:
    gold = sorted(gold, key=lambda c: c.model_dump_json())
    pred = sorted(pred, key=lambda c: c.model_dump_json())
    raw = np.array([[_conflict_similarity(g, p) for p in pred] for g in gold]).reshape(
        len(gold), len(pred)
    )
    weight = np.where(raw >= threshold, raw, 0.0)
    rows, cols = linear_sum_assignment(weight, maximize=True) if weight.size else ([], [])
    matched = [(int(i), int(j)) for i, j in zip(rows, cols, strict=True) if weight[i, j] > 0]
    card.conflicts.gold += len(gold)
    card.conflicts.predicted += len(pred)
    card.conflicts.matched += len(matched)
    card.conflicts.strict += sum(_captures_disagreement(gold[i], pred[j]) for i, j in matched)
    hit = {i for i, _ in matched}
    for i, conflict in enumerate(gold):
        if i not in hit:
            best = float(raw[i].max()) if len(pred) else None
            card.misses.append(
                Miss(
                    "conflicts",
                    "gold",
                    conflict.topic,
                    "not found",
                    similarity=None if best is None else round(best, 3),
                )
            )


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def _items(doc: Scorable, kind: ItemKind) -> list[Item]:
    items: list[Item] = list(getattr(doc, kind))
    return sorted(items, key=_sort_key)


def _sides(items: Sequence[Item], table: ActorTable, own: Mapping[str, Actor]) -> list[_Side]:
    out = []
    for item in items:
        actor = getattr(item, "actor", None)
        names = _resolve_item_actor(actor, table, own) if isinstance(actor, str) else frozenset()
        out.append(_Side(item, names))
    return out


def _grounding(pred: Scorable, texts: Mapping[str, str] | None, card: Scorecard) -> None:
    if texts is None:
        return
    for kind in ITEM_KINDS:
        for item in getattr(pred, kind):
            card.items_checked += 1
            card.items_verified += _quote_ok(item.evidence, texts)
    card.items_dropped += len(getattr(pred, "dropped", []))


def score(
    gold: Scorable,
    predicted: Scorable,
    *,
    texts: Mapping[str, str] | None = None,
    config: ScoreConfig | None = None,
) -> Scorecard:
    """Compare ``predicted`` with ``gold`` (two extractions of one article, or two briefings).

    ``texts`` maps source ids to article texts; with it, strict scores and the grounding rate
    require each predicted quote to verify in its article. Without it (e.g. comparing two
    labellers' files) quotes are not checked and no grounding rate is given.
    """
    config = config or ScoreConfig()
    sim = _Similarity(config)
    table = ActorTable(gold.actors)
    own = _actor_forms(predicted.actors)
    gold_own = _actor_forms(gold.actors)
    card = Scorecard()
    for kind in ITEM_KINDS:
        gold_sides = _sides(_items(gold, kind), table, gold_own)
        pred_sides = _sides(_items(predicted, kind), table, own)
        _match_kind(kind, gold_sides, pred_sides, sim, texts, card)
    _score_actors(gold.actors, predicted.actors, table, card)
    if isinstance(gold, Briefing):
        pred_conflicts = predicted.conflicts if isinstance(predicted, Briefing) else []
        _score_conflicts(gold.conflicts, pred_conflicts, config.threshold, card)
    _grounding(predicted, texts, card)
    return card


def score_all(
    pairs: Iterable[tuple[Scorable, Scorable]],
    *,
    texts: Mapping[str, str] | None = None,
    config: ScoreConfig | None = None,
) -> Scorecard:
    """Micro-average: the counts of every (gold, predicted) pair added up."""
    total = Scorecard()
    for gold, pred in pairs:
        total = total + score(gold, pred, texts=texts, config=config)
    return total


# --------------------------------------------------------------------------------------------
# Labeller agreement and threshold calibration
# --------------------------------------------------------------------------------------------


def cohen_kappa(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Cohen's kappa of two labellers over the same items; None when undefined."""
    if not pairs:
        return None
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    left, right = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(left[k] * right[k] for k in left) / (n * n)
    if math.isclose(expected, 1.0):
        return 1.0 if math.isclose(observed, 1.0) else None
    return (observed - expected) / (1 - expected)


@dataclass(frozen=True)
class Agreement:
    """Two labellers compared: item F1 per type (symmetric) and kappa on matched attributes."""

    item_f1: dict[str, float]
    attribute_agreement: dict[str, float | None]
    kappa: dict[str, float | None]
    scorecard: Scorecard

    @property
    def mean_item_f1(self) -> float:
        return sum(self.item_f1.values()) / len(self.item_f1)


def agreement(a: Scorable, b: Scorable, *, config: ScoreConfig | None = None) -> Agreement:
    """Compare two labellers' files for the same article(s) with the scorer's matcher."""
    card = score(a, b, config=config)
    item_f1: dict[str, float] = {k: card.kinds[k].f1 for k in ITEM_KINDS}
    agree: dict[str, float | None] = {}
    kappa: dict[str, float | None] = {}
    for kind in ITEM_KINDS:
        labels = [(p.gold, p.predicted) for p in card.pairs if p.kind == kind]
        if kind == "facts":
            labels = [(x, x if values_agree(x, y) else y) for x, y in labels]
        agree[kind] = sum(x == y for x, y in labels) / len(labels) if labels else None
        kappa[kind] = cohen_kappa(labels) if kind != "facts" else None
    return Agreement(item_f1, agree, kappa, card)


@dataclass(frozen=True)
class CalibrationPair:
    kind: str
    a: str
    b: str
    same: bool


def calibration_pairs(articles: Sequence[Scorable], briefing: Briefing) -> list[CalibrationPair]:
    """'Same item?' pairs from gold: an article item and a briefing item of the same type and
    actor are the same item when they share an evidence span (and, for facts, the value)."""
    out: list[CalibrationPair] = []
    for kind in ITEM_KINDS:
        for article in articles:
            for item in getattr(article, kind):
                for merged in getattr(briefing, kind):
                    if getattr(item, "actor", None) != getattr(merged, "actor", None):
                        continue
                    same = _same_span(item, merged) and (
                        not isinstance(item, Fact)
                        or value_key(item.value) == value_key(merged.value)
                    )
                    out.append(CalibrationPair(kind, identity(item), identity(merged), same))
    return out


def _same_span(a: Item, b: Item) -> bool:
    spans = {(e.source, e.start, e.end) for e in a.evidence}
    return any((e.source, e.start, e.end) in spans for e in b.evidence)


def calibrate(
    pairs: Sequence[CalibrationPair], thresholds: Sequence[float]
) -> list[tuple[float, float, float]]:
    """(threshold, recall on same pairs, false-positive rate on different pairs)."""
    same = [text_similarity(p.a, p.b) for p in pairs if p.same]
    different = [text_similarity(p.a, p.b) for p in pairs if not p.same]
    return [
        (
            t,
            _ratio(sum(s >= t for s in same), len(same), 0.0),
            _ratio(sum(d >= t for d in different), len(different), 0.0),
        )
        for t in thresholds
    ]
