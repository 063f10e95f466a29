"""Policy by cause: what an LLM proposes outside its category's fields goes back to it as a
validation error, and it must propose something else (the real ChatOllama client against
recorded Ollama answers)."""

from __future__ import annotations

import json
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from dr_kube.config.llm import LLMSettings
from dr_kube.diagnose.llm.budget import HourlyCounter
from dr_kube.diagnose.llm.providers import HybridProvider
from dr_kube.graph.runner import run_incident
from dr_kube.models import Proposal
from tests.support.llm import answer, oom_incident, run_context


def chat_reply(content: dict[str, Any]) -> str:
    chunk = {"model": "m", "message": {"role": "assistant", "content": json.dumps(content)}}
    done = {"model": "m", "message": {"role": "assistant", "content": ""}, "done": True}
    return json.dumps({**chunk, "done": False}) + "\n" + json.dumps(done) + "\n"


def test_a_retag_for_an_oom_goes_back_to_the_model_with_the_reason(httpserver: HTTPServer) -> None:
    retag = answer(changes=[{"path": ["images", "tag"], "new": "v0.10.3"}])
    answers = [retag, answer()]
    bodies: list[dict[str, Any]] = []

    def chat(request: Request) -> Response:
        bodies.append(json.loads(request.get_data()))
        reply = answers[min(len(bodies), len(answers)) - 1]
        return Response(chat_reply(reply), content_type="application/x-ndjson")

    httpserver.expect_request("/api/chat", method="POST").respond_with_handler(chat)
    settings = LLMSettings(
        ollama_host=httpserver.url_for("/").rstrip("/"), ollama_model="m", timeout=5, backoff=0
    )
    provider = HybridProvider("ollama", settings, hourly=HourlyCounter())
    no_change = Proposal.model_validate(
        {
            "diagnosis": {"category": "unknown", "root_cause": "?", "confidence": 0.2},
            "no_fix_reason": "no finding",
        }
    )
    provider.rules.propose = lambda request: no_change  # type: ignore[method-assign]
    result = run_incident(oom_incident(), run_context(provider))
    assert len(bodies) == 2
    retry = bodies[1]["messages"][-1]["content"]
    assert (
        "wrong-field-for-category" in retry and "a fix for oom changes memory, not image" in retry
    )
    assert result.fix.status == "proposed" and result.fix.attempts == 2
    assert [c.path for c in result.fix.changes] == [["frontend", "resources", "limits", "memory"]]
