"""Providers by name: the rules, or an LLM provider (its packages imported only when asked for)."""

from __future__ import annotations

from dr_kube.diagnose.provider import PROVIDERS, Provider
from dr_kube.diagnose.rules import RulesProvider
from dr_kube.errors import ProviderError


def make_provider(name: str) -> Provider:
    """Build a provider by name; LLM packages are imported only when asked for."""
    if name == "rules":
        return RulesProvider()
    if name in ("gemini", "ollama", "auto"):
        try:
            from dr_kube.diagnose.llm.providers import make_llm_provider
        except ImportError:
            raise ProviderError(
                f"provider {name!r} is not available in this build; use --provider rules"
            ) from None
        return make_llm_provider(name)
    raise ProviderError(f"unknown provider {name!r}; choose one of {', '.join(PROVIDERS)}")
