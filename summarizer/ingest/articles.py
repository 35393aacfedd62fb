"""Files and folders -> :class:`Article` objects.

``Article.text`` is the text every evidence offset refers to, so a user can check
``text[start:end]`` with nothing but the file:

* ``.txt`` / ``.text`` / ``.md`` / ``.markdown``: the file's decoded content, unchanged;
* ``.json`` / ``.jsonl``: each record's ``text`` field, unchanged (plus optional ``title``,
  ``outlet``, ``date``, ``url``, ``id``);
* ``.html`` / ``.htm``: the page's main text as extracted by trafilatura. That text is not a
  file on disk, so ``summarizer text PAGE.html`` prints exactly it.

What the model reads (``Article.prompt_text``) is ``text`` with whole boilerplate lines removed
(share widgets, comment forms, photo credits: see :mod:`summarizer.ingest.boilerplate`) and without
a
Markdown file's front matter. Every line of ``prompt_text`` is a line of ``text``, so a quote the
model copies from it is found in ``text`` again by grounding.

Title, outlet and date come from the record or the page's metadata when given, else they are
guessed from the top of the text (:func:`guess_metadata`). An article's id is its file name
without the extension, or the record's ``id`` (``-2``, ``-3`` added on a clash, in input order):
the same inputs give the same ids on every run.

Every problem is an :class:`InputError` that names the file. Loading a folder collects the
problems of all its files instead of stopping at the first (see :func:`load_articles`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from summarizer.errors import InputError
from summarizer.ingest.boilerplate import Cleaned, split_lines, strip_boilerplate
from summarizer.schema import Source

TEXT_SUFFIXES = (".txt", ".text", ".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm")
RECORD_SUFFIXES = (".json", ".jsonl")
ARTICLE_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + RECORD_SUFFIXES
TITLE_MAX_CHARS = 200
HEAD_LINES = 8

_MONTHS = {
    name: n
    for n, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ],
        1,
    )
    for name in names
}  # fmt: skip
_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
_DATE_PATTERNS = (
    re.compile(r"\b(?P<year>\d{4})-(?P<m>\d{2})-(?P<day>\d{2})\b"),
    re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)? {_MONTH},? (?P<year>\d{{4}})\b"),
    re.compile(rf"\b{_MONTH} (?P<day>\d{{1,2}})(?:st|nd|rd|th)?,? (?P<year>\d{{4}})\b"),
)
_DATE_LABEL = re.compile(r"^(?:published|updated|posted|last updated|date)\b", re.IGNORECASE)
_DATELINE = re.compile(r"^[A-Z][A-Z .'-]+,[^()\n]{0,30}\((?P<outlet>[^()\n]{2,40})\)\s*[-–—]")
_SITE_ICON = re.compile(r"^site icon\s+(?P<outlet>[^:|–—]{2,60})", re.IGNORECASE)
_NAME_LINE = re.compile(r"^(?:The )?[A-Z][\w&'.-]*(?: [A-Z][\w&'.-]*){0,3}$")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?P<body>.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


@dataclass(frozen=True)
class Article:
    """One article: the exact text, and what we know about where it came from."""

    id: str
    text: str
    path: str = ""
    title: str = ""
    outlet: str = ""
    date: str | None = None
    url: str | None = None
    encoding: str = "utf-8"
    notes: tuple[str, ...] = ()
    prompt_text: str = field(default="")

    def __post_init__(self) -> None:
        if not self.prompt_text:
            object.__setattr__(self, "prompt_text", self.text)

    @property
    def digest(self) -> str:
        """SHA-256 of the text: identical articles under two names are one article."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def source(self) -> Source:
        return Source(
            id=self.id,
            title=self.title,
            outlet=self.outlet,
            path=self.path,
            date=self.date,
            url=self.url,
            sha256=self.digest,
        )

    @classmethod
    def from_text(
        cls,
        text: str,
        *,
        id: str,
        title: str = "",
        outlet: str = "",
        date: str | None = None,
        url: str | None = None,
        path: str = "",
    ) -> Article:
        """An article from a string (Python API): boilerplate is kept from the model, and the
        title, outlet and date not given are guessed from the text."""
        if not text.strip():
            raise InputError(id or "(text)", "the article text is empty")
        given = {"title": title, "outlet": outlet, "date": date, "url": url}
        return build_article(text, id=id, path=path, meta=given)


# ---------------------------------------------------------------------------------------------
# Metadata guessed from the text.
# ---------------------------------------------------------------------------------------------


def _head(text: str, limit: int = HEAD_LINES) -> list[str]:
    """The first non-blank lines of ``text``, stripped."""
    out: list[str] = []
    for line in split_lines(text):
        if line.content:
            out.append(line.content)
            if len(out) >= limit:
                break
    return out


def guess_title(text: str) -> str:
    """The headline: the first line, or a repeat of it below without a section prefix
    ("News Trump meets ..." then "Trump meets ...")."""
    head = _head(text, 4)
    if not head:
        return ""
    first = head[0].lstrip("#").strip()
    for line in head[1:]:
        if line != first and first.endswith(" " + line) and len(line) >= 20:
            first = line
            break
    return first[:TITLE_MAX_CHARS]


def parse_date(line: str) -> str | None:
    """An ISO date from the first full date in ``line`` ("18 November 2026", "Nov 17, 2026")."""
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(line):
            parts = match.groupdict()
            month = int(parts["m"]) if parts.get("m") else _MONTHS.get(parts["month"].lower())
            year, day = int(parts["year"]), int(parts["day"])
            if month and 1 <= month <= 12 and 1 <= day <= 31 and 1900 <= year <= 2100:
                return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def guess_date(text: str) -> str | None:
    """A publication date from a date line near the top ("Published 18 November 2026")."""
    for line in _head(text, HEAD_LINES + 4):
        if len(line.split()) <= 10 or _DATE_LABEL.match(line):
            found = parse_date(line)
            if found:
                return found
    return None


def guess_outlet(text: str, cleaned: Cleaned | None = None) -> str:
    """The outlet: a "Site icon" line, a name line beside a date line, a wire dateline
    ("CORVENNA, Nov 17 (Harbor Wire) -"), or a closing wire credit ("-with AAP")."""
    head = _head(text, HEAD_LINES)
    for line in head:
        match = _SITE_ICON.match(line)
        if match:
            return match.group("outlet").strip()
    for i, line in enumerate(head[1:], 1):
        beside = head[i - 1 : i] + head[i + 1 : i + 2]
        if _NAME_LINE.match(line) and any(parse_date(b) and len(b.split()) <= 6 for b in beside):
            return line
    for line in head:
        match = _DATELINE.match(line)
        if match:
            return match.group("outlet").strip()
    wire = (cleaned or strip_boilerplate(text)).wire_credit
    return wire or ""


def front_matter(text: str) -> tuple[dict[str, str], int]:
    """Simple ``key: value`` front matter of a Markdown file, and where the body starts."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, 0
    meta: dict[str, str] = {}
    for line in match.group("body").splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and value.strip():
            meta[key.strip().lower()] = value.strip().strip("'\"")
    return meta, match.end()


def guess_metadata(text: str, cleaned: Cleaned | None = None) -> dict[str, str | None]:
    """Title, outlet and date read from the top of a story's text."""
    cleaned = cleaned or strip_boilerplate(text)
    return {
        "title": guess_title(cleaned.text),
        "outlet": guess_outlet(text, cleaned),
        "date": guess_date(text),
    }


def build_article(
    text: str,
    *,
    id: str,
    path: str = "",
    meta: dict[str, str | None] | None = None,
    encoding: str = "utf-8",
    notes: tuple[str, ...] = (),
    markdown: bool = False,
) -> Article:
    """An :class:`Article` for ``text``: the prompt text cleaned, missing metadata guessed."""
    given = {k: v for k, v in (meta or {}).items() if v}
    start = 0
    if markdown:
        matter, start = front_matter(text)
        for key in ("title", "outlet", "date", "url"):
            if matter.get(key):
                given.setdefault(key, matter[key])
    body = text[start:]
    cleaned = strip_boilerplate(body)
    guessed = guess_metadata(body, cleaned)
    date = given.get("date") or guessed["date"]
    return Article(
        id=id,
        text=text,
        path=path,
        title=(given.get("title") or guessed["title"] or "")[:TITLE_MAX_CHARS],
        outlet=given.get("outlet") or guessed["outlet"] or "",
        date=(parse_date(date) or date) if date else None,
        url=given.get("url"),
        encoding=encoding,
        notes=notes,
        prompt_text=cleaned.text,
    )


# ---------------------------------------------------------------------------------------------
# Reading files.
# ---------------------------------------------------------------------------------------------


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8"),
    (b"\xff\xfe\x00\x00", "utf-32", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32", "UTF-32"),
    (b"\xff\xfe", "utf-16", "UTF-16"),
    (b"\xfe\xff", "utf-16", "UTF-16"),
)
#: Control bytes that text files do not contain (tab, newlines, form feed and ESC excepted).
_CONTROL = bytes([*range(0x01, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    return b"\x00" in head or len(head.translate(None, _CONTROL)) < 0.9 * len(head)


def decode(path: Path, data: bytes) -> tuple[str, str, tuple[str, ...]]:
    """Decode bytes: a BOM's encoding (UTF-8/16/32), else UTF-8, else cp1252, else Latin-1;
    refuse empty and binary files. What was assumed is noted."""
    if not data:
        raise InputError(path, "the file is empty (0 bytes)")
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec, (f"decoded as {name} (byte order mark)",)
            except UnicodeDecodeError:
                data = data[len(bom) :]  # a BOM the bytes then break: judge them without it
                break
    if not data.strip():
        raise InputError(path, "the file holds only white space")
    if _looks_binary(data):
        raise InputError(path, "this looks like a binary file, not text")
    try:
        return data.decode("utf-8"), "utf-8", ()
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        note = "not valid UTF-8; decoded as Windows-1252 (cp1252)"
        return text, "cp1252", (note,)
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1", ("not valid UTF-8; decoded as Latin-1",)


def read_article(path: Path) -> list[Article]:
    """Read one file; ``.json``/``.jsonl`` may hold several records."""
    if not path.exists():
        raise InputError(path, "no such file or folder")
    if path.is_dir():
        raise InputError(path, "is a folder; expected an article file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror})") from exc
    text, encoding, notes = decode(path, data)
    if not text.strip():
        raise InputError(path, "the file holds only white space")
    suffix = path.suffix.lower()
    if suffix in RECORD_SUFFIXES:
        return _records(path, text, jsonl=suffix == ".jsonl")
    if suffix in HTML_SUFFIXES:
        return [_html_article(path, text, encoding, notes)]
    markdown = suffix in (".md", ".markdown")
    return [
        build_article(
            text, id=path.stem, path=str(path), encoding=encoding, notes=notes, markdown=markdown
        )
    ]


def extract_html(html: str) -> tuple[str | None, dict[str, str | None]]:
    """The main text of an HTML page (trafilatura) and its title, site name, date and URL."""
    import trafilatura

    text = trafilatura.extract(
        html,
        output_format="txt",
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        favor_precision=True,
        deduplicate=False,
    )
    doc = trafilatura.extract_metadata(html, extensive=False)
    meta: dict[str, str | None] = {}
    if doc is not None:
        meta = {"title": doc.title, "outlet": doc.sitename, "date": doc.date, "url": doc.url}
    return text, meta


def _html_article(path: Path, html: str, encoding: str, notes: tuple[str, ...]) -> Article:
    from importlib.metadata import version

    text, meta = extract_html(html)
    if not text or not text.strip():
        raise InputError(path, "no article text found in this HTML page")
    note = (
        f"text extracted from HTML by trafilatura {version('trafilatura')}; "
        f"`summarizer text {path}` prints it"
    )
    return build_article(
        text, id=path.stem, path=str(path), meta=meta, encoding=encoding, notes=(*notes, note)
    )


def _records(path: Path, text: str, *, jsonl: bool) -> list[Article]:
    rows = _json_rows(path, text, jsonl=jsonl)
    articles = []
    for n, row in enumerate(rows, 1):
        where = f"{path} record {n}"
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise InputError(where, "a record needs a string field 'text'")
        if not row["text"].strip():
            raise InputError(where, "the record's text is empty")
        meta: dict[str, str | None] = {
            k: str(row[k]) for k in ("title", "outlet", "date", "url") if row.get(k)
        }
        rid = str(row.get("id") or (path.stem if len(rows) == 1 else f"{path.stem}-{n}"))
        articles.append(build_article(row["text"], id=rid, path=str(path), meta=meta))
    return articles


def _json_rows(path: Path, text: str, *, jsonl: bool) -> list[Any]:
    try:
        if jsonl:
            rows: list[Any] = []
            for n, line in enumerate(text.splitlines(), 1):
                if line.strip():
                    rows.append(_json_line(path, line, n))
            return rows
        loaded = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"invalid JSON at line {exc.lineno}: {exc.msg}") from exc
    return loaded if isinstance(loaded, list) else [loaded]


def _json_line(path: Path, line: str, n: int) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"invalid JSON at line {n}: {exc.msg}") from exc


def article_files(folder: Path) -> list[Path]:
    """The article files directly inside ``folder``, sorted by name (README files skipped)."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file()
        and p.suffix.lower() in ARTICLE_SUFFIXES
        and not p.name.startswith(".")
        and p.stem.upper() != "README"
    )


@dataclass
class Loaded:
    """Articles read, and the files that could not be read (each with its reason)."""

    articles: list[Article] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)


def load_articles(paths: Iterable[str | Path]) -> Loaded:
    """Expand folders, read every file, keep going past bad files, fold identical texts."""
    loaded = Loaded()
    seen: dict[str, str] = {}
    ids: set[str] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = article_files(path)
            if not files:
                loaded.errors.append(InputError(path, "the folder holds no article files"))
            for file in files:
                _add(loaded, file, seen, ids)
        else:
            _add(loaded, path, seen, ids)
    return loaded


def _add(loaded: Loaded, path: Path, seen: dict[str, str], ids: set[str]) -> None:
    try:
        articles = read_article(path)
    except InputError as exc:
        loaded.errors.append(exc)
        return
    for article in articles:
        if article.digest in seen:
            loaded.duplicates.append((article.path or article.id, seen[article.digest]))
            continue
        seen[article.digest] = article.path or article.id
        unique = article.id
        n = 2
        while unique in ids:
            unique = f"{article.id}-{n}"
            n += 1
        ids.add(unique)
        if unique != article.id:
            article = replace(article, id=unique)
        loaded.articles.append(article)


def require_articles(paths: Sequence[str | Path]) -> list[Article]:
    """Load, and raise the first error if any file failed or nothing was found."""
    loaded = load_articles(paths)
    if loaded.errors:
        raise loaded.errors[0]
    if not loaded.articles:
        raise InputError(", ".join(map(str, paths)) or "(no paths)", "no articles found")
    return loaded.articles


def article_text(path: Path, article_id: str | None = None) -> Article:
    """The one article of ``path`` (or the record ``article_id`` of a JSON file), whose ``text``
    is what evidence offsets refer to; ``summarizer text`` prints it."""
    articles = read_article(path)
    if article_id is not None:
        for article in articles:
            if article.id == article_id:
                return article
        raise InputError(path, f"no record with id {article_id!r}; ids: {_ids(articles)}")
    if len(articles) > 1:
        raise InputError(
            path, f"holds {len(articles)} records; choose one with --id ({_ids(articles)})"
        )
    return articles[0]


def _ids(articles: Sequence[Article]) -> str:
    return ", ".join(a.id for a in articles[:10]) + (" ..." if len(articles) > 10 else "")
