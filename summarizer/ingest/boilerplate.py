"""Web-page boilerplate in plain article text: find it, line by line, and leave the story alone.

Copies of news stories carry page furniture: share widgets ("Share", "Twitter Facebook Reddit"),
comment forms ("Leave a Comment", "Your email address will not be published."), aggregator
footers ("Source link", "Exit mobile version"), photo credits and captions, "SEE ALSO:" links.
The model should not read them, but the user's file must stay as it is, because evidence
offsets refer to it. So this module only ever removes **whole lines**: every line of
:func:`strip_boilerplate`'s ``text`` is a line of the input, verbatim and in order.

The rules are conservative on purpose; a line is removed only when it is

* a known widget, footer or form line, matched as the whole line (``_WHOLE_LINE``);
* a label line: "SEE ALSO: ...", "READ MORE: ...", "Site icon ...", a bare "Updated:";
* a one-word section label ("News", "World") among the first lines of the page;
* a photo credit: a line that *ends* with "Photo: AAP" / "Credit: Skynews" (a caption with
  its credit), or a line that is only a credit; a caption written directly against a credit
  line (no blank line between) and standing in its own block goes with it: a short title
  without a full stop, or, beside a bare credit, a short sentence with no quotation marks and
  no reporting verb ("said", "told", ...). The first line (the headline) always stays;
* a short headline in a "Related Posts" list.

A story sentence is never removed for what it says; it can only go when it shares a line with a
photo credit at its end, which is how captions, not stories, are written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_WIDGET_WORDS = frozenset(
    {
        "share", "tweet", "twitter", "x", "facebook", "reddit", "pinterest", "email", "e-mail",
        "whatsapp", "linkedin", "telegram", "print", "tumblr", "messenger", "flipboard", "pocket",
        "copy", "link", "save", "comment", "comments",
    }
)  # fmt: skip

_WHOLE_LINE = re.compile(
    r"""^(?:
        share(?:\ this(?:\ (?:article|story|post|page))?)?(?:\ on\ \w+)?
      | spread\ the\ love
      | source\ link
      | leave\ a\ (?:comment|reply)
      | exit\ mobile\ version
      | scroll\ to\ top
      | skip\ to\ (?:main\ )?content
      | advertisement | sponsored(?:\ content)?
      | related(?:\ (?:posts|articles|stories|news|content))?
      | more\ (?:from|on)\ [\w\ ]{1,30}
      | you\ may\ also\ like | recommended(?:\ for\ you)?
      | (?:your\ )?email\ address\ will\ not\ be\ published\.?
        (?:\ required\ fields\ are\ marked\ \*?)?
      | required\ fields\ are\ marked\ \*?
      | (?:post\ )?comment | cancel\ reply | reply
      | (?:click|tap)\ (?:here\ )?to\ share.*
      | subscribe(?:\ (?:now|to\ our\ newsletter))?
      | sign\ up\ for\ our\ newsletter.*
      | (?:all\ )?rights\ reserved\.?
      | ©.{0,80}
      | copyright\ ©?\ ?\d{4}.{0,80}
    )$""",
    re.IGNORECASE | re.VERBOSE,
)

_LABEL_LINE = re.compile(
    r"""^(?:
        (?:see\ also|read\ more|read\ also|also\ read|related|watch|listen|more)\ ?:\ .{1,200}
      | site\ icon\ .{1,200}
      | (?:updated|published|posted|last\ updated)\ ?:?
    )$""",
    re.IGNORECASE | re.VERBOSE,
)

_SECTION_LABELS = frozenset(
    {
        "news", "world", "world news", "politics", "europe", "business", "opinion", "analysis",
        "latest", "breaking", "breaking news", "home", "top stories", "international", "us news",
        "uk news", "australia", "asia", "americas", "middle east", "africa", "ukraine",
    }
)  # fmt: skip

# A credit at the end of a line: "... Photo: AAP", "(Photo: Reuters)", "Credit: Skynews".
_CREDIT_TAIL = re.compile(
    r"(?:^|[\s.(])(?:photo(?:graph)?|image|picture|pic|credit|photo\ credit|image\ credit"
    r"|source)s?\ ?:\ ?[^.!?:\"“”]{1,50}\)?\s*$",
    re.IGNORECASE | re.VERBOSE,
)
_CREDIT_ONLY = re.compile(
    r"^\(?(?:photo(?:graph)?|image|picture|credit|photo\ credit|image\ credit|source)s?\ ?:\ ?"
    r"[^.!?:\"“”]{1,50}\)?$",
    re.IGNORECASE | re.VERBOSE,
)
_WIRE_CREDIT = re.compile(r"^[-–—]+\s*(?:with|via|from)\s+([A-Z][\w.&' ]{1,30})$")
_QUOTE_MARKS = re.compile('["“”«»„]')
_REPORTING = re.compile(
    r"\b(?:said|says|say|told|tells|added|adds|announced|according|stated|wrote|asked)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")

HEAD_LINES = 6
CAPTION_MAX_WORDS = 25
CAPTION_TITLE_MAX_WORDS = 8
RELATED_MAX_WORDS = 16


@dataclass(frozen=True)
class Line:
    """One line of the text, with its line ending, and where it starts."""

    start: int
    raw: str

    @property
    def content(self) -> str:
        return self.raw.strip()

    @property
    def end(self) -> int:
        return self.start + len(self.raw)


@dataclass(frozen=True)
class Removed:
    """A removed line: its offsets in the original text, the line, and which rule matched."""

    start: int
    end: int
    line: str
    rule: str


@dataclass
class Cleaned:
    """The text with boilerplate lines removed, and what was removed."""

    text: str
    removed: list[Removed] = field(default_factory=list)
    wire_credit: str | None = None


def split_lines(text: str) -> list[Line]:
    """The text's lines with their endings kept: ``"".join(raw)`` is ``text``."""
    lines: list[Line] = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        lines.append(Line(pos, raw))
        pos += len(raw)
    return lines


def _words(text: str) -> int:
    return len(text.split())


def is_widget_line(content: str) -> bool:
    """A row of share buttons: "Twitter Facebook Reddit Pinterest Email"."""
    tokens = [t.strip("|·•,/").lower() for t in content.split()]
    tokens = [t for t in tokens if t]
    return len(tokens) >= 2 and all(t in _WIDGET_WORDS for t in tokens)


def is_credit_line(content: str) -> bool:
    """A caption ending in a photo credit, or a bare credit ("Photo: AAP")."""
    if _CREDIT_ONLY.match(content):
        return True
    return (
        _words(content) <= 60
        and _CREDIT_TAIL.search(content) is not None
        and bool(re.search(r"\b(?:photo|image|picture|pic|credit)s?\b", content, re.IGNORECASE))
    )


def line_rule(content: str, index: int) -> str | None:
    """Which rule, if any, makes this (stripped) line boilerplate; ``index`` counts non-blank
    lines from the top of the text (section labels are only looked for near the top)."""
    if not content:
        return None
    if _WHOLE_LINE.match(content):
        return "footer"
    if is_widget_line(content):
        return "share widget"
    if _LABEL_LINE.match(content):
        return "label"
    if index < HEAD_LINES and content.lower().rstrip(":") in _SECTION_LABELS:
        return "section label"
    if _WIRE_CREDIT.match(content):
        return "wire credit"
    if is_credit_line(content):
        return "photo credit"
    return None


def is_caption(content: str, *, bare_credit: bool) -> bool:
    """Could this line be a caption? A short title without a full stop ("Trump and Zelensky"),
    or, beside a bare credit line, a short descriptive sentence: no quotation marks and no
    reporting verb, which a story paragraph nearly always has."""
    if _words(content) <= CAPTION_TITLE_MAX_WORDS and not _SENTENCE_END.search(content):
        return True
    return (
        bare_credit
        and _words(content) <= CAPTION_MAX_WORDS
        and not _QUOTE_MARKS.search(content)
        and not _REPORTING.search(content)
    )


def _caption_neighbours(lines: list[Line], rules: dict[int, str]) -> None:
    """A caption written against a credit line, no blank between, standing in its own block
    (never the headline, the first line)."""
    first = next((n for n, line in enumerate(lines) if line.content), -1)
    for i, rule in list(rules.items()):
        if rule != "photo credit":
            continue
        bare_credit = _CREDIT_ONLY.match(lines[i].content) is not None
        for j in (i - 1, i + 1):
            if not 0 <= j < len(lines) or j in rules or j == first or not lines[j].content:
                continue
            if is_caption(lines[j].content, bare_credit=bare_credit) and _isolated(
                lines, rules, j + (j - i)
            ):
                rules[j] = "photo caption"


def _isolated(lines: list[Line], rules: dict[int, str], away: int) -> bool:
    """True when the line on the far side of a caption (away from its credit) is blank, missing
    or boilerplate: a caption stands in its own block, a story paragraph has neighbours."""
    return away < 0 or away >= len(lines) or not lines[away].content or away in rules


def _related_lists(lines: list[Line], rules: dict[int, str]) -> None:
    """Headlines listed under "Related Posts", up to the next boilerplate or story line."""
    for i, line in enumerate(lines):
        if not re.match(r"^(?:related|more from|you may also like)", line.content, re.I):
            continue
        if rules.get(i) != "footer":
            continue
        for j in range(i + 1, len(lines)):
            content = lines[j].content
            if not content:
                continue
            if j in rules:
                break
            if _words(content) > RELATED_MAX_WORDS or _SENTENCE_END.search(content):
                break
            rules[j] = "related headline"


def find_boilerplate(text: str) -> dict[int, str]:
    """Line index -> rule, for every boilerplate line of ``text``."""
    lines = split_lines(text)
    rules: dict[int, str] = {}
    nonblank = 0
    for i, line in enumerate(lines):
        rule = line_rule(line.content, nonblank)
        if line.content:
            nonblank += 1
        if rule:
            rules[i] = rule
    _caption_neighbours(lines, rules)
    _related_lists(lines, rules)
    return rules


def strip_boilerplate(text: str) -> Cleaned:
    """Remove boilerplate lines; keep every other line verbatim, in order.

    Blank lines left in a run by a removal are folded into one, so the result reads like the
    story; the text is never otherwise changed.
    """
    lines = split_lines(text)
    rules = find_boilerplate(text)
    kept: list[str] = []
    removed: list[Removed] = []
    wire: str | None = None
    for i, line in enumerate(lines):
        rule = rules.get(i)
        if rule is None:
            if line.content or (kept and kept[-1].strip()):
                kept.append(line.raw)
            continue
        removed.append(Removed(line.start, line.end, line.content, rule))
        match = _WIRE_CREDIT.match(line.content)
        if match:
            wire = match.group(1).strip()
    while kept and not kept[-1].strip():
        kept.pop()
    return Cleaned(text="".join(kept), removed=removed, wire_credit=wire)
