"""Actor resolution: decide which mentions across articles name the same actor.

News outlets name one person many ways: "Volodymyr Zelensky", "Zelenskyy", "Mr. Zelenskiy",
"Ukrainian President Volodymyr Zelenskyy", "the Ukrainian president". An analyst wants one
actor per person, named by the fullest form, with every alias and role kept. Getting this wrong
in either direction hurts: a split actor hides that five outlets report the same statement; a
wrong merge attributes one person's words to another. So the rules lean conservative:

* **Names are parsed, not compared as strings.** Honorifics ("Mr.", "Sir") are dropped, a
  leading role ("US President", "German Chancellor") is split off and kept as a role, and the
  rest becomes given names + surname (particles such as "von der" or "Le" belong to the
  surname in any case; a generational suffix "Jr."/"Sr."/"III" is kept apart, because a father
  and his son are two people). Surname tokens are *folded* for transliteration
  (diacritics, ``-skyy/-skiy/-sky``, ``w/v``, ``kh/h``, doubled letters), so spelling variants
  share one key without a list of known people.
* **Two full names merge only when their given names agree** (equal, or one is the other's
  initials) and their generational suffixes are the same. Two different people who share a
  surname therefore never merge.
* **Partial mentions** (a surname alone, initials, a role such as "the German Chancellor")
  attach to a full-name actor only when exactly one candidate fits, looking first in the same
  article (which is how the article ties the mention to a person) and then in the whole corpus.
  An ambiguous partial mention stays its own actor rather than guessing. Attaching repeats
  until nothing changes, so merging a briefing again attaches nothing new.
* **Organisations and collectives** ("NATO", "the Russian Foreign Ministry", "European
  leaders") are matched on a normalised key (articles, possessives and plurals removed),
  never against people. A mention that is an acronym ("EC", "U.N.") joins the one full name
  with those initials; two full names with the same initials ("Security Council", "Supreme
  Court") are never linked.
* An optional ``decide(a, b)`` callback (e.g. a model) is asked only about near-miss surname
  spellings that folding did not unify; it is never needed.

Every decision depends on the *set* of mentions, never their order, so the result does not
depend on the order of the articles.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import JaroWinkler

from summarizer.schema import Actor, ActorType

Decide = Callable[[str, str], bool]

# Words dropped from a name: they say how to address someone, not who they are.
HONORIFICS = frozenset(
    "mr mrs ms miss mx dr sir dame lord lady prof professor rev hon madam madame monsieur "
    "mme herr frau sen rep gov".split()
)
# Words that make a leading phrase a role ("US President", "NATO Secretary General").
TITLE_WORDS = frozenset(
    """president vice-president chancellor premier prime minister secretary general
    secretary-general envoy aide adviser advisor spokesman spokeswoman spokesperson ambassador
    king queen prince princess pope senator governor mayor chairman chairwoman chair chief
    leader commander director head ceo official emir sheikh sultan speaker commissioner
    deputy foreign defence defense special former acting vice state negotiator counsellor
    councillor representative delegate diplomat general-secretary admiral adm rear colonel col
    lieutenant lt major maj captain capt sergeant marshal brigadier commodore""".split()
)
# Role words that are so generic they describe a group, not an office.
_GROUP_WORDS = frozenset(
    """leaders officials allies nations countries states members governments delegation
    delegations delegates europeans diplomats people team administration ministers partners
    counterparts critics officers troops forces""".split()
)
_ORG_WORDS = frozenset(
    """ministry kremlin government administration commission council union nato un eu
    parliament congress senate department office agency pentagon house committee alliance
    army military forces bank fund court party organisation organization inc ltd corp company
    group institute service federation cabinet""".split()
)
_PARTICLES = frozenset("von van der den de da di du la le bin ibn al el dos das ter ten zu".split())
_SUFFIXES = frozenset("jr sr ii iii iv".split())
_SUFFIX_AFTER_COMMA = re.compile(r",\s*((?:jr|sr|ii|iii|iv)\.?)(?=$|[\s,])", re.IGNORECASE)
_ARTICLES = frozenset("the a an".split())

# Demonyms and short forms -> place. General world knowledge, not a list for one event.
DEMONYMS: dict[str, str] = {
    "us": "united states",
    "u.s": "united states",
    "usa": "united states",
    "american": "united states",
    "america": "united states",
    "united states": "united states",
    "uk": "united kingdom",
    "u.k": "united kingdom",
    "british": "united kingdom",
    "britain": "united kingdom",
    "united kingdom": "united kingdom",
    "ukrainian": "ukraine",
    "russian": "russia",
    "german": "germany",
    "french": "france",
    "italian": "italy",
    "finnish": "finland",
    "hungarian": "hungary",
    "polish": "poland",
    "chinese": "china",
    "japanese": "japan",
    "indian": "india",
    "canadian": "canada",
    "australian": "australia",
    "spanish": "spain",
    "dutch": "netherlands",
    "belgian": "belgium",
    "swedish": "sweden",
    "norwegian": "norway",
    "danish": "denmark",
    "turkish": "turkey",
    "israeli": "israel",
    "iranian": "iran",
    "brazilian": "brazil",
    "mexican": "mexico",
    "korean": "korea",
    "european": "europe",
    "irish": "ireland",
    "greek": "greece",
    "austrian": "austria",
    "swiss": "switzerland",
    "czech": "czechia",
    "estonian": "estonia",
    "latvian": "latvia",
    "lithuanian": "lithuania",
    "romanian": "romania",
    "belarusian": "belarus",
    "saudi": "saudi arabia",
    "portuguese": "portugal",
    "egyptian": "egypt",
    "pakistani": "pakistan",
}
# Offices that several words can name.
_OFFICE_SYNONYMS = {
    "premier": "prime-minister",
    "pm": "prime-minister",
    "secretary-general": "secretary general",
    "general-secretary": "secretary general",
    "advisor": "adviser",
    "spokeswoman": "spokesperson",
    "spokesman": "spokesperson",
    "adm": "admiral",
    "gen": "general",
    "col": "colonel",
    "lt": "lieutenant",
    "capt": "captain",
    "maj": "major",
}
# Modifiers that make a different office: a vice president is not a president.
_GLUE = frozenset("vice deputy former acting prime".split())

_PERSON = "person"
_GROUP = "group"


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=65536)
def _clean(text: str) -> str:
    """Fold typography and drop a trailing possessive, so "Putin’s" reads as "Putin"."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"\s+", " ", text).strip().strip(" ,;:\"'")
    return re.sub(r"'s?$", "", text).strip()


def _word(token: str) -> str:
    """A token's lower-case core: punctuation at its ends removed, inner dots kept out."""
    return _strip_accents(token).lower().strip(".,;:!?\"'()[]").rstrip(".")


def _letters(text: str) -> str:
    """The letters of ``text``, of any script ("Путин", "习近平" keep theirs)."""
    return "".join(ch for ch in text if ch.isalpha())


@lru_cache(maxsize=65536)
def fold_token(token: str) -> str:
    """Fold one name token so transliteration variants share a key.

    The rules are general spelling equivalences (not names): final ``-iy/-yy/-yi/-ii/-ij/-y/-i``
    collapse (Zelenskyy, Zelenskiy, Zelensky, Zelenski), ``w``->``v`` (Wolodymyr), ``kh``->``h``,
    ``ph``->``f``, ``ck``->``k``, ``x``->``ks``, a final ``-ff``->``-v`` (Voronoff), and doubled
    letters collapse.
    """
    t = _letters(_strip_accents(token).lower())
    if not t or not t.isascii():
        return t  # another script: its letters as written (no Latin spelling rules apply)
    t = t.replace("kh", "h").replace("ph", "f").replace("ck", "k").replace("x", "ks")
    t = t.replace("w", "v")
    t = re.sub(r"ff$", "v", t)
    t = re.sub(r"(.)\1+", r"\1", t)
    if len(t) > 3:
        t = re.sub(r"(iy|yi|ij|ii|y|i)$", "i", t)
    return t


# --------------------------------------------------------------------------------------------
# Parsing one mention
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedName:
    """A mention taken apart: role words, given names, surname, and what kind of thing it is.

    ``kind`` is ``name`` (a person's name, maybe partial), ``role`` (an office with no name:
    "the Ukrainian president"), or ``group`` (an organisation, government or collective).
    """

    text: str
    kind: str
    given: tuple[str, ...] = ()
    surname: tuple[str, ...] = ()
    display: str = ""
    role: str | None = None
    place: str | None = None
    gender: str | None = None
    suffix: str = ""  # a generational suffix ("jr", "sr", "iii"): a father is not his son

    @property
    def surname_key(self) -> str:
        return fold_token(self.surname[-1]) if self.surname else ""

    @property
    def given_key(self) -> str:
        return "".join(fold_token(g) for g in self.given)

    @property
    def full(self) -> bool:
        """A full name: given names and a surname, so it identifies a person on its own."""
        return bool(self.given) and bool(self.surname) and not self.initials_only

    @property
    def initials_only(self) -> bool:
        return all(_is_initials(g) for g in self.given)

    @property
    def given_tokens(self) -> tuple[str, ...]:
        """Folded given names; initials ("J.D.", "JD") become one token per letter."""
        out: list[str] = []
        for g in self.given:
            if _is_initials(g):
                out.extend(_letters(_strip_accents(g).lower()))
            else:
                out.append(fold_token(g))
        return tuple(t for t in out if t)


@lru_cache(maxsize=65536)
def _is_initials(token: str) -> bool:
    letters = _letters(token)
    cased = letters.isupper()  # scripts without case (Chinese, Arabic) have no initials
    return bool(letters) and (
        (len(letters) <= 1 and letters.isascii()) or ("." in token or cased) and len(letters) <= 3
    )


_FEMALE = frozenset("ms mrs miss madam madame mme dame lady frau".split())
_MALE = frozenset("mr sir lord monsieur herr".split())


def _gender(words: Iterable[str]) -> str | None:
    for w in words:
        if w in _FEMALE:
            return "f"
        if w in _MALE:
            return "m"
    return None


def _is_title(word: str) -> bool:
    return word in TITLE_WORDS or word in _OFFICE_SYNONYMS


def _is_place(word: str) -> bool:
    return word in DEMONYMS or word in _PLACES


def _split_trailing_of(text: str) -> tuple[str, str | None]:
    """ "President Emmanuel Macron of France" -> ("President Emmanuel Macron", "france")."""
    m = re.match(r"^(.*\S)\s+of\s+(?:the\s+)?([A-Z][\w.\- ]+)$", text)
    if m and len(m.group(1).split()) >= 2 and not _is_title(_word(m.group(1).split()[-1])):
        return m.group(1), _place_of(m.group(2))
    return text, None


def _place_of(text: str) -> str | None:
    """The place a phrase names, via demonyms ("German" -> germany), else its first word
    ("Valdoria's northern squadron" -> valdoria)."""
    low = _strip_accents(text).lower().strip(". ")
    low = re.sub(r"'s?$", "", low)
    if low in DEMONYMS:
        return DEMONYMS[low]
    words = [re.sub(r"'s?$", "", w).rstrip(".") for w in low.split()]
    for word in words:
        if word in DEMONYMS:
            return DEMONYMS[word]
    if len(words) > 2:
        words = [w for w in words if w not in _PLACE_FILLER][:1]
    return " ".join(words) or None


_PLACE_FILLER = frozenset("of the republic federation union".split())


def same_place(a: str | None, b: str | None) -> bool:
    """Places agree when either is unknown or every word of the shorter one matches a word of
    the other on its first five letters ("Valdorian" / "Republic of Valdoria")."""
    if not a or not b:
        return True
    sa = {w[:5] for w in a.split() if w not in _PLACE_FILLER}
    sb = {w[:5] for w in b.split() if w not in _PLACE_FILLER}
    if not sa or not sb:
        return True
    return sa <= sb or sb <= sa


@lru_cache(maxsize=65536)
def parse_name(text: str, type_hint: str | None = None) -> ParsedName:
    """Parse an actor string as written in an article.

    ``type_hint`` is the extraction's actor type when known; without it (a string that only
    appears in an item's ``actor`` field) the kind is guessed from the words.
    """
    raw = _clean(text)
    if type_hint not in (None, "person"):
        return ParsedName(raw, _GROUP, display=_strip_article(raw))
    if type_hint is None and _is_upper_acronym(_strip_article(raw)):
        return ParsedName(raw, _GROUP, display=_strip_article(raw))  # "IAEA", "U.N."
    raw = _SUFFIX_AFTER_COMMA.sub(r" \1", raw)  # "Hamid Osei, Jr." -> "Hamid Osei Jr."
    if "," in raw:
        head, _, tail = raw.partition(",")
        parsed = parse_name(head, type_hint)
        if parsed.kind == "name" and parsed.role is None and tail.strip():
            return ParsedName(
                raw,
                "name",
                parsed.given,
                parsed.surname,
                parsed.display,
                tail.strip(),
                _role_place(tail.strip()),
                suffix=parsed.suffix,
            )
    body, place = _split_trailing_of(raw)
    tokens = body.split()
    words = [_word(t) for t in tokens]
    start = 1 if words and words[0] in _ARTICLES else 0
    owner = _possessive_owner(tokens, start)
    if owner is not None:
        start += 1
    cut = _role_end(tokens, words, start)
    named = [
        (t, w) for t, w in zip(tokens[cut:], words[cut:], strict=True) if w and w not in HONORIFICS
    ]
    suffix = " ".join(w for _, w in named[1:] if w in _SUFFIXES)
    name_tokens = [t for i, (t, w) in enumerate(named) if not (i and w in _SUFFIXES)]
    shown = " ".join(t for t, _ in named)
    role = (
        " ".join(
            t
            for t, w in zip(tokens[start:cut], words[start:cut], strict=True)
            if w not in HONORIFICS
        )
        or None
    )
    if owner is not None and role is not None:
        role = f"{owner}'s {role}"
    name_words = {_word(t) for t in name_tokens}
    groupish = bool(name_words & (_ORG_WORDS | _GROUP_WORDS)) or (
        bool(name_words) and all(_is_place(w) for w in name_words)
    )
    if type_hint is None and (groupish or (owner is not None and role is None)):
        return ParsedName(raw, _GROUP, display=_strip_article(raw))
    if role is not None and place is None:
        place = _role_place(role)
    if not name_tokens:
        kind = "role" if role else _GROUP
        return ParsedName(raw, kind, display=_strip_article(raw), role=role, place=place)
    given, surname = _split_name([t.strip(",") for t in name_tokens])
    return ParsedName(raw, "name", given, surname, shown, role, place, _gender(words), suffix)


def _is_upper_acronym(token: str) -> bool:
    """One all-capital or dotted token of two to six letters: "EC", "UNSC", "U.N."."""
    letters = re.sub(r"[^A-Za-z]", "", token)
    return (
        2 <= len(letters) <= 6
        and re.fullmatch(r"[A-Za-z.&]+", token) is not None
        and (letters.isupper() or re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]?\.?", token) is not None)
    )


def _strip_article(text: str) -> str:
    return re.sub(r"^(?:the|a|an)\s+", "", text, flags=re.IGNORECASE).strip()


def _possessive_owner(tokens: Sequence[str], start: int) -> str | None:
    """ "Putin's foreign policy adviser": the owner ("Putin") when a role follows it."""
    if len(tokens) > start + 1 and re.search(r"['\u2019]s?$", tokens[start]):
        if any(_is_title(_word(t)) for t in tokens[start + 1 :]):
            return re.sub(r"['\u2019]s?$", "", tokens[start])
    return None


def _role_like(token: str, word: str) -> bool:
    return (
        _is_title(word)
        or _is_place(word)
        or word in _ORG_WORDS
        or word in HONORIFICS
        or word in _ORGISH
        or word in _CONNECTORS
        or (token.isupper() and len(word) > 1)
    )


def _role_end(tokens: Sequence[str], words: Sequence[str], start: int) -> int:
    """Index where the name starts, after a leading role phrase ("US President", "NATO
    Secretary General", "Ostmark Foreign Minister", "Secretary of State"); ``start`` when there
    is no role phrase.

    Capitalised words before a title qualify it ("Ostmark"); a title that is the last word makes
    the whole string a role only after an article ("the Kestrel premier") or when every word is
    role-like ("Ukrainian President"): "Angus King" stays a name.
    """
    last = start - 1
    for i in range(start, len(words)):
        if _is_title(words[i]):
            last = i
        elif not (_role_like(tokens[i], words[i]) or tokens[i][:1].isupper()):
            break
    if last < start:
        return start
    cut = last + 1
    if cut == len(words):
        article = start > 0 and words[start - 1] in _ARTICLES
        if not article and not all(
            _role_like(t, w) for t, w in zip(tokens[start:], words[start:], strict=True)
        ):
            return (
                start
                if not _is_title(words[start])
                else _role_end_before_last(tokens, words, start)
            )
    while cut < len(words) and (words[cut] in _CONNECTORS or _is_place(words[cut])):
        if cut + 1 == len(words):
            break
        cut += 1
    return cut


def _role_end_before_last(tokens: Sequence[str], words: Sequence[str], start: int) -> int:
    """ "King Charles" style: the title opens the string and a name follows it."""
    return _role_end(tokens[:-1], words[:-1], start) if len(words) > start + 1 else start


_CONNECTORS = frozenset({"of", "for", "the"})
_ORGISH = frozenset(
    """nato un eu white house european commission kremlin policy security national trade
    finance justice interior economy energy health""".split()
)
_PLACES = frozenset(DEMONYMS.values()) | frozenset(
    "moscow kyiv kiev washington london paris berlin brussels beijing rome budapest".split()
)


def _split_name(tokens: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Given names and surname; particles ("von der", "Von der", "Le") belong to the surname,
    whatever their case ("Von der Aue" opening a sentence is the surname "von der Aue").

    A capitalised particle that opens a two-word name and could be a given name ("Al Gore",
    "Van Jones") stays a given name; a chain of particles ("Van den Berg") never is one.
    """
    if len(tokens) == 1:
        return (), (tokens[0],)
    i = len(tokens) - 1
    while i > 0 and _word(tokens[i - 1]) in _PARTICLES:
        i -= 1
    if len(tokens) == 2 and tokens[0][:1].isupper() and _word(tokens[0]) in _GIVEN_PARTICLES:
        return (tokens[0],), (tokens[1],)
    if i == 0:
        return (), tuple(tokens)
    return tuple(tokens[:i]), tuple(tokens[i:])


# Particles that are also given names, read as such when capitalised before a lone surname.
_GIVEN_PARTICLES = frozenset("al el van".split())


_MODIFIERS = frozenset(
    "foreign special state deputy vice former acting defence defense chief rear".split()
)


@lru_cache(maxsize=65536)
def role_key(role: str | None, affiliation: str | None = None) -> tuple[str, str] | None:
    """(office words, place) for a role, so "Ukrainian President", "President of Ukraine" and
    "Ukraine's president" compare equal; ``None`` when the role names no office.

    Office words are a sorted, space-separated set; "vice", "deputy", "former", "acting" and
    "prime" are glued to the next word because they name a different office.
    """
    if not role:
        return None
    text, place = _split_trailing_of(_clean(role))
    if place is None and " of " in text:
        text, _, tail = text.partition(" of ")
        place = _place_of(tail)
    office: set[str] = set()
    qualifiers: list[str] = []
    glue = ""
    for token in re.split(r"[\s/,]+", text):
        possessive = bool(re.search(r"['\u2019]s?$", token))
        w = re.sub(r"'s?$", "", _word(token)).replace(".", "")
        if not w or w in _ARTICLES:
            continue
        if _is_title(w):
            for part in _OFFICE_SYNONYMS.get(w, w).split():
                if part in _GLUE:
                    glue = f"{glue}{part}-"
                else:
                    office.add(glue + part)
                    glue = ""
        elif possessive or _is_place(w) or w in _ORGISH:
            place = place or DEMONYMS.get(w, w)
        elif token[:1].isupper():
            qualifiers.append(w)
    if not office - _MODIFIERS:
        return None
    if place is None and qualifiers:
        place = qualifiers[0]
    if place is None and affiliation:
        place = _place_of(affiliation)
    return " ".join(sorted(office)), place or ""


def _role_place(role: str) -> str | None:
    key = role_key(role)
    return key[1] if key and key[1] else None


@lru_cache(maxsize=65536)
def group_keys(text: str) -> frozenset[str]:
    """Keys under which an organisation or collective matches another.

    Articles, possessives and a plural at the end are removed and demonyms become places
    ("European leaders" and "Europe's leaders" share a key). A multi-word name's initials are
    *not* a key: "the Security Council" and "the Supreme Court" share them but are different
    bodies. An acronym is linked to its full name separately (see ``initials`` and
    ``acronym``), one way only.
    """
    words = [_word(t) for t in re.split(r"[\s\-]+", _clean(text))]
    words = [re.sub(r"'s?$", "", w) for w in words if w and w not in _ARTICLES]
    words = [w.replace(".", "") for w in words]
    if not words:
        return frozenset()
    norm = [DEMONYMS.get(w, w) for w in words]
    last = norm[-1]
    if len(last) > 3 and last.endswith("s") and not last.endswith("ss"):
        norm[-1] = last[:-1]
    return frozenset({" ".join(norm)})


@lru_cache(maxsize=65536)
def initials(text: str) -> str | None:
    """The acronym a multi-word capitalised name abbreviates to ("North Atlantic Treaty
    Organization" -> "nato"), or ``None`` when the name is not one."""
    words = [_word(t) for t in re.split(r"[\s\-]+", _clean(text))]
    words = [w for w in words if w and w not in _ARTICLES]
    caps = [t for t in _clean(text).split() if t[:1].isupper() and _word(t) not in _ARTICLES]
    if len(caps) >= 2 and len(caps) == len([w for w in words if w not in {"of", "and", "for"}]):
        return "".join(_word(t)[0] for t in caps)
    return None


@lru_cache(maxsize=65536)
def acronym(text: str) -> str | None:
    """The letters of a mention that is itself an acronym ("EC", "UNSC", "U.N.", "Nato"), or
    ``None``. Only such a mention is linked to a full name by its initials."""
    token = _strip_article(_clean(text))
    letters = re.sub(r"[^A-Za-z]", "", token)
    if _is_upper_acronym(token) or (
        4 <= len(letters) <= 6 and token == letters and letters[1:].islower() and token[0].isupper()
    ):
        return letters.lower()
    return None


# --------------------------------------------------------------------------------------------
# Resolution
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    """One way an actor is named in one source.

    ``group`` ties mentions that one extraction already declared to be the same actor (an
    ``Actor``'s name and aliases); ``declared`` marks mentions from an actors list rather than
    from an item's ``actor`` field, and ``primary`` the declared name itself (preferred as the
    canonical spelling). A ``weak`` mention (an ``attributed_by`` or ``beneficiary``) is
    resolved when it names a known actor but never creates an actor of its own.
    """

    source: str
    text: str
    type: ActorType | None = None
    role: str | None = None
    affiliation: str | None = None
    group: str | None = None
    declared: bool = False
    primary: bool = False
    weak: bool = False
    sources: tuple[str, ...] = ()


@dataclass
class _Node:
    mentions: list[Mention] = field(default_factory=list)
    parsed: list[ParsedName] = field(default_factory=list)


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass
class Resolution:
    """The resolved actors and a lookup from (source, text as written) to the canonical name."""

    actors: list[Actor]
    _by_mention: dict[tuple[str, str], str]
    _by_text: dict[str, str]

    def canonical(self, source: str, text: str) -> str | None:
        """The canonical name for ``text`` as written in ``source``, or ``None`` if unknown."""
        found = self._by_mention.get((source, text))
        if found is None:
            found = self._by_mention.get((source, _clean(text)))
        if found is None:
            found = self._by_text.get(_clean(text))
        return found


def resolve(
    mentions: Iterable[Mention],
    *,
    decide: Decide | None = None,
    same: Mapping[tuple[str, str], str] | None = None,
) -> Resolution:
    """Cluster mentions into actors. Pure; the result depends only on the set of mentions.

    ``same`` maps (source, declared name) to a model's label of who that actor is
    (:mod:`summarizer.merge.consolidate`): declared actors with equal labels are one actor, unless a
    guard says otherwise (see :func:`_union_labelled`).
    """
    unique = sorted(set(mentions), key=_mention_sort_key)
    parsed = [parse_name(m.text, m.type) for m in unique]
    uf = _UnionFind(len(unique))
    _union_declared(unique, uf)
    if same:
        _union_labelled(unique, uf, same)
    _union_same_text(unique, uf)
    _union_full_names(unique, parsed, uf, decide)
    _union_groups(unique, parsed, uf)
    _attach_partials(unique, parsed, uf)
    return _build(unique, parsed, uf)


def _mention_sort_key(m: Mention) -> tuple[str, ...]:
    return (
        m.source,
        m.text,
        m.type or "",
        m.role or "",
        m.affiliation or "",
        m.group or "",
        str(m.declared),
        ",".join(m.sources),
    )


def _union_declared(mentions: Sequence[Mention], uf: _UnionFind) -> None:
    """Names and aliases of one declared actor are one actor: the article said so."""
    first: dict[tuple[str, str], int] = {}
    for i, m in enumerate(mentions):
        if m.group is None:
            continue
        key = (m.source, m.group)
        if key in first:
            uf.union(first[key], i)
        else:
            first[key] = i


def _union_labelled(
    mentions: Sequence[Mention], uf: _UnionFind, same: Mapping[tuple[str, str], str]
) -> None:
    """Declared actors the model gave one label are one actor ("Yevhen Dravetsky", "Evgen
    Dravecki" and "Jewhen Drawetzki" as written by three outlets), with two absolute guards:
    a person never joins an organisation or a group (the extraction typed them), and two
    actors that one article declared separately stay apart, as do the actors they joined
    (that article knew them to be two: Ivona and Aurel Petrak)."""
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, m in enumerate(mentions):
        if m.declared and m.primary:
            label = same.get((m.source, m.text))
            if label and label.strip():
                by_label[" ".join(label.casefold().split())].append(i)
    groups: dict[int, set[tuple[str, str]]] = defaultdict(set)
    kinds: dict[int, set[str]] = defaultdict(set)
    for i, m in enumerate(mentions):
        if m.declared and m.group is not None:
            groups[uf.find(i)].add((m.source, m.group))
        if m.declared and m.type is not None:
            kinds[uf.find(i)].add("person" if m.type == "person" else "other")
    for members in by_label.values():
        for other in members[1:]:
            a, b = uf.find(members[0]), uf.find(other)
            if a == b or len(kinds[a] | kinds[b]) > 1:
                continue
            if {s for s, _ in groups[a]} & {s for s, _ in groups[b]}:
                continue  # one article declared both: it told them apart
            uf.union(a, b)
            root = uf.find(a)
            groups[root] = groups.pop(a, set()) | groups.pop(b, set())
            kinds[root] = kinds.pop(a, set()) | kinds.pop(b, set())


def _union_same_text(mentions: Sequence[Mention], uf: _UnionFind) -> None:
    """An item's actor string that one declared actor of the same article also uses is that
    actor: the one declared under that name, else the one that lists it as an alias."""
    declared: dict[tuple[str, str], set[int]] = defaultdict(set)
    named: dict[tuple[str, str], set[int]] = defaultdict(set)
    for i, m in enumerate(mentions):
        if m.declared:
            key = (m.source, _clean(m.text).lower())
            declared[key].add(uf.find(i))
            if m.primary:
                named[key].add(uf.find(i))
    for i, m in enumerate(mentions):
        if m.declared:
            continue
        key = (m.source, _clean(m.text).lower())
        for pool in (named.get(key, set()), declared.get(key, set())):
            roots = {uf.find(j) for j in pool}
            if len(roots) == 1:
                uf.union(i, roots.pop())
                break


def _union_full_names(
    mentions: Sequence[Mention],
    parsed: Sequence[ParsedName],
    uf: _UnionFind,
    decide: Decide | None,
) -> None:
    """Full names with the same folded surname and compatible given names are one person."""
    by_key: dict[tuple[str, str, str], int] = {}
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(parsed):
        if p.kind != "name" or not p.full:
            continue
        key = (p.surname_key, p.given_key, p.suffix)
        if key in by_key:
            uf.union(by_key[key], i)
        else:
            by_key[key] = i
            blocks[p.surname_key[:3]].append(i)
    for members in blocks.values():
        _union_near_spellings(members, parsed, uf, decide)


def _union_near_spellings(
    members: Sequence[int], parsed: Sequence[ParsedName], uf: _UnionFind, decide: Decide | None
) -> None:
    """Near-identical folded spellings with the same given names (blocked by surname prefix).

    Folding covers the usual transliteration variants; this catches the rest ("Zelenskyj").
    Different given names never merge here, whatever the surname.
    """
    for a_pos, a in enumerate(members):
        pa = parsed[a]
        for b in members[a_pos + 1 :]:
            pb = parsed[b]
            if pa.surname_key == pb.surname_key and pa.given_key == pb.given_key:
                continue
            if pa.suffix != pb.suffix or not _given_compatible(pa, pb):
                continue
            score = JaroWinkler.similarity(pa.surname_key, pb.surname_key)
            if pa.surname_key == pb.surname_key or score >= 0.94:
                uf.union(a, b)
            elif score >= 0.85 and decide is not None and decide(*sorted((pa.text, pb.text))):
                uf.union(a, b)


def _given_compatible(a: ParsedName, b: ParsedName) -> bool:
    """Given names that can be one person's: "Donald" / "Donald J.", "J.D." / "James David",
    "Aleksandr" / "Alexander" (same initial, near-identical folded spelling); never "John" /
    "Jane". The first two given names are compared; a missing one is no objection."""
    ga, gb = a.given_tokens, b.given_tokens
    if not ga or not gb:
        return True
    if a.gender and b.gender and a.gender != b.gender:
        return False
    return all(_token_compatible(x, y) for x, y in zip(ga[:2], gb[:2], strict=False))


def _token_compatible(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    return a[0] == b[0] and min(len(a), len(b)) >= 4 and JaroWinkler.similarity(a, b) >= 0.9


def _union_groups(
    mentions: Sequence[Mention], parsed: Sequence[ParsedName], uf: _UnionFind
) -> None:
    """Organisations and collectives that share a normalised key; then an acronym ("EC") and
    the one full name with those initials ("the European Commission"), looking first in the
    acronym's own article. Two full names with the same initials are never linked, and an
    acronym that several full names fit stays its own actor."""
    first: dict[str, int] = {}
    for i, p in enumerate(parsed):
        if p.kind != _GROUP:
            continue
        for key in sorted(group_keys(p.text)):
            if key in first:
                uf.union(first[key], i)
            else:
                first[key] = i
    expansions: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    # acronym root -> (its letters, the sources its acronym mentions come from)
    short: dict[int, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for i, p in enumerate(parsed):
        if p.kind != _GROUP:
            continue
        root = uf.find(i)
        letters = initials(p.text)
        if letters is not None:
            expansions[letters][root].add(mentions[i].source)
        letters = acronym(p.text)
        if letters is not None:
            short[root][0].add(letters)
            short[root][1].add(mentions[i].source)
    links: list[tuple[int, int]] = []
    for root in sorted(short):
        spelled, sources = short[root]
        full: dict[int, set[str]] = defaultdict(set)
        for key in spelled:
            for target, seen in expansions.get(key, {}).items():
                if target != root:
                    full[target] |= seen
        local = [r for r, seen in full.items() if seen & sources]
        if len(local) == 1:
            links.append((root, local[0]))
        elif not local and len(full) == 1:
            links.append((root, next(iter(full))))
    for root, target in links:
        uf.union(root, target)


def _attach_partials(
    mentions: Sequence[Mention], parsed: Sequence[ParsedName], uf: _UnionFind
) -> None:
    """Attach surname-only, initials and role mentions to the one person they can mean.

    Mentions an article already tied together (an actor's name and aliases) are judged as one
    unit, so "Brandt" declared with the role "Foreign Minister" and the alias "Ms. Brandt" uses
    both clues. A unit with no fitting candidate, or with several, stays its own actor.
    Units with a name go first, so that a role reference ("the Ukrainian president") can use
    the roles that surname mentions brought to a person.

    Attaching repeats until nothing changes: "Admiral Brandt" tied to Jonas Brandt by its own
    article gives him the role that lets "Admiral Brandt" in another article pick him over Ilse
    Brandt. One pass would leave that second mention apart, and merging the briefing again
    would attach it, so a briefing would not be stable under re-merging. Only then are the
    unattached units with one key grouped (while their clues agree), and if a grouped unit can
    now attach, the whole process repeats. Each step only ever joins a partial unit to a
    person, never two full names, so two people who share a surname stay apart.
    """
    while True:
        while _attach_units(mentions, parsed, uf, with_names=True) + _attach_units(
            mentions, parsed, uf, with_names=False
        ):
            pass
        if not _group_leftovers(mentions, parsed, uf):
            return


def _partial_units(
    mentions: Sequence[Mention], parsed: Sequence[ParsedName], uf: _UnionFind
) -> tuple[dict[int, _ClusterInfo], dict[int, list[int]]]:
    """Person clusters with a full name, and the units of partial mentions outside them."""
    clusters = _full_clusters(mentions, parsed, uf)
    units: dict[int, list[int]] = defaultdict(list)
    for i, p in enumerate(parsed):
        root = uf.find(i)
        if p.kind != _GROUP and root not in clusters:
            units[root].append(i)
    return clusters, units


def _attach_units(
    mentions: Sequence[Mention], parsed: Sequence[ParsedName], uf: _UnionFind, *, with_names: bool
) -> int:
    """One pass: every unit that fits exactly one person joins them. Returns how many did."""
    clusters, units = _partial_units(mentions, parsed, uf)
    surname_index: dict[str, set[int]] = defaultdict(set)
    role_index: dict[str, set[int]] = defaultdict(set)
    for root, info in clusters.items():
        for key in info.surnames:
            surname_index[key].add(root)
        for office, _ in info.roles:
            for word in office.split():
                role_index[word].add(root)
    attach: list[tuple[int, int]] = []
    for root in sorted(units):
        members = units[root]
        if any(parsed[i].kind == "name" for i in members) != with_names:
            continue
        candidates = _unit_candidates(
            members, mentions, parsed, surname_index, role_index, clusters
        )
        target = _pick(candidates, {mentions[i].source for i in members}, clusters)
        if target is not None:
            attach.append((root, target))
    for root, target in attach:
        uf.union(root, target)
    return len(attach)


def _group_leftovers(
    mentions: Sequence[Mention], parsed: Sequence[ParsedName], uf: _UnionFind
) -> bool:
    """Group the units no person took by their key, while their clues agree. True when any
    two units were joined."""
    _, units = _partial_units(mentions, parsed, uf)
    leftovers: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for root in sorted(units):
        leftovers[min(_partial_key(parsed[i]) for i in units[root])].append(root)
    before = len(units)
    for roots in leftovers.values():
        _union_compatible_units([(r, _unit_clues(units[r], mentions, parsed)) for r in roots], uf)
    return len({uf.find(r) for r in units}) < before


def _unit_clues(
    members: Sequence[int], mentions: Sequence[Mention], parsed: Sequence[ParsedName]
) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    """The honorific genders and role keys a unit of partial mentions carries."""
    genders = frozenset(parsed[i].gender for i in members if parsed[i].gender)
    keys = frozenset(
        k
        for i in members
        for k in (
            role_key(parsed[i].role, mentions[i].affiliation),
            role_key(mentions[i].role, mentions[i].affiliation),
        )
        if k is not None
    )
    return genders, keys  # type: ignore[return-value]


def _union_compatible_units(
    units: Sequence[tuple[int, tuple[frozenset[str], frozenset[tuple[str, str]]]]],
    uf: _UnionFind,
) -> None:
    """Unattached mentions with one key ("Brandt") are one actor only while their clues agree:
    "Ms. Brandt" the minister and "Admiral Brandt" stay two actors."""
    buckets: list[tuple[int, set[str], set[tuple[str, str]]]] = []
    for root, (genders, keys) in units:
        for head, b_genders, b_keys in buckets:
            if len(genders | b_genders) <= 1 and _roles_agree(keys, b_keys):
                uf.union(head, root)
                b_genders |= genders
                b_keys |= keys
                break
        else:
            buckets.append((root, set(genders), set(keys)))


def _roles_agree(a: Iterable[tuple[str, str]], b: Iterable[tuple[str, str]]) -> bool:
    a, b = set(a), set(b)
    if not a or not b:
        return True
    return any(_role_matches(k, b) for k in a) or any(_role_matches(k, a) for k in b)


def _unit_candidates(
    members: Sequence[int],
    mentions: Sequence[Mention],
    parsed: Sequence[ParsedName],
    surnames: dict[str, set[int]],
    roles: dict[str, set[int]],
    clusters: dict[int, _ClusterInfo],
) -> set[int]:
    """Persons every name in the unit can be, narrowed by the unit's roles and honorifics."""
    found: set[int] | None = None
    keys: set[tuple[str, str]] = set()
    genders: set[str] = set()
    for i in members:
        p, m = parsed[i], mentions[i]
        keys.update(
            k
            for k in (role_key(p.role, m.affiliation), role_key(m.role, m.affiliation))
            if k is not None
        )
        if p.gender:
            genders.add(p.gender)
        if p.kind == "name":
            fits = {
                r
                for r in surnames.get(p.surname_key, set())
                if (not p.given or any(_given_compatible(p, g) for g in clusters[r].givens))
                and (not p.suffix or p.suffix in clusters[r].suffixes)
            }
            found = fits if found is None else found & fits
    if found is None:
        found = set()
        for office, place in keys:
            words = office.split()
            pool = set.intersection(*(roles.get(w, set()) for w in words))
            found |= {r for r in pool if _role_matches((office, place), clusters[r].roles)}
    elif keys:
        fitting = {r for r in found if any(_role_matches(k, clusters[r].roles) for k in keys)}
        found = fitting or {r for r in found if not clusters[r].roles}
    if len(genders) == 1:
        gender = next(iter(genders))
        found = {r for r in found if clusters[r].genders <= genders}
        same = {r for r in found if clusters[r].genders == genders}
        found = same or found if gender else found
    return found


@dataclass
class _ClusterInfo:
    sources: set[str] = field(default_factory=set)
    surnames: set[str] = field(default_factory=set)
    givens: list[ParsedName] = field(default_factory=list)
    suffixes: set[str] = field(default_factory=set)
    roles: set[tuple[str, str]] = field(default_factory=set)
    genders: set[str] = field(default_factory=set)


def _full_clusters(
    mentions: Sequence[Mention], parsed: Sequence[ParsedName], uf: _UnionFind
) -> dict[int, _ClusterInfo]:
    """Person clusters that contain at least one full name, with their surnames and roles."""
    infos: dict[int, _ClusterInfo] = defaultdict(_ClusterInfo)
    has_full: set[int] = set()
    for i, p in enumerate(parsed):
        if p.kind == _GROUP:
            continue
        root = uf.find(i)
        info = infos[root]
        info.sources.add(mentions[i].source)
        if p.gender:
            info.genders.add(p.gender)
        if p.kind == "name":
            info.surnames.add(p.surname_key)
            if p.full:
                has_full.add(root)
                info.givens.append(p)
                info.suffixes.add(p.suffix)
        for rkey in (
            role_key(mentions[i].role, mentions[i].affiliation),
            role_key(p.role, mentions[i].affiliation),
        ):
            if rkey is not None:
                info.roles.add(rkey)
    return {root: infos[root] for root in has_full}


def _role_matches(key: tuple[str, str], roles: set[tuple[str, str]]) -> bool:
    """A role mention fits a person when its office words are among the person's office words
    for some role ("admiral" fits "rear admiral") and the places agree or one is unknown."""
    words = set(key[0].split())
    return any(
        words <= set(office.split()) and same_place(key[1], place) for office, place in roles
    )


def _pick(candidates: set[int], sources: set[str], clusters: dict[int, _ClusterInfo]) -> int | None:
    """The single candidate in the same article, else the single candidate overall."""
    local = [c for c in candidates if sources & clusters[c].sources]
    if len(local) == 1:
        return local[0]
    if not local and len(candidates) == 1:
        return next(iter(candidates))
    return None


def _partial_key(p: ParsedName) -> tuple[str, ...]:
    if p.kind == "name":
        return ("name", p.surname_key, p.given_key, p.suffix)
    rkey = role_key(p.role)
    return ("role", *rkey) if rkey else ("text", _clean(p.text).lower())


# --------------------------------------------------------------------------------------------
# Building actors
# --------------------------------------------------------------------------------------------


def _build(mentions: Sequence[Mention], parsed: Sequence[ParsedName], uf: _UnionFind) -> Resolution:
    nodes: dict[int, _Node] = defaultdict(_Node)
    for i, m in enumerate(mentions):
        node = nodes[uf.find(i)]
        node.mentions.append(m)
        node.parsed.append(parsed[i])
    actors: list[Actor] = []
    ranked: dict[tuple[str, str], tuple[int, str]] = {}
    texts: dict[str, set[str]] = defaultdict(set)
    for node in nodes.values():
        if all(m.weak for m in node.mentions):
            continue
        actor = _actor(node)
        actors.append(actor)
        for m in node.mentions:
            # An item's own string resolves where that item mention went; then a declared
            # name; then an alias (two actors can list the same alias).
            rank = 0 if not (m.declared or m.weak) else 1 if m.primary else 2 if m.declared else 3
            for key in ((m.source, m.text), (m.source, _clean(m.text))):
                if key not in ranked or (rank, actor.name) < ranked[key]:
                    ranked[key] = (rank, actor.name)
            texts[_clean(m.text)].add(actor.name)
    by_mention = {key: name for key, (_, name) in ranked.items()}
    by_text = {t: next(iter(names)) for t, names in texts.items() if len(names) == 1}
    actors.sort(key=lambda a: (-len(a.sources), a.name.lower(), a.name, a.aliases, a.sources))
    return Resolution(actors, by_mention, by_text)


def _actor(node: _Node) -> Actor:
    """One actor from a cluster: the fullest name, every alias and role, majority type."""
    name = _canonical_name(node)
    written = {_clean(m.text) for m in node.mentions} | {m.text.strip() for m in node.mentions}
    aliases = sorted(a for a in written if a and a != name)
    roles = _roles(node)
    sources = sorted({s for m in node.mentions for s in (m.sources or (m.source,))})
    return Actor(
        name=name,
        aliases=aliases,
        role=_main_role(node),
        roles=roles,
        type=_actor_type(node),
        affiliation=_most_common([m.affiliation for m in node.mentions if m.affiliation]),
        sources=sources,
    )


def _canonical_name(node: _Node) -> str:
    """The fullest name form; ties go to the spelling most sources use, then the alphabet."""
    forms: Counter[str] = Counter()
    sources: dict[str, set[str]] = defaultdict(set)
    primary: dict[str, set[str]] = defaultdict(set)
    named: set[str] = set()
    for m, p in zip(node.mentions, node.parsed, strict=True):
        form = p.display or _strip_article(_clean(m.text))
        if form:
            forms[form] += 1
            sources[form].update(m.sources or (m.source,))
            if m.primary:
                primary[form].update(m.sources or (m.source,))
            if p.kind == "name":
                named.add(form)
    if not forms:
        return _clean(node.mentions[0].text)
    person = bool(named)

    def rank(form: str) -> tuple[int, int, int, int, int, int, str]:
        # a person is named by a name ("Merz"), never by an office ("German Chancellor")
        tokens, declared = len(form.split()), len(primary[form])
        first, second = (tokens, declared) if person else (declared, tokens)
        by_name = int(person and form not in named)
        return (by_name, -first, -second, -len(sources[form]), -forms[form], -len(form), form)

    return min(forms, key=rank)


def _mention_roles(m: Mention, node: _Node) -> list[str]:
    out = [m.role] if m.role else []
    p = parse_name(m.text, m.type)
    if p.role and p.kind in ("name", "role"):
        out.append(p.role)
    return [r.strip() for r in out if r.strip()]


def _main_role(node: _Node) -> str | None:
    """The role articles declare for the actor most often (an ``Actor.role``), then the role
    seen most often, then the longest."""
    declared: dict[str, set[str]] = defaultdict(set)
    for m in node.mentions:
        if m.primary and m.role:
            declared[m.role.strip()].update(m.sources or (m.source,))
    counts = Counter(r for m in node.mentions for r in _mention_roles(m, node))
    if not counts:
        return None
    return min(counts, key=lambda r: (-len(declared.get(r, ())), -counts[r], -len(r), r))


def _roles(node: _Node) -> list[str]:
    """Every role seen, once per spelling that differs in more than case (the capitalised
    spelling kept, so the choice depends only on the set of spellings)."""
    seen: dict[str, set[str]] = defaultdict(set)
    for m in node.mentions:
        for r in _mention_roles(m, node):
            seen[r.lower()].add(r)
    chosen = [min(v, key=lambda r: (-sum(ch.isupper() for ch in r), r)) for v in seen.values()]
    return sorted(chosen, key=lambda r: (r.lower(), r))


_TYPE_PRIORITY: dict[str, int] = {
    "person": 0,
    "government": 1,
    "organisation": 2,
    "collective": 3,
    "other": 4,
}


def _actor_type(node: _Node) -> ActorType:
    declared = [m.type for m in node.mentions if m.type is not None]
    if declared:
        counts = Counter(declared)
        return min(counts, key=lambda t: (-counts[t], _TYPE_PRIORITY[t]))
    if any(p.kind in ("name", "role") for p in node.parsed):
        return "person"
    words = {_word(w) for p in node.parsed for w in p.text.split()}
    if words & _GROUP_WORDS:
        return "collective"
    return "organisation"


def _most_common(values: Sequence[str]) -> str | None:
    if not values:
        return None
    counts = Counter(values)
    return min(counts, key=lambda v: (-counts[v], -len(v), v))
