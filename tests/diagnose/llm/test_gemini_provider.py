"""The Gemini provider against recorded `generateContent` answers of its REST API."""

from __future__ import annotations

import json
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from dr_kube.config.llm import LLMSettings
from dr_kube.diagnose.llm.budget import HourlyCounter
from dr_kube.diagnose.llm.providers import HybridProvider
from dr_kube.graph.runner import run_incident
from tests.support.llm import answer_text, leaked, oom_incident, oom_request, run_context

MODEL = "gemini-2.5-flash"
KEY = "test-key-not-a-secret"
PATH = f"/v1beta/models/{MODEL}:generateContent"


def gemini_reply(text: str, tokens_in: int = 1800, tokens_out: int = 90) -> dict[str, Any]:
    """A `generateContent` response as the Gemini API documents it."""
    return {
        "candidates": [
            {
                "content": {"parts": [{"text": text}], "role": "model"},
                "finishReason": "STOP",
                "index": 0,
            }
        ],
        "usageMetadata": {
            "promptTokenCount": tokens_in,
            "candidatesTokenCount": tokens_out,
            "totalTokenCount": tokens_in + tokens_out,
        },
        "modelVersion": MODEL,
        "responseId": "recorded-1",
    }


class Recorder:
    def __init__(self, *replies: tuple[int, dict[str, Any]]) -> None:
        self.replies = list(replies)
        self.requests: list[tuple[dict[str, str], dict[str, Any]]] = []

    def __call__(self, request: Request) -> Response:
        self.requests.append((dict(request.headers), json.loads(request.get_data())))
        status, body = self.replies[min(len(self.requests), len(self.replies)) - 1]
        return Response(json.dumps(body), status=status, content_type="application/json")


def provider(httpserver: HTTPServer, recorder: Recorder, **overrides: Any) -> HybridProvider:
    httpserver.expect_request(PATH, method="POST").respond_with_handler(recorder)
    settings = LLMSettings(
        gemini_api_key=KEY,  # type: ignore[arg-type]
        gemini_model=MODEL,
        gemini_base_url=httpserver.url_for("/").rstrip("/"),
        timeout=5,
        num_predict=512,
        backoff=0,
    ).model_copy(update=overrides)
    return HybridProvider("gemini", settings, hourly=HourlyCounter())


def test_the_request_carries_the_model_the_schema_and_no_secret(httpserver: HTTPServer) -> None:
    recorder = Recorder((200, gemini_reply(answer_text())))
    p = provider(httpserver, recorder)
    result = run_incident(oom_incident(), run_context(p))
    assert result.fix.status == "proposed" and result.fix.attempts == 1
    assert result.diagnosis is not None and result.diagnosis.provider == f"gemini:{MODEL}"
    assert result.usage.model_dump() == {"llm_calls": 1, "tokens_in": 1800, "tokens_out": 90}
    headers, body = recorder.requests[0]
    assert headers.get("X-Goog-Api-Key") == KEY
    config = body["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    schema = config.get("responseJsonSchema") or config.get("responseSchema")
    assert schema is not None and set(schema["required"]) >= {"category", "root_cause", "changes"}
    assert config["maxOutputTokens"] == 512 and config["temperature"] == 0
    text = json.dumps(body)
    assert "OOMKilled" in text and "frontend:" in text
    assert leaked(text) == []


def test_a_server_error_is_retried_then_answered(httpserver: HTTPServer) -> None:
    error = {"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}
    recorder = Recorder((503, error), (200, gemini_reply(answer_text())))
    p = provider(httpserver, recorder)
    proposal = p.propose(oom_request(p))
    assert proposal.diagnosis.provider == f"gemini:{MODEL}"
    assert len(recorder.requests) == 2 and p.usage.llm_calls == 2


def test_an_unknown_model_and_a_bad_key_fall_back_with_a_clear_reason(
    httpserver: HTTPServer,
) -> None:
    missing = {
        "error": {"code": 404, "message": f"models/{MODEL} is not found", "status": "NOT_FOUND"}
    }
    p = provider(httpserver, Recorder((404, missing)))
    proposal = p.propose(oom_request(p))
    assert proposal.diagnosis.provider == f"rules (fallback: gemini model '{MODEL}' not found)"
    assert [c.new for c in proposal.changes] == ["256Mi"]
    httpserver.clear()
    bad_key = {
        "error": {
            "code": 400,
            "message": "API key not valid. Please pass a valid API key.",
            "status": "INVALID_ARGUMENT",
        }
    }
    p = provider(httpserver, Recorder((400, bad_key)))
    proposal = p.propose(oom_request(p))
    assert proposal.diagnosis.provider.startswith("rules (fallback: gemini rejected the API key")
