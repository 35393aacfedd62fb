"""Articles from URLs: fetch the page (http and https only, a time limit, a size cap, a few
redirects), take its main text with trafilatura, and keep that text in a file beside the
briefing, so every offset stays verifiable (``summarizer verify``) after the page changes.

Each failure is one :class:`~summarizer.errors.InputError` naming the URL (timed out, HTTP
404, too large, not HTML text, ...); the caller keeps going with the other inputs.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from summarizer.errors import InputError
from summarizer.files import write_atomic
from summarizer.ingest.articles import Article, build_article, extract_html

SCHEMES = ("http", "https")
TIMEOUT = 20.0
MAX_BYTES = 5_000_000
MAX_REDIRECTS = 5
USER_AGENT = "summarizer (+https://example.invalid/summarizer; news briefing tool)"


def is_url(text: str) -> bool:
    return "://" in text


def url_id(url: str) -> str:
    """A file-name-safe id for a URL: its host and path."""
    parts = urlsplit(url)
    raw = f"{parts.hostname or 'page'}{parts.path}".rstrip("/")
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", raw).strip("_.")
    return slug[:120] or "page"


def _redirects(url: str, limit: int) -> urllib.request.HTTPRedirectHandler:
    """A redirect handler that follows ``limit`` redirects, to http(s) URLs only."""

    class Redirects(urllib.request.HTTPRedirectHandler):
        max_redirections = limit

        def redirect_request(
            self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
        ) -> Any:
            if urlsplit(newurl).scheme not in SCHEMES:
                fp.close()
                raise InputError(url, f"redirected to {newurl}: only http and https are fetched")
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    return Redirects()


def fetch(
    url: str,
    *,
    timeout: float = TIMEOUT,
    max_bytes: int = MAX_BYTES,
    max_redirects: int = MAX_REDIRECTS,
) -> tuple[str, str]:
    """(final URL, HTML) of ``url``; one InputError naming it when anything goes wrong."""
    if urlsplit(url).scheme not in SCHEMES:
        raise InputError(url, "only http and https URLs are fetched")
    opener = urllib.request.build_opener(_redirects(url, max_redirects))
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with opener.open(request, timeout=timeout) as reply:
            kind = reply.headers.get_content_type()
            if kind not in ("text/html", "application/xhtml+xml", "text/plain"):
                raise InputError(url, f"not a web page ({kind})")
            body = reply.read(max_bytes + 1)
            if len(body) > max_bytes:
                raise InputError(url, f"larger than {max_bytes:,} bytes: not fetched")
            charset = reply.headers.get_content_charset() or "utf-8"
            return reply.geturl(), body.decode(charset, errors="replace")
    except InputError:
        raise
    except urllib.error.HTTPError as exc:
        exc.close()  # the error is also the response: let its socket go
        if exc.code in (301, 302, 303, 307, 308):
            raise InputError(url, f"more than {max_redirects} redirects") from exc
        raise InputError(url, f"HTTP {exc.code} {exc.reason}") from exc
    except TimeoutError as exc:
        raise InputError(url, f"timed out after {timeout:g} s") from exc
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise InputError(url, f"timed out after {timeout:g} s") from exc
        raise InputError(url, f"cannot be fetched ({reason})") from exc
    except (OSError, ValueError) as exc:
        raise InputError(url, f"cannot be fetched ({exc})") from exc


def fetch_article(url: str, folder: Path, *, timeout: float = TIMEOUT) -> Article:
    """The article at ``url``, its text kept as ``folder/<id>.txt`` (what offsets refer to)."""
    final, html = fetch(url, timeout=timeout)
    text, meta = extract_html(html)
    if not text or not text.strip():
        raise InputError(url, "no article text found on this page")
    article_id = url_id(final)
    path = folder / f"{article_id}.txt"
    write_atomic(path, text)
    meta = {**meta, "url": url}
    note = f"fetched from {url}" + (f" (redirected to {final})" if final != url else "")
    return build_article(text, id=article_id, path=str(path), meta=meta, notes=(note,))
