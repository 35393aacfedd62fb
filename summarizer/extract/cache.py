"""The on-disk extraction cache: one article's grounded extraction, paid for once.

An entry is keyed on everything that changes the model's answer, and nothing else:

* the model (its recorded name), the server (base URL, or the GGUF file), the structured-output
  mode as configured;
* the prompt template version (:func:`summarizer.model.recording.prompt_version`, a hash of the
  template text) and the schema version (:data:`summarizer.schema.SCHEMA_VERSION`);
* the generation settings (temperature, max tokens, seed) and the chunk size (it decides how a
  long article is split into calls);
* the article: a hash of its text, of the text the model reads, and of the metadata rendered
  into the prompt (id, headline, outlet, date). The id is there because every item's evidence
  names its source.

Change any of these and the entry is simply not found; nothing is ever invalidated in place.
Failures are never cached: a rerun tries a failed article again.

Each entry is one JSON file, ``<root>/<key[:2]>/<key>.json``, written atomically (a temporary
file beside it, then a rename), so a crash, Ctrl-C or ``kill -9`` leaves either the whole entry
or none. Entries are not fsynced: that costs about a millisecond of CPU per article, and only
protects against the machine itself losing power, after which an entry may be empty -- and an
entry that cannot be read back (empty, damaged, edited by hand) is simply a miss, so the worst
case is one article paid for again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from summarizer.config import OPENAI_URL, Settings
from summarizer.ingest.articles import Article
from summarizer.model.recording import prompt_version
from summarizer.schema import SCHEMA_VERSION, ArticleExtraction

log = logging.getLogger(__name__)

#: Bump when the layout of an entry changes.
CACHE_FORMAT = "1"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CacheKey:
    """What an entry's key is made of (stored in the entry, for anyone checking it by hand)."""

    fields: dict[str, Any]

    @cached_property
    def digest(self) -> str:
        return _sha(json.dumps(self.fields, sort_keys=True, ensure_ascii=False))


def settings_fields(settings: Settings) -> dict[str, Any]:
    """The part of a key that comes from the configuration (the same for every article)."""
    base_url = settings.base_url
    if settings.backend == "openai" and base_url is None:
        base_url = OPENAI_URL
    return {
        "format": CACHE_FORMAT,
        "model": settings.model_label,
        "backend": settings.backend,
        "base_url": base_url.rstrip("/") if base_url else None,
        "gguf": settings.gguf_path,
        "mode": settings.mode,
        "prompt": prompt_version(),
        "schema": SCHEMA_VERSION,
        "generation": settings.generation(),
        "chunk_chars": settings.chunk_chars,
    }


def article_fields(article: Article) -> dict[str, Any]:
    """The part of a key that comes from the article (text and what the prompt shows of it)."""
    return {
        "text": article.digest,
        "prompt_text": article.digest
        if article.prompt_text == article.text
        else _sha(article.prompt_text),
        "meta": [article.id, article.title, article.outlet, article.date or ""],
    }


class _Entry(BaseModel):
    key: str
    extraction: ArticleExtraction


def _write_entry(path: Path, data: bytes) -> None:
    """Atomic without fsync: a temporary file in the same folder, renamed over ``path``."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class ExtractionCache:
    """Extractions on disk under ``root``, for one configuration (``settings``)."""

    def __init__(self, root: str | Path, settings: Settings) -> None:
        self.root = Path(root)
        self._common = settings_fields(settings)
        self._folders: set[Path] = set()

    def key(self, article: Article) -> CacheKey:
        return CacheKey({**self._common, **article_fields(article)})

    def path(self, key: CacheKey) -> Path:
        digest = key.digest
        return self.root / digest[:2] / f"{digest}.json"

    def get(self, article: Article) -> ArticleExtraction | None:
        """The cached extraction of ``article``, or None (a miss, or an unreadable entry)."""
        path = self.path(self.key(article))
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("cache entry %s cannot be read (%s); treating it as a miss", path, exc)
            return None
        try:
            extraction = _Entry.model_validate_json(raw).extraction
        except ValidationError as exc:
            log.warning("cache entry %s is damaged (%s); treating it as a miss", path, exc)
            return None
        # The key pins the id; the path may differ (the same files moved elsewhere).
        extraction.source = article.source
        return extraction

    def put(self, article: Article, extraction: ArticleExtraction) -> Path:
        """Write the entry atomically; return its path."""
        key = self.key(article)
        head = {
            "key": key.digest,
            "fields": key.fields,
            "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        text = json.dumps(head, ensure_ascii=False)[:-1] + ', "extraction": '
        data = text.encode("utf-8") + extraction.model_dump_json().encode("utf-8") + b"}"
        path = self.path(key)
        if path.parent not in self._folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(path.parent)
        _write_entry(path, data)
        return path

    def count(self) -> int:
        """How many entries are on disk (walks the folder: not for hot paths)."""
        return sum(1 for _ in self.root.glob("??/*.json")) if self.root.is_dir() else 0


__all__ = ["CACHE_FORMAT", "CacheKey", "ExtractionCache", "article_fields", "settings_fields"]
