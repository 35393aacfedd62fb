from __future__ import annotations

import json

import pytest

from summarizer.config import DEMO_MODEL_NAME, Settings
from summarizer.errors import ConfigError
from summarizer.extract.prompting import chat, render


def test_nothing_configured_means_the_embedded_demo_model() -> None:
    settings = Settings.from_env({})
    assert settings.backend == "llama" and settings.is_demo_model
    assert settings.model_label == DEMO_MODEL_NAME


def test_base_url_means_openai_compatible_server() -> None:
    settings = Settings.from_env(
        {"SUMMARIZER_BASE_URL": "http://localhost:11434/v1", "SUMMARIZER_MODEL": "llama3.1"}
    )
    assert settings.backend == "openai" and settings.model == "llama3.1"


def test_key_is_never_in_repr() -> None:
    settings = Settings.from_env(
        {"OPENAI_API_KEY": "sk-test-secret-123456", "SUMMARIZER_MODEL": "gpt-4o-mini"}
    )
    assert settings.backend == "openai"
    assert "sk-test-secret" not in repr(settings)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SUMMARIZER_BASE_URL": "http://x/v1"}, "no model name"),
        ({"SUMMARIZER_MODE": "telepathy"}, "unknown mode"),
        ({"SUMMARIZER_CONCURRENCY": "many"}, "not a number"),
    ],
)
def test_bad_settings_are_config_errors(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)


def test_missing_template_variable_is_an_error() -> None:
    with pytest.raises(ConfigError, match="undefined"):
        render("extract_v3.user.j2", article_id="x")


def test_chat_renders_system_and_user() -> None:
    messages = chat(
        "extract_v3",
        article_id="a",
        title="T",
        outlet="",
        date="",
        text="Body.",
        part_index=1,
        part_count=1,
        only="",
    )
    assert [m["role"] for m in messages] == ["system", "user"]
    assert "<article>\nBody.\n</article>" in messages[1]["content"]


def test_the_extraction_overhead_stays_small() -> None:
    # `python benchmarks/bench_prompt_tokens.py` counts tokens (1,198 with SmolLM2's BPE
    # tokenizer, for a limit of 1,200); characters are a tokenizer-free guard against growth.
    from summarizer.model.instructor_fast import tools_kit
    from summarizer.schema import ArticleDraft

    kit = tools_kit()
    assert kit is not None
    tools = json.dumps(kit.plan(ArticleDraft).tools, separators=(",", ":"))
    system = chat("extract_v3", only="", article_id="a", title="", outlet="", date="",
                  text="x", part_index=1, part_count=1)[0]["content"]  # fmt: skip
    assert len(system) + len(tools) <= 4_800, (len(system), len(tools))
    parameters = json.dumps(kit.plan(ArticleDraft).tools[0]["function"]["parameters"])
    assert "description" not in parameters and "title" not in parameters  # the prompt says it
