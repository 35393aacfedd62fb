"""The package face imports lazily: the schema, the merge, the renderers and the evaluation
need neither openai nor instructor (CI also checks this in a venv without them), and a
missing optional dependency is an ImportError that names the extra to install."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from summarizer.errors import ConfigError, MissingDependency

ROOT = Path(__file__).resolve().parent.parent

BLOCKED = textwrap.dedent(
    """
    import importlib.abc, sys
    class Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name.split(".")[0] in ("openai", "instructor", "llama_cpp", "tenacity"):
                raise ImportError(f"{name} is not installed here")
    sys.meta_path.insert(0, Block())
    import summarizer, summarizer.schema, summarizer.merge, summarizer.evaluate
    import summarizer.render, summarizer.ingest, summarizer.extract
    from summarizer.merge.consolidate import label_items
    assert not {"openai", "instructor"} & set(sys.modules), sorted(sys.modules)
    briefing = summarizer.merge([])
    print(type(briefing).__name__, summarizer.to_markdown(briefing).splitlines()[0])
    try:
        summarizer.brief
    except ImportError as exc:
        print("brief:", exc)
    """
)


def test_the_light_modules_import_without_openai_or_instructor() -> None:
    done = subprocess.run(
        [sys.executable, "-c", BLOCKED], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "Briefing # Briefing"
    assert lines[1].startswith("brief:") and "not installed here" in lines[1]


def test_the_names_that_need_the_client_are_there_on_use() -> None:
    import summarizer
    from summarizer.model.backends import make_client
    from summarizer.pipeline import brief

    assert summarizer.make_client is make_client and summarizer.brief is brief
    assert {"brief", "make_client", "run_batch"} <= set(dir(summarizer))
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        summarizer.nothing  # noqa: B018


def test_a_missing_extra_is_an_import_error_that_names_it() -> None:
    exc = MissingDependency("the embedded backend", "llama-cpp-python", "local")
    assert isinstance(exc, ImportError) and isinstance(exc, ConfigError)
    assert str(exc) == (
        "the embedded backend needs llama-cpp-python: pip install 'summarizer[local]'"
    )
    assert exc.exit_code == 2
