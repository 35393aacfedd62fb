"""Shared fixtures. Tests are offline: no test may reach a real model unless marked `server`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from summarizer.config import Settings
from summarizer.model.backends import client_from_functions
from summarizer.model.client import ModelClient
from tests.fakes import ScriptedModel

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_DIR = ROOT / "examples" / "harbor-accord"


def seeds_dir() -> Path | None:
    """The seed articles: $SUMMARIZER_SEEDS, else ../shared/seeds beside the repo."""
    raw = os.environ.get("SUMMARIZER_SEEDS")
    path = Path(raw) if raw else ROOT.parent / "shared" / "seeds"
    return path if path.is_dir() else None


@pytest.fixture
def seeds() -> Path:
    path = seeds_dir()
    if path is None:
        pytest.skip("seed articles not found: set SUMMARIZER_SEEDS to the seeds folder")
    return path


@pytest.fixture
def settings() -> Settings:
    return Settings.resolve(
        backend="openai",
        model="fake-model",
        base_url="http://127.0.0.1:9/v1",
        max_retries=1,
        transport_attempts=3,
        transport_max_wait=0.01,
    )


def fake_client(settings: Settings, model: ScriptedModel) -> ModelClient:
    return client_from_functions(settings, model.create, model.acreate)
