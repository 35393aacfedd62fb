"""The click that typer runs on, whichever it is, so no usage error ever becomes a traceback.

typer 0.29 and later vendor click as ``typer._click`` and raise that copy's exceptions; earlier
typer releases run on the ``click`` package. A CLI that catches only one family shows a
20-line traceback for ``summarizer brief --bogus`` under the other, so the CLI catches both,
and raises its own usage errors with the family typer itself uses.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import typer


def _families() -> list[ModuleType]:
    found: list[ModuleType] = []
    for name in ("typer._click.exceptions", "click.exceptions"):
        try:
            found.append(importlib.import_module(name))
        except ImportError:
            continue
    if not found:  # pragma: no cover - typer always brings one of them
        raise ImportError("typer runs on neither typer._click nor click: reinstall typer")
    return found


FAMILIES = _families()
#: typer's own family first: the one its parser raises.
USAGE_ERROR: type[Exception] = FAMILIES[0].UsageError
ERRORS: tuple[type[Exception], ...] = tuple(f.ClickException for f in FAMILIES)
#: typer >= 0.29 defines Exit and Abort itself (typer.Exit); earlier, they are click's.
EXITS: tuple[type[BaseException], ...] = tuple(
    {typer.Exit, *(f.Exit for f in FAMILIES if hasattr(f, "Exit"))}
)
ABORTS: tuple[type[BaseException], ...] = tuple(
    {typer.Abort, *(f.Abort for f in FAMILIES if hasattr(f, "Abort"))}
)


#: Stops the user asked for (Ctrl-C, or click's Abort at a prompt).
STOPS: tuple[type[BaseException], ...] = (*ABORTS, KeyboardInterrupt)


def usage_error(message: str) -> Exception:
    """A usage error (exit 2) that typer's own machinery recognises."""
    return USAGE_ERROR(message)


def one_line(exc: Any) -> str:
    """``error: MESSAGE (see: summarizer CMD --help)``: click's message without its usage block
    ('' for a bare ``summarizer``: click has printed the help, which is the answer)."""
    if type(exc).__name__ == "NoArgsIsHelpError":
        return ""
    message = " ".join(str(exc.format_message()).split())
    ctx = getattr(exc, "ctx", None)
    path = getattr(ctx, "command_path", None) if ctx is not None else None
    hint = f" (see: {path} --help)" if path and getattr(exc, "exit_code", 1) == 2 else ""
    return f"error: {message}{hint}"


def exit_code(exc: Any) -> int:
    code = getattr(exc, "exit_code", 1)
    return code if isinstance(code, int) else 1
