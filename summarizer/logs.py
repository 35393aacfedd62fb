"""Logging set-up for the command line (the library itself only creates loggers)."""

from __future__ import annotations

import logging
import sys


def setup_logging(verbose: bool) -> None:
    """Our messages on stderr; third-party chatter kept down unless ``verbose``.

    instructor logs every failed attempt at ERROR (with the raw output); the CLI prints its
    own one-line summary instead.
    """
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("instructor").setLevel(logging.INFO if verbose else logging.CRITICAL)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpx2").setLevel(logging.INFO if verbose else logging.WARNING)
