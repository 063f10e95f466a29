"""What LLM calls record in the audit trail: prompt hash, version and tokens; the (redacted)
prompt text only when DRKUBE_AUDIT_PROMPTS asks for it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dr_kube.graph.trail import LLMWatch
from dr_kube.models import Usage


class Prompt:
    version = "dr-kube-prompt/1"
    system = "You are DR-Kube."
    user = "Incident: token=ghp_abcdefghijklmnopqrstuvwxyz0123456789 in the log"


class FakeLLMProvider:
    name = "gemini"

    def __init__(self) -> None:
        self.usage = Usage()
        self.trace = type("Trace", (), {"prompts": []})()
        self.llm = type("LLM", (), {"model": "gemini-2.5-flash"})()

    def call(self) -> None:
        self.trace.prompts.append(Prompt())
        self.usage.llm_calls += 1
        self.usage.tokens_in += 812
        self.usage.tokens_out += 120


class Sink:
    def __init__(self) -> None:
        self.items: list[tuple[str, str, dict[str, Any]]] = []

    def record(
        self, kind: str, message: str, data: dict[str, Any] | None = None, actor: str | None = None
    ) -> None:
        self.items.append((kind, message, data or {}))


@pytest.mark.parametrize("include", [False, True])
def test_llm_calls_record_hash_and_tokens_and_text_only_when_asked(
    include: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DRKUBE_AUDIT_PROMPTS", "1" if include else "0")
    provider, sink = FakeLLMProvider(), Sink()
    watch = LLMWatch.start(provider)
    provider.call()
    watch.record(sink, provider)
    LLMWatch.start(provider).record(sink, provider)  # no call: no record
    assert len(sink.items) == 1
    kind, message, data = sink.items[0]
    assert kind == "llm" and "gemini gemini-2.5-flash" in message
    assert data["tokens_in"] == 812 and data["tokens_out"] == 120 and data["calls"] == 1
    assert len(data["prompt_sha256"]) == 64 and data["prompt_version"] == "dr-kube-prompt/1"
    assert ("prompt" in data) is include
    if include:
        assert "ghp_abcdefghijklmnopqrstuvwxyz0123456789" not in json.dumps(data)
        assert "Incident:" in data["prompt"]
