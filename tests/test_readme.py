"""The README's commands exist: every `summarizer X` it names answers `X --help`."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from summarizer.cli import app
from tests.conftest import ROOT


def test_every_command_in_the_readme_exists() -> None:
    text = (ROOT / "README.md").read_text("utf-8")
    commands = set(re.findall(r"`summarizer (\w+)", text))
    assert {"brief", "batch", "eval", "merge", "extract", "show", "text", "schema"} <= commands
    runner = CliRunner()
    for command in sorted(commands):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0, (command, result.output)


def test_readme_names_the_two_commands_a_new_user_needs() -> None:
    text = (ROOT / "README.md").read_text("utf-8")
    assert "bash scripts/demo.sh" in text
    assert "bash .ci/run" in text
    assert (ROOT / "scripts/demo.sh").is_file() and (ROOT / ".ci/run").is_file()
