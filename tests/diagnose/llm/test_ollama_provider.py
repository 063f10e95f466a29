"""The hybrid provider through the real ChatOllama client against recorded Ollama API answers."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from dr_kube.config.llm import LLMSettings
from dr_kube.diagnose.factory import make_provider
from dr_kube.diagnose.llm.budget import HourlyCounter
from dr_kube.diagnose.llm.providers import HybridProvider
from dr_kube.errors import ConfigError, ProviderError
from dr_kube.graph.runner import run_incident
from dr_kube.models import Proposal
from tests.support.llm import answer_text, leaked, oom_incident, oom_request, run_context
from tests.support.net import free_port

MODEL = "gemma3:270m"


def ollama_reply(content: str, tokens_in: int = 1500, tokens_out: int = 80) -> str:
    """An `/api/chat` NDJSON stream as Ollama sends it: content chunks, then the counts."""
    chunks = [
        {
            "model": MODEL,
            "created_at": "2026-11-25T00:00:00Z",
            "message": {"role": "assistant", "content": content},
            "done": False,
        },
        {
            "model": MODEL,
            "created_at": "2026-11-25T00:00:01Z",
            "message": {"role": "assistant", "content": ""},
            "done": True,
            "done_reason": "stop",
            "total_duration": 1_000_000,
            "prompt_eval_count": tokens_in,
            "eval_count": tokens_out,
        },
    ]
    return "".join(json.dumps(c) + "\n" for c in chunks)


class Recorder:
    """Answers `/api/chat` with the given contents in turn and keeps every request body."""

    def __init__(self, *contents: str, delay: float = 0.0) -> None:
        self.contents = list(contents)
        self.bodies: list[dict[str, Any]] = []
        self.delay = delay

    def __call__(self, request: Request) -> Response:
        self.bodies.append(json.loads(request.get_data()))
        time.sleep(self.delay)
        content = self.contents[min(len(self.bodies), len(self.contents)) - 1]
        return Response(ollama_reply(content), content_type="application/x-ndjson")


def settings(url: str, **overrides: Any) -> LLMSettings:
    base = LLMSettings(ollama_host=url, ollama_model=MODEL, timeout=5, num_predict=256, backoff=0)
    return base.model_copy(update=overrides)


def provider(url: str, **overrides: Any) -> HybridProvider:
    return HybridProvider("ollama", settings(url, **overrides), hourly=HourlyCounter())


def serve(httpserver: HTTPServer, recorder: Recorder) -> str:
    httpserver.expect_request("/api/chat", method="POST").respond_with_handler(recorder)
    return httpserver.url_for("/").rstrip("/")


def test_a_valid_answer_is_proposed_validated_and_counted(httpserver: HTTPServer) -> None:
    recorder = Recorder(answer_text())
    p = provider(serve(httpserver, recorder))
    result = run_incident(oom_incident(), run_context(p))
    assert result.fix.status == "proposed" and result.fix.attempts == 1
    assert result.diagnosis is not None and result.diagnosis.provider == f"ollama:{MODEL}"
    assert [c.new for c in result.fix.changes] == ["256Mi"]
    assert result.usage.model_dump() == {"llm_calls": 1, "tokens_in": 1500, "tokens_out": 80}
    body = recorder.bodies[0]
    assert body["model"] == MODEL and body["options"]["num_predict"] == 256
    assert body["format"]["properties"]["category"]["enum"][0] == "oom"  # the schema as `format`
    assert leaked(json.dumps(body)) == []


def test_a_rejected_answer_ends_in_the_analyzers_fix(httpserver: HTTPServer) -> None:
    wrong = answer_text(
        changes=[{"path": ["cartService", "resources", "limits", "memory"], "new": "256Mi"}]
    )
    recorder = Recorder(wrong)
    p = provider(serve(httpserver, recorder))
    result = run_incident(oom_incident(), run_context(p))
    assert result.fix.status == "proposed" and result.fix.attempts == 2
    assert [c.path for c in result.fix.changes] == [["frontend", "resources", "limits", "memory"]]
    assert result.diagnosis is not None
    assert result.diagnosis.provider == "rules (ollama's proposal failed validation)"
    assert result.usage.llm_calls == 1 and len(recorder.bodies) == 1


def test_when_the_analyzers_have_no_change_the_llm_retries_with_the_errors(
    httpserver: HTTPServer,
) -> None:
    wrong = answer_text(
        changes=[{"path": ["cartService", "resources", "limits", "memory"], "new": "256Mi"}]
    )
    recorder = Recorder(wrong, answer_text())
    p = provider(serve(httpserver, recorder))
    no_change = Proposal.model_validate(
        {
            "diagnosis": {"category": "unknown", "root_cause": "?", "confidence": 0.2},
            "no_fix_reason": "no finding",
        }
    )
    p.rules.propose = lambda request: no_change  # type: ignore[method-assign]
    result = run_incident(oom_incident(), run_context(p))
    assert result.fix.status == "proposed" and result.fix.attempts == 2
    assert result.diagnosis is not None and result.diagnosis.provider == f"ollama:{MODEL}"
    retry = recorder.bodies[1]["messages"][-1]["content"]
    assert "Validation errors of the last proposal:" in retry and "wrong-workload" in retry
    assert result.usage.llm_calls == 2


def test_an_unreachable_host_is_retried_then_the_analyzers_answer(no_llm_env: None) -> None:
    p = provider(f"http://127.0.0.1:{free_port()}", max_retries=2)
    result = run_incident(oom_incident(), run_context(p))
    assert result.fix.status == "proposed"
    assert result.diagnosis is not None
    assert result.diagnosis.provider.startswith(
        "rules (fallback: ollama unreachable at http://127.0.0.1:"
    )
    assert result.usage.llm_calls == 3  # the first try and two retries


def test_a_timeout_is_not_retried(httpserver: HTTPServer) -> None:
    recorder = Recorder(answer_text(), delay=1.5)
    p = provider(serve(httpserver, recorder), timeout=0.5)
    proposal = p.propose(oom_request(p))
    assert proposal.diagnosis.provider == "rules (fallback: ollama timed out after 0.5s)"
    assert [c.new for c in proposal.changes] == ["256Mi"]
    assert p.usage.llm_calls == 1


def test_an_unknown_model_says_so(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/api/chat").respond_with_json(
        {"error": "model 'nope' not found"}, status=404
    )
    p = provider(httpserver.url_for("/").rstrip("/"), ollama_model="nope")
    proposal = p.propose(oom_request(p))
    assert "ollama model 'nope' not found" in proposal.diagnosis.provider
    assert "ollama pull nope" in proposal.diagnosis.provider


def test_output_off_the_schema_is_repaired_once_then_falls_back(httpserver: HTTPServer) -> None:
    recorder = Recorder(
        '{"category": "oom", "root_cause": "cut off', "I think the pod needs more memory."
    )
    p = provider(serve(httpserver, recorder), max_retries=1)
    proposal = p.propose(oom_request(p))
    assert proposal.diagnosis.provider == "rules (fallback: ollama answer did not match the schema)"
    assert len(recorder.bodies) == 2
    assert "did not match the response schema" in recorder.bodies[1]["messages"][-1]["content"]
    assert p.usage.llm_calls == 2 and p.usage.tokens_in == 3000


def test_budgets_stop_calls_and_say_so(httpserver: HTTPServer) -> None:
    recorder = Recorder(answer_text())
    url = serve(httpserver, recorder)
    hourly = HourlyCounter()
    first = HybridProvider("ollama", settings(url, calls_per_hour=1), hourly=hourly)
    assert first.propose(oom_request(first)).diagnosis.provider == f"ollama:{MODEL}"
    second = HybridProvider("ollama", settings(url, calls_per_hour=1), hourly=hourly)
    proposal = second.propose(oom_request(second))
    assert proposal.diagnosis.provider == "rules (fallback: LLM budget: 1 calls per hour reached)"
    tokens = provider(url, tokens_per_incident=500)
    proposal = tokens.propose(oom_request(tokens))
    assert proposal.diagnosis.provider.startswith(
        "rules (fallback: LLM budget: 500 tokens per incident"
    )
    assert len(recorder.bodies) == 1  # neither over-budget call reached the server


def test_the_hourly_counter_slides() -> None:
    now = [0.0]
    counter = HourlyCounter(clock=lambda: now[0])
    counter.take(2)
    counter.take(2)
    with pytest.raises(Exception, match="2 calls per hour"):
        counter.take(2)
    now[0] = 3600.0
    counter.take(2)
    assert counter.count() == 1


def test_usage_is_per_incident(httpserver: HTTPServer) -> None:
    p = provider(serve(httpserver, Recorder(answer_text())))
    run_incident(oom_incident(), run_context(p))
    result = run_incident(oom_incident(), run_context(p))
    assert result.usage.llm_calls == 1


def test_provider_choice_and_clear_configuration_errors(
    no_llm_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ProviderError, match="GEMINI_API_KEY or GOOGLE_API_KEY"):
        make_provider("gemini")
    with pytest.raises(ProviderError, match="--provider auto needs"):
        make_provider("auto")
    monkeypatch.setenv("OLLAMA_HOST", "http://127.0.0.1:1")
    assert make_provider("auto").name == "ollama"
    monkeypatch.setenv("GOOGLE_API_KEY", "k")
    assert make_provider("auto").name == "gemini"
    monkeypatch.setenv("DRKUBE_LLM_TIMEOUT", "soon")
    with pytest.raises(ConfigError, match="DRKUBE_LLM_TIMEOUT='soon'"):
        make_provider("auto")


def test_a_zero_budget_means_no_limit() -> None:
    counter = HourlyCounter()
    for _ in range(5):
        counter.take(0)
    assert counter.count() == 5


def test_a_model_that_names_another_class_does_not_overrule_confident_analyzers(
    httpserver: HTTPServer,
) -> None:
    """The OOMKilled evidence is quoted; a model answering "cpu-throttling" is not believed."""
    recorder = Recorder(
        answer_text(
            category="cpu-throttling",
            root_cause="The frontend is throttled by its CPU limit.",
            changes=[{"path": ["frontend", "resources", "limits", "cpu"], "new": "400m"}],
        )
    )
    result = run_incident(oom_incident(), run_context(provider(serve(httpserver, recorder))))
    assert result.diagnosis is not None and result.diagnosis.category == "oom"
    assert result.diagnosis.provider.startswith("rules (ollama said cpu-throttling")
    assert [c.dotted() for c in result.fix.changes] == ["frontend.resources.limits.memory"]
    assert result.fix.attempts == 1 and result.usage.llm_calls == 1
