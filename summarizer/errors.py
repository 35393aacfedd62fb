"""Named errors.

Library code raises these; only ``summarizer.cli.main`` turns them into one-line messages and exit
codes. Three families are kept apart because a user acts on them differently:

* :class:`ConfigError` -- the user configured something wrong (no key, bad URL, missing GGUF).
* :class:`InputError` -- an input file or folder is unusable (missing, empty, binary, bad JSON).
* :class:`ModelError` -- the model or its server misbehaved (unreachable, refused, unparseable
  output after retries). It keeps the raw model output for debugging.
"""

from __future__ import annotations

from pathlib import Path


class SummarizerError(Exception):
    """Base class for every error this package raises on purpose."""

    exit_code = 1


class ConfigError(SummarizerError):
    """The configuration cannot work (missing key, unknown mode, missing model file)."""

    exit_code = 2


class MissingDependency(ConfigError, ImportError):
    """An optional dependency is not installed. An ``ImportError`` (as callers expect of an
    import that failed) and a :class:`ConfigError` (one line at the CLI); the message names
    the extra to install."""

    def __init__(self, what: str, package: str, extra: str) -> None:
        super().__init__(f"{what} needs {package}: pip install 'summarizer[{extra}]'")
        self.package = package
        self.extra = extra


class InputError(SummarizerError):
    """An input path is unusable. The message always names the file."""

    exit_code = 3

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class ModelError(SummarizerError):
    """The model or its server failed or misbehaved after retries."""

    exit_code = 4

    def __init__(
        self, message: str, *, raw_output: str | None = None, usage: object | None = None
    ) -> None:
        self.raw_output = raw_output
        self.usage = usage  # the tokens the failed attempts cost (a schema.Usage), if known
        super().__init__(message)


class ServerUnreachable(ModelError):
    """No answer from the configured server (connection refused, DNS, timeout)."""


class MissingRecording(ModelError):
    """Replay mode met a request that has no recording. Never falls back to a live call."""
