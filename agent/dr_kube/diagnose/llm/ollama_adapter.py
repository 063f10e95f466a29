"""A thin Ollama-API front for llama.cpp's `llama-server` (which speaks the OpenAI API).

Serves `/api/chat` (NDJSON stream or one object; `format` → `response_format`, `options.num_predict`
→ `max_tokens`, usage → `prompt_eval_count` / `eval_count`), `/api/tags`, `/api/show` and
`/api/version`, so the real `ChatOllama` client drives a real local model. Standard library only.
It keeps every `/api/chat` body it receives (`received`) and the model's answers (`replies`), so
tests can read exactly what left DR-Kube and what came back.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

log = logging.getLogger(__name__)


def now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def response_format(fmt: Any) -> dict[str, Any] | None:
    if fmt == "json":
        return {"type": "json_object"}
    if isinstance(fmt, dict) and fmt:
        return {"type": "json_schema", "json_schema": {"name": "answer", "schema": fmt}}
    return None


def to_openai(body: dict[str, Any]) -> dict[str, Any]:
    options = body.get("options") or {}
    out: dict[str, Any] = {
        "messages": [
            {"role": m.get("role", "user"), "content": m.get("content") or ""}
            for m in body.get("messages") or []
        ],
        "stream": False,
    }
    for ours, theirs in (
        ("num_predict", "max_tokens"),
        ("temperature", "temperature"),
        ("seed", "seed"),
        ("top_p", "top_p"),
        ("top_k", "top_k"),
        ("stop", "stop"),
        ("repeat_penalty", "repeat_penalty"),
    ):
        if options.get(ours) is not None:
            out[theirs] = options[ours]
    fmt = response_format(body.get("format"))
    if fmt is not None:
        out["response_format"] = fmt
    return out


class OllamaAdapter:
    """The adapter's state: the upstream URL, the served model name, and what it received."""

    def __init__(self, upstream: str, model: str, timeout: float = 300.0) -> None:
        self.upstream = upstream.rstrip("/")
        self.model = model
        self.timeout = timeout
        self.received: list[dict[str, Any]] = []
        self.replies: list[str] = []
        self._lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    def model_entry(self) -> dict[str, Any]:
        return {
            "name": self.model,
            "model": self.model,
            "modified_at": now(),
            "size": 0,
            "digest": "0" * 64,
            "details": {
                "format": "gguf",
                "family": "llama.cpp",
                "families": ["llama.cpp"],
                "parameter_size": "",
                "quantization_level": "",
            },
        }

    def chat(self, body: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
        """(status, NDJSON objects) for one `/api/chat` request."""
        with self._lock:
            self.received.append(body)
        if body.get("model") not in (self.model, f"{self.model}:latest"):
            return 404, [{"error": f"model '{body.get('model')}' not found"}]
        started = time.monotonic_ns()
        try:
            reply = requests.post(
                f"{self.upstream}/v1/chat/completions", json=to_openai(body), timeout=self.timeout
            )
        except requests.RequestException as exc:
            return 502, [{"error": f"llama-server unreachable: {exc}"}]
        if reply.status_code != 200:
            return reply.status_code, [{"error": reply.text[:500]}]
        data = reply.json()
        choice = (data.get("choices") or [{}])[0]
        usage = data.get("usage") or {}
        elapsed = time.monotonic_ns() - started
        content = (choice.get("message") or {}).get("content") or ""
        with self._lock:
            self.replies.append(content)
        done = {
            "model": self.model,
            "created_at": now(),
            "message": {"role": "assistant", "content": ""},
            "done": True,
            "done_reason": "length" if choice.get("finish_reason") == "length" else "stop",
            "total_duration": elapsed,
            "load_duration": 0,
            "prompt_eval_count": int(usage.get("prompt_tokens") or 0),
            "prompt_eval_duration": 0,
            "eval_count": int(usage.get("completion_tokens") or 0),
            "eval_duration": elapsed,
        }
        message = {"role": "assistant", "content": content}
        if body.get("stream", True):
            chunk = {"model": self.model, "created_at": now(), "message": message, "done": False}
            return 200, [chunk, done]
        return 200, [{**done, "message": message}]

    def handler(self) -> type[BaseHTTPRequestHandler]:
        adapter = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, format: str, *args: Any) -> None:
                log.debug("ollama-adapter: " + format, *args)

            def _send(self, status: int, objects: list[dict[str, Any]], ndjson: bool) -> None:
                payload = (
                    "".join(json.dumps(o) + "\n" for o in objects)
                    if ndjson
                    else json.dumps(objects[0])
                ).encode()
                try:
                    self.send_response(status)
                    self.send_header(
                        "Content-Type", "application/x-ndjson" if ndjson else "application/json"
                    )
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    log.info("ollama-adapter: the client left before the answer (timed out?)")

            def _body(self) -> dict[str, Any]:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b"{}"
                data = json.loads(raw or b"{}")
                return data if isinstance(data, dict) else {}

            def do_GET(self) -> None:
                if self.path in ("/", "/api/version"):
                    self._send(200, [{"version": "0.6.0"}], False)
                elif self.path == "/api/tags":
                    self._send(200, [{"models": [adapter.model_entry()]}], False)
                else:
                    self._send(404, [{"error": "not found"}], False)

            def do_HEAD(self) -> None:
                self.send_response(200)
                self.end_headers()

            def do_POST(self) -> None:
                try:
                    body = self._body()
                except (ValueError, UnicodeDecodeError):
                    self._send(400, [{"error": "invalid JSON"}], False)
                    return
                if self.path == "/api/chat":
                    status, objects = adapter.chat(body)
                    stream = status == 200 and bool(body.get("stream", True))
                    self._send(status, objects, stream)
                elif self.path == "/api/show":
                    entry = adapter.model_entry()
                    self._send(
                        200,
                        [
                            {
                                "modelfile": "",
                                "parameters": "",
                                "template": "",
                                "details": entry["details"],
                                "model_info": {},
                                "capabilities": ["completion"],
                            }
                        ],
                        False,
                    )
                else:
                    self._send(
                        404, [{"error": f"{self.path} is not served by this adapter"}], False
                    )

        return Handler

    def serve(self, host: str = "127.0.0.1", port: int = 11434) -> ThreadingHTTPServer:
        """Start serving in a daemon thread; returns the server (its port if 0 was asked)."""
        self.server = ThreadingHTTPServer((host, port), self.handler())
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self.server

    def close(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
