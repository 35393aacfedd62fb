"""Files and folders -> :class:`Article` objects.

``Article.text`` is the file's decoded content, unchanged: every evidence offset refers to it,
so a user can open the file and check ``text[start:end]``. What the model reads
(``Article.prompt_text``) may differ (boilerplate removed), because grounding always happens
against ``text``.

Every problem is an :class:`InputError` that names the file. Loading a folder collects the
problems of all its files instead of stopping at the first (see :func:`load_articles`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from summarizer.errors import InputError
from summarizer.schema import Source

ARTICLE_SUFFIXES = (".txt", ".md", ".text", ".json", ".jsonl")


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
        )

    @classmethod
    def from_text(cls, text: str, *, id: str, title: str = "", **meta: str | None) -> Article:
        """An article from a string (Python API); the title defaults to its first line."""
        if not text.strip():
            raise InputError(id, "the article text is empty")
        return cls(id=id, text=text, title=title or _first_line(text), **meta)  # type: ignore[arg-type]


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return ""


def decode(path: Path, data: bytes) -> tuple[str, str, tuple[str, ...]]:
    """Decode bytes as UTF-8 (BOM dropped), else cp1252; refuse binary files."""
    if not data.strip():
        raise InputError(path, "the file is empty")
    if b"\x00" in data[:8192]:
        raise InputError(path, "this looks like a binary file, not text")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig", ("dropped a UTF-8 BOM",)
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
    if suffix in (".json", ".jsonl"):
        return _records(path, text, jsonl=suffix == ".jsonl")
    return [
        Article(
            id=path.stem,
            text=text,
            path=str(path),
            title=_first_line(text),
            encoding=encoding,
            notes=notes,
        )
    ]


def _records(path: Path, text: str, *, jsonl: bool) -> list[Article]:
    try:
        if jsonl:
            rows = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            loaded = json.loads(text)
            rows = loaded if isinstance(loaded, list) else [loaded]
    except json.JSONDecodeError as exc:
        raise InputError(path, f"invalid JSON at line {exc.lineno}: {exc.msg}") from exc
    articles = []
    for n, row in enumerate(rows, 1):
        where = f"{path} record {n}"
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise InputError(where, "a record needs a string field 'text'")
        if not row["text"].strip():
            raise InputError(where, "the record's text is empty")
        meta = {k: str(row[k]) for k in ("title", "outlet", "date", "url") if row.get(k)}
        rid = str(row.get("id") or (path.stem if len(rows) == 1 else f"{path.stem}-{n}"))
        meta.setdefault("title", _first_line(row["text"]))
        articles.append(Article(id=rid, text=row["text"], path=str(path), **meta))  # type: ignore[arg-type]
    return articles


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
            article = Article(**{**article.__dict__, "id": unique})
        loaded.articles.append(article)


def require_articles(paths: Sequence[str | Path]) -> list[Article]:
    """Load, and raise the first error if any file failed or nothing was found."""
    loaded = load_articles(paths)
    if loaded.errors:
        raise loaded.errors[0]
    if not loaded.articles:
        raise InputError(", ".join(map(str, paths)) or "(no paths)", "no articles found")
    return loaded.articles
