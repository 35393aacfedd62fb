"""A typo on the command line is one line on stderr and exit 2, never a traceback, whichever
click typer runs on (typer >= 0.29 vendors it as ``typer._click``; earlier typer uses the
``click`` package; CI runs this file under both)."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest
import typer

from summarizer.cli.main import app, main

USAGE_MISTAKES = [
    ["brief", "--bogus"],
    ["brief"],
    ["frobnicate"],
    ["eval", "--record", "--replay"],
    ["batch", "somewhere"],
    ["brief", "a.txt", "--max-tokens", "many"],
]


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    return int(exc.value.code or 0), capsys.readouterr().err


@pytest.mark.parametrize("args", USAGE_MISTAKES, ids=" ".join)
def test_a_usage_mistake_is_one_line_and_exit_2(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _run(args, capsys)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert "Traceback" not in err and "--help)" in err  # and where to look


@pytest.mark.parametrize("family", ["typer._click.exceptions", "click.exceptions"])
def test_either_clicks_usage_error_is_one_line(
    family: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    exceptions = pytest.importorskip(family)

    @app.command("raise-usage")
    def raise_usage() -> None:
        raise exceptions.UsageError("that option needs a value")

    try:
        code, err = _run(["raise-usage"], capsys)
    finally:
        app.registered_commands.pop()
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("error: that option needs a value")


def test_the_console_script_answers_a_typo_in_one_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "summarizer", "brief", "--bogus"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert (
        done.stderr.splitlines() == [done.stderr.strip()]
        and "No such option: --bogus" in done.stderr
    )
    assert done.stdout == ""


def test_a_bare_command_shows_the_help_without_an_error_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main([])
    out, err = capsys.readouterr()
    assert "Usage" in out and "brief" in out
    assert "error" not in err and "Traceback" not in err


def test_the_family_typer_runs_on_is_named() -> None:
    from summarizer.cli import click_compat as cli_click

    vendored = importlib.util.find_spec("typer._click") is not None
    expected = "typer._click.exceptions" if vendored else "click.exceptions"
    assert cli_click.FAMILIES[0].__name__ == expected
    assert typer.Exit in cli_click.EXITS
