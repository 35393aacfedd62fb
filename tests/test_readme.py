"""The README's commands exist: every `summarizer X` it names answers `X --help`."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from summarizer.cli.main import app
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


def test_the_layout_section_matches_the_tree() -> None:
    """README's "Layout" names every subpackage and module of summarizer/, and nothing
    that is not there."""
    readme = (ROOT / "README.md").read_text("utf-8")
    block = readme.split("## Layout", 1)[1].split("```", 2)[1]
    package = ROOT / "summarizer"
    folders = sorted(p.name for p in package.iterdir() if (p / "__init__.py").is_file())
    listed = re.findall(r"^  (\w+)/", block, re.MULTILINE)
    assert listed == [f for f in listed if f in folders] and set(listed) == set(folders)
    for folder in folders:
        rest = block.split(f"  {folder}/", 1)[1]
        text = re.split(r"\n  \S", rest, maxsplit=1)[0]  # up to the next entry
        for module in sorted((package / folder).glob("*.py")):
            if module.stem != "__init__":
                assert re.search(rf"\b{module.stem}\b", text), (folder, module.stem, text)
    for module in sorted(package.glob("*.py")):
        if module.stem not in ("__init__", "__main__"):
            assert f"{module.stem}.py" in block, module.name
