"""The data model: what the model fills in, what one article yields, and the merged briefing.

Two layers, on purpose:

* **Draft models** (``ArticleDraft`` and its items) are what the LLM fills through instructor.
  They carry a ``quote`` but no offsets and no source ids: a model cannot count characters, so
  offsets are computed by :mod:`summarizer.extract.grounding`. When instructor validates a draft
  with the
  article text in its validation context, a quote that cannot be found in the article is a
  validation error, and instructor re-asks the model with that reason.
* **Stored models** (``ArticleExtraction``, ``Briefing``) carry :class:`Evidence` with exact
  character offsets into the article file's decoded text, so anyone can check an item with
  nothing but ``text[start:end] == quote``.

The vocabulary (stance polarity, commitment status, modality, actor type) follows political
event coding (PLOVER), political claims analysis and FactBank-style certainty; see
``eval/GUIDELINES.md`` for how each label is meant to be used.

This module does no I/O and never imports the model client.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    computed_field,
    create_model,
    field_validator,
)

from summarizer.extract.locate import locate

SCHEMA_VERSION = "1"

ActorType = Literal["person", "government", "organisation", "collective", "other"]
Polarity = Literal["supports", "opposes", "conditional", "undecided"]
CommitmentStatus = Literal["firm", "conditional", "proposed", "refused", "disputed"]
Modality = Literal["future", "hypothetical", "negated", "historical"]
QuestionReason = Literal["not_announced", "disputed", "conditional", "unknown"]
MatchKind = Literal["exact", "normalized", "fuzzy"]

# Caps keep a small local model from looping forever inside a grammar (list caps become maxItems
# in the JSON schema; string caps are checked on validation); generous for a real model.
MAX_QUOTE_CHARS = 600
Short = Annotated[str, Field(max_length=300)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=False)


# --------------------------------------------------------------------------------------------
# Draft models: what the LLM fills in.
# --------------------------------------------------------------------------------------------


def _lean(node: Any, defs: dict[str, Any]) -> Any:
    """A draft schema node reduced to what constrains an answer: types, enums, list limits,
    required keys; ``$ref`` inlined (each definition is used once), optional strings as plain
    strings (left out when there is none), no ``type`` beside an enum."""
    if isinstance(node, list):
        return [_lean(x, defs) for x in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _lean(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
    if [branch.get("type") for branch in node.get("anyOf", ())] == ["string", "null"]:
        return {"type": "string"}  # optional: not in "required", and null still validates
    dropped = {"title", "description", "default", "maxLength", "$defs"}
    if "enum" in node:
        dropped.add("type")  # implied by the enum's strings
    return {k: _lean(v, defs) for k, v in node.items() if k not in dropped}


class _Draft(_Model):
    """Base of what the model fills in.

    Its JSON schema travels as the tool definition with every extraction request. Field
    titles and descriptions there repeated what the system prompt says
    (``prompts/extract_v3.system.j2``) and cost about 1,500 tokens a request, so the schema
    keeps only what constrains an answer (:func:`_lean`); the descriptions stay in the code
    for readers, and string length limits are still enforced when an answer is validated.
    """

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        full = super().model_json_schema(*args, **kwargs)
        lean: dict[str, Any] = _lean(full, full.get("$defs", {}))
        lean["title"] = full["title"]  # the tool's name
        return lean


def _check_quote(value: str, info: ValidationInfo) -> str:
    """Reject a quote that is not in the article, when the article is in the context."""
    value = value.strip()
    if not value:
        raise ValueError("the quote is empty; copy a sentence from the article")
    context = info.context or {}
    text = context.get("article_text")
    if isinstance(text, str) and locate(value, text) is None:
        raise ValueError(
            "this quote does not appear in the article; copy the words exactly as they stand "
            f"in the article text: {value[:120]!r}"
        )
    return value


class DraftActor(_Draft):
    """A person, government, organisation or group that says or does something in the article."""

    name: Short = Field(description="Full name as written in the article, e.g. 'Friedrich Merz'.")
    role: Short | None = Field(
        default=None,
        description="Office or role as the article gives it, e.g. 'German Chancellor'.",
    )
    type: ActorType = Field(
        default="person",
        description="person, government (a state or its ministry), organisation (NATO, a company),"
        " collective (e.g. 'European leaders'), or other.",
    )
    affiliation: Short | None = Field(
        default=None, description="Country or organisation the actor belongs to, e.g. 'Germany'."
    )


class DraftPosition(_Draft):
    """What an actor thinks should happen on one issue, as the article reports it."""

    actor: Short = Field(description="Who holds the position (a name from the actors list).")
    issue: Short = Field(description="The issue, in a few words, e.g. 'ceasefire before talks'.")
    stance: Short = Field(description="The position in one short sentence of your own words.")
    polarity: Polarity = Field(
        description="supports / opposes / conditional (supports only if something happens) /"
        " undecided."
    )
    attributed_by: Short | None = Field(
        default=None,
        description="Set when the article learns the position from someone else, e.g. 'Witkoff'"
        " for 'Witkoff said Putin was open to ...'.",
    )
    quote: str = Field(
        max_length=MAX_QUOTE_CHARS,
        description="Exact words copied from the article that show this position.",
    )

    _quote = field_validator("quote")(_check_quote)


class DraftCommitment(_Draft):
    """A promise, pledge, offer or refusal to act that an actor made."""

    actor: Short = Field(description="Who commits (or refuses).")
    beneficiary: Short | None = Field(default=None, description="To whom or for whom, if stated.")
    action: Short = Field(description="What they commit to do, in a few words.")
    conditions: list[Short] = Field(
        default_factory=list,
        description="Conditions attached, e.g. 'if a peace deal is agreed'. Empty if none.",
    )
    timeframe: Short | None = Field(
        default=None, description="When, as written, e.g. 'within two weeks'. Null if none."
    )
    status: CommitmentStatus = Field(
        description="firm (stated as certain) / conditional (depends on a condition) / proposed"
        " (offered, floated, not agreed) / refused (declined) / disputed (others deny it)."
    )
    modality: Modality = Field(
        default="future",
        description="future / hypothetical / negated (explicitly not done) / historical.",
    )
    quote: str = Field(
        max_length=MAX_QUOTE_CHARS,
        description="Exact words copied from the article that state the commitment.",
    )

    _quote = field_validator("quote")(_check_quote)


class DraftOpenQuestion(_Draft):
    """Something the article says is not yet decided, known, confirmed or agreed."""

    question: Short = Field(description="The open question, phrased as a question.")
    reason: QuestionReason = Field(
        description="not_announced / disputed (parties disagree) / conditional (waits on"
        " something else) / unknown (the article says it is unclear)."
    )
    quote: str = Field(
        max_length=MAX_QUOTE_CHARS,
        description="Exact words copied from the article that show it is open.",
    )

    _quote = field_validator("quote")(_check_quote)


class DraftFact(_Draft):
    """A checkable detail other outlets may report differently: an amount, date, place, count."""

    topic: Short = Field(
        description="What the value describes, e.g. 'Ukraine weapons purchase amount'."
    )
    value: Short = Field(description="The value as the article gives it, e.g. '$90 billion'.")
    quote: str = Field(
        max_length=MAX_QUOTE_CHARS,
        description="Exact words copied from the article that give the value.",
    )

    _quote = field_validator("quote")(_check_quote)


class ArticleDraft(_Draft):
    """One article's items."""

    # Required (no defaults): a constrained decoder must then write every key instead of
    # closing the object at once; an empty list is still a valid answer.
    actors: list[DraftActor] = Field(max_length=20)
    positions: list[DraftPosition] = Field(max_length=20)
    commitments: list[DraftCommitment] = Field(max_length=15)
    open_questions: list[DraftOpenQuestion] = Field(max_length=10)
    facts: list[DraftFact] = Field(max_length=15)

    @classmethod
    def empty(cls) -> ArticleDraft:
        return cls(actors=[], positions=[], commitments=[], open_questions=[], facts=[])


#: The draft's lists, in the order the model writes them (an answer cut at ``max_tokens``
#: has the earlier ones complete).
DRAFT_KINDS: tuple[str, ...] = tuple(ArticleDraft.model_fields)


@lru_cache(maxsize=32)
def draft_model(kinds: tuple[str, ...]) -> type[_Draft]:
    """The draft model holding only ``kinds`` (all of them: :class:`ArticleDraft` itself).

    A continuation after a cut answer asks for the lists the answer never finished, and the
    tool schema then offers only those, so the model cannot spend its tokens on the others.
    """
    if kinds == DRAFT_KINDS:
        return ArticleDraft
    unknown = set(kinds) - set(DRAFT_KINDS)
    if unknown or not kinds:
        raise ValueError(f"unknown draft lists {sorted(unknown)}")
    fields: dict[str, Any] = {
        k: (ArticleDraft.model_fields[k].annotation, ArticleDraft.model_fields[k]) for k in kinds
    }
    model: type[_Draft] = create_model(
        "ArticleDraftRest", __base__=_Draft, __doc__="The remaining lists of the article.", **fields
    )
    return model


# --------------------------------------------------------------------------------------------
# Stored models: grounded, with offsets.
# --------------------------------------------------------------------------------------------


class Source(_Model):
    """One input article."""

    id: str = Field(description="Stable id: the file name without its extension.")
    title: str = ""
    outlet: str = ""
    path: str = ""
    date: str | None = Field(default=None, description="Publication date (ISO) when known.")
    url: str | None = None
    sha256: str | None = Field(
        default=None,
        description="SHA-256 of the text the offsets refer to: an edited article is caught "
        "even where a quote still matches (summarizer verify).",
    )


class Evidence(_Model):
    """A verbatim quote and where it stands: ``text[start:end] == quote`` for the source file."""

    source: str
    quote: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    speaker: str | None = None
    match: MatchKind = Field(
        default="exact", description="How the model's quote was located in the text."
    )


class _Sourced(_Model):
    sources: list[str] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def support(self) -> int:
        """How many distinct sources back the item (1 = single-source)."""
        return len(set(self.sources))


class Actor(_Model):
    name: str
    aliases: list[str] = Field(default_factory=list)
    role: str | None = None
    roles: list[str] = Field(default_factory=list, description="Every role seen, across sources.")
    type: ActorType = "person"
    affiliation: str | None = None
    sources: list[str] = Field(default_factory=list)


class Position(_Sourced):
    actor: str
    issue: str
    stance: str
    polarity: Polarity = "supports"
    attributed_by: str | None = None


class Commitment(_Sourced):
    actor: str
    beneficiary: str | None = None
    action: str
    conditions: list[str] = Field(default_factory=list)
    timeframe: str | None = None
    date: str | None = Field(default=None, description="Resolved ISO date, when resolvable.")
    status: CommitmentStatus = "firm"
    modality: Modality = "future"


class OpenQuestion(_Sourced):
    question: str
    reason: QuestionReason = "unknown"


class Fact(_Sourced):
    topic: str
    value: str


Item = Position | Commitment | OpenQuestion | Fact
ItemKind = Literal["positions", "commitments", "open_questions", "facts"]
#: The four item lists of an extraction or a briefing, in the order they are shown.
ITEM_KINDS: tuple[ItemKind, ...] = ("positions", "commitments", "open_questions", "facts")


def identity(item: Item) -> str:
    """The text that identifies an item: its issue, action, question or topic."""
    if isinstance(item, Position):
        return item.issue
    if isinstance(item, Commitment):
        return item.action
    if isinstance(item, OpenQuestion):
        return item.question
    return item.topic


def key_attribute(item: Item) -> tuple[str, str]:
    """The attribute that says what an item asserts about its identity, with its name:
    a position's polarity, a commitment's status, a question's reason, a fact's value."""
    if isinstance(item, Position):
        return "polarity", item.polarity
    if isinstance(item, Commitment):
        return "status", item.status
    if isinstance(item, OpenQuestion):
        return "reason", item.reason
    return "value", item.value


class Claim(_Model):
    """One source's value in a conflict, with its quote and offsets."""

    source: str
    value: str
    quote: str
    start: int | None = None
    end: int | None = None
    resolved: str | None = Field(
        default=None, description="For dates: the ISO day(s) the value means in its article."
    )
    flag: str | None = Field(default=None, description="Why a date could not be resolved.")


class Conflict(_Model):
    """Sources give different values for the same thing. The merge never picks a winner."""

    topic: str
    kind: str = Field(default="value", description="amount / date / count / outcome / value.")
    claims: list[Claim] = Field(default_factory=list)
    note: str | None = Field(
        default=None, description="A possible explanation, e.g. the same moment in two time zones."
    )


class Dropped(_Model):
    """An item the model produced whose quote could not be located; counted, never kept."""

    source: str
    kind: str
    quote: str
    reason: str


class Failure(_Model):
    """An input that produced nothing: unreadable file, or a model call that failed for good."""

    source: str
    reason: str


class Gap(_Model):
    """Lists of an article the model's answers never completed: items there may be missing.

    An answer cut at ``max_tokens`` is continued for the lists it did not finish; a list that
    is cut even when asked for alone keeps its complete items and is named here, so the
    briefing is marked partial instead of silently short.
    """

    source: str
    kinds: list[str] = Field(default_factory=list, description="The lists affected.")
    reason: str


class Usage(_Model):
    """Tokens and calls; ``by_kind`` splits them by what the calls were for."""

    prompt_tokens: int = 0
    cached_tokens: int = Field(
        default=0, description="Of the prompt tokens, those the server reported as cached."
    )
    completion_tokens: int = 0
    calls: int = 0
    by_kind: dict[str, Usage] = Field(
        default_factory=dict,
        description="extraction (continuations included), reask (validation re-asks), "
        "summary, merge (labels, disagreements, pair questions); other for anything else.",
    )

    def __add__(self, other: Usage) -> Usage:
        kinds = dict(self.by_kind)
        for kind, usage in other.by_kind.items():
            kinds[kind] = kinds[kind] + usage if kind in kinds else usage
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            cached_tokens=self.cached_tokens + other.cached_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            calls=self.calls + other.calls,
            by_kind=kinds,
        )

    def as_kind(self, kind: str) -> Usage:
        """These totals, all of ``kind``."""
        flat = self.model_copy(update={"by_kind": {}})
        return flat.model_copy(update={"by_kind": {kind: flat}})


class ArticleExtraction(_Model):
    """One article's grounded items."""

    schema_version: str = SCHEMA_VERSION
    source: Source
    actors: list[Actor] = Field(default_factory=list)
    positions: list[Position] = Field(default_factory=list)
    commitments: list[Commitment] = Field(default_factory=list)
    open_questions: list[OpenQuestion] = Field(default_factory=list)
    facts: list[Fact] = Field(default_factory=list)
    dropped: list[Dropped] = Field(default_factory=list)
    gaps: list[Gap] = Field(default_factory=list)
    model: str | None = None
    usage: Usage = Field(default_factory=Usage)
    labelled_by: str | None = Field(
        default=None, description="Set on hand-labelled gold: who labelled it and how."
    )


class SummarySentence(_Model):
    """One sentence of the event summary, with the briefing items and sources it rests on."""

    text: str
    items: list[str] = Field(default_factory=list, description="Item ids, e.g. 'P1', 'C2'.")
    sources: list[str] = Field(default_factory=list)


class Event(_Model):
    title: str = ""
    summary: str = Field(default="", description="The summary, each sentence with [sources].")
    sentences: list[SummarySentence] = Field(default_factory=list)


class Briefing(_Model):
    """The merged, source-grounded briefing for one event."""

    schema_version: str = SCHEMA_VERSION
    event: Event = Field(default_factory=Event)
    sources: list[Source] = Field(default_factory=list)
    actors: list[Actor] = Field(default_factory=list)
    positions: list[Position] = Field(default_factory=list)
    commitments: list[Commitment] = Field(default_factory=list)
    open_questions: list[OpenQuestion] = Field(default_factory=list)
    facts: list[Fact] = Field(default_factory=list)
    conflicts: list[Conflict] = Field(default_factory=list)
    dropped: list[Dropped] = Field(default_factory=list)
    missing_sources: list[str] = Field(
        default_factory=list, description="Articles that failed; the briefing is partial."
    )
    failures: list[Failure] = Field(default_factory=list, description="Why each one failed.")
    gaps: list[Gap] = Field(
        default_factory=list,
        description="Lists the model never completed; the briefing is partial.",
    )
    model: str | None = None
    merged_by: str | None = Field(
        default=None,
        description="How items were folded: by rules alone (no model) or by a model's labels.",
    )
    notice: str | None = Field(default=None, description="E.g. that a tiny demo model was used.")
    usage: Usage = Field(default_factory=Usage)
    labelled_by: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def partial(self) -> bool:
        return bool(self.missing_sources or self.gaps)


def json_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schemas written to ``schemas/`` (kept in sync by a test)."""
    return {
        "article_extraction.schema.json": ArticleExtraction.model_json_schema(mode="serialization"),
        "briefing.schema.json": Briefing.model_json_schema(mode="serialization"),
        "article_draft.schema.json": ArticleDraft.model_json_schema(),
    }
