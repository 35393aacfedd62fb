"""What pip installs: every package of the source tree and its templates (an editable install
would hide a package left out of pyproject.toml)."""

from __future__ import annotations

import tomllib

from tests.conftest import ROOT


def test_every_package_is_listed_for_installation() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "summarizer").rglob("__init__.py")
    }
    assert found <= listed, sorted(found - listed)
    data = config["package-data"]
    assert data["summarizer.render.templates"] == ["*.j2"]
    assert list((ROOT / "summarizer" / "render" / "templates").glob("*.j2"))
