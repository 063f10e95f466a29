"""LLM settings from the environment, read once per provider."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, Field, SecretStr

from dr_kube.errors import ConfigError

Backend = Literal["gemini", "ollama"]

DEFAULT_GEMINI_MODEL = "gemini-2.5-flash"
DEFAULT_OLLAMA_MODEL = "gemma3:270m"
DEFAULT_OLLAMA_HOST = "http://127.0.0.1:11434"


class LLMSettings(BaseModel):
    gemini_api_key: SecretStr | None = None
    gemini_model: str = DEFAULT_GEMINI_MODEL
    gemini_base_url: str | None = None  # tests point the client at a recorded server
    ollama_host: str | None = None
    ollama_model: str = DEFAULT_OLLAMA_MODEL
    timeout: float = Field(default=60.0, gt=0)
    num_predict: int = Field(default=1024, ge=64)
    max_retries: int = Field(default=2, ge=0, le=10)
    backoff: float = Field(default=0.5, ge=0)
    llm_attempts: int = Field(
        default=2, ge=1, le=10
    )  # LLM proposals per incident (retries with errors)
    calls_per_incident: int = Field(default=4, ge=0)
    tokens_per_incident: int = Field(default=40_000, ge=0)
    calls_per_hour: int = Field(default=200, ge=0)

    @property
    def ollama_url(self) -> str:
        return self.ollama_host or DEFAULT_OLLAMA_HOST

    def model_for(self, backend: Backend) -> str:
        return self.gemini_model if backend == "gemini" else self.ollama_model


def _number(env: Mapping[str, str], name: str, kind: type[int] | type[float]) -> int | float | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        return kind(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: expected a {kind.__name__}") from None


ENV_NUMBERS: dict[str, tuple[str, type[int] | type[float]]] = {
    "DRKUBE_LLM_TIMEOUT": ("timeout", float),
    "DRKUBE_LLM_NUM_PREDICT": ("num_predict", int),
    "DRKUBE_LLM_MAX_RETRIES": ("max_retries", int),
    "DRKUBE_LLM_ATTEMPTS": ("llm_attempts", int),
    "DRKUBE_LLM_BUDGET_CALLS_PER_INCIDENT": ("calls_per_incident", int),
    "DRKUBE_LLM_BUDGET_TOKENS_PER_INCIDENT": ("tokens_per_incident", int),
    "DRKUBE_LLM_BUDGET_CALLS_PER_HOUR": ("calls_per_hour", int),
}


def load_settings(env: Mapping[str, str] | None = None) -> LLMSettings:
    env = os.environ if env is None else env
    values: dict[str, object] = {}
    key = env.get("GEMINI_API_KEY") or env.get("GOOGLE_API_KEY")
    if key:
        values["gemini_api_key"] = SecretStr(key)
    for name, field in (
        ("DRKUBE_GEMINI_MODEL", "gemini_model"),
        ("DRKUBE_GEMINI_BASE_URL", "gemini_base_url"),
        ("OLLAMA_HOST", "ollama_host"),
        ("DRKUBE_OLLAMA_MODEL", "ollama_model"),
    ):
        if env.get(name):
            values[field] = env[name]
    for name, (field, kind) in ENV_NUMBERS.items():
        number = _number(env, name, kind)
        if number is not None:
            values[field] = number
    try:
        return LLMSettings.model_validate(values)
    except ValueError as exc:
        raise ConfigError(f"invalid LLM setting: {exc}") from None


def llm_configured(env: Mapping[str, str] | None = None) -> bool:
    """Whether a Gemini key or an Ollama host is set: then `auto` is the default provider."""
    env = os.environ if env is None else env
    return bool(env.get("GEMINI_API_KEY") or env.get("GOOGLE_API_KEY") or env.get("OLLAMA_HOST"))
