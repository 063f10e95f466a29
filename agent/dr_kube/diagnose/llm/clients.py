"""Gemini and Ollama chat models through LangChain, asked for `LLMProposal` as structured output.

LangChain's provider packages are imported here, on first use only, so `dr-kube --help` stays fast.
Transport errors are retried with exponential backoff; an answer that does not match the schema is
retried once with the parse error; a timeout, a missing model or a rejected key is not retried.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from dr_kube.config.llm import Backend, LLMSettings
from dr_kube.diagnose.llm.budget import Budget, BudgetExceededError
from dr_kube.diagnose.llm.prompt import REPAIR, Prompt
from dr_kube.diagnose.llm.schema import LLMProposal

log = logging.getLogger(__name__)

FailureKind = Literal["transport", "timeout", "invalid", "budget", "model", "auth", "request"]


class LLMError(Exception):
    """The LLM gave no usable answer; `reason` is short and fit for the result JSON."""

    def __init__(self, kind: FailureKind, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


@dataclass
class Reply:
    answer: LLMProposal
    tokens_in: int
    tokens_out: int
    seconds: float
    calls: int


def _usage(raw: Any) -> tuple[int, int]:
    meta = getattr(raw, "usage_metadata", None) or {}
    return int(meta.get("input_tokens") or 0), int(meta.get("output_tokens") or 0)


def build_chat_model(backend: Backend, settings: LLMSettings) -> Any:
    """The LangChain chat model for `backend`, configured from the settings."""
    if backend == "gemini":
        from langchain_google_genai import ChatGoogleGenerativeAI

        if settings.gemini_api_key is None:
            raise LLMError("auth", "GEMINI_API_KEY or GOOGLE_API_KEY is not set")
        options: dict[str, Any] = {
            "model": settings.gemini_model,
            "google_api_key": settings.gemini_api_key,
            "temperature": 0,
            "max_output_tokens": settings.num_predict,
            "timeout": settings.timeout,
            "max_retries": 1,  # one attempt per call: DR-Kube retries and counts each call itself
            "base_url": settings.gemini_base_url,
        }
        if "flash" in settings.gemini_model:
            options["thinking_budget"] = 0  # a values diagnosis does not need thinking tokens
        return ChatGoogleGenerativeAI(**options)
    from langchain_ollama import ChatOllama

    return ChatOllama(
        model=settings.ollama_model,
        base_url=settings.ollama_url,
        temperature=0,
        seed=0,
        num_predict=settings.num_predict,
        keep_alive="10m",
        client_kwargs={"timeout": settings.timeout},
    )


def classify(exc: BaseException, backend: Backend, settings: LLMSettings) -> LLMError:
    """A clear, short reason for a failed call, and whether it is worth retrying."""
    import httpx
    from langchain_core.exceptions import (
        ModelAuthenticationError,
        ModelInvalidRequestError,
        ModelNotFoundError,
        ModelPermissionDeniedError,
        ModelTimeoutError,
    )

    model = settings.model_for(backend)
    where = settings.ollama_url if backend == "ollama" else "the Gemini API"
    if isinstance(exc, LLMError):
        return exc
    if isinstance(exc, httpx.TimeoutException | ModelTimeoutError | TimeoutError):
        return LLMError("timeout", f"{backend} timed out after {settings.timeout:g}s")
    if isinstance(exc, ModelNotFoundError):
        return LLMError("model", f"{backend} model {model!r} not found")
    if isinstance(exc, ModelAuthenticationError | ModelPermissionDeniedError):
        return LLMError("auth", f"{backend} rejected the API key")
    if backend == "ollama":
        from ollama import ResponseError

        if isinstance(exc, ResponseError):
            if exc.status_code == 404:
                return LLMError(
                    "model", f"ollama model {model!r} not found at {where} (ollama pull {model})"
                )
            return LLMError("transport", f"ollama error {exc.status_code}: {exc.error}"[:200])
    if isinstance(exc, ConnectionError | httpx.TransportError):
        return LLMError("transport", f"{backend} unreachable at {where}")
    code = getattr(exc, "code", None) or getattr(exc.__cause__, "code", None)
    if backend == "gemini" and code in (400, 401, 403) and "api key" in str(exc).lower():
        return LLMError("auth", f"gemini rejected the API key ({code})")
    if code == 404:
        return LLMError("model", f"{backend} model {model!r} not found")
    if isinstance(exc, ModelInvalidRequestError) or code == 400:
        return LLMError("request", f"{backend} refused the request: {exc}"[:200])
    return LLMError("transport", f"{backend} failed: {type(exc).__name__}: {exc}"[:200])


class StructuredLLM:
    """One backend asked for `LLMProposal`, with retries, budgets and token accounting."""

    def __init__(
        self,
        backend: Backend,
        settings: LLMSettings,
        chat_model: Any = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.backend = backend
        self.model = settings.model_for(backend)
        self.settings = settings
        self._chat = chat_model
        self._runnable: Any = None
        self._sleep = sleep

    def _structured(self) -> Any:
        if self._runnable is None:
            chat = (
                self._chat
                if self._chat is not None
                else build_chat_model(self.backend, self.settings)
            )
            self._runnable = chat.with_structured_output(
                LLMProposal, method="json_schema", include_raw=True
            )
        return self._runnable

    def ask(self, prompt: Prompt, budget: Budget) -> Reply:
        """Ask until a schema-valid answer, the retries or the budget run out."""
        started = time.monotonic()
        messages: list[tuple[str, str]] = prompt.messages()
        tokens_in = tokens_out = calls = 0
        transport_tries = invalid_tries = 0
        expected = prompt.estimated_tokens + self.settings.num_predict
        while True:
            try:
                budget.reserve(expected)
            except BudgetExceededError as exc:
                raise LLMError("budget", str(exc)) from None
            calls += 1
            try:
                out = self._structured().invoke(messages)
            except Exception as exc:  # every provider error becomes a fallback reason
                failure = classify(exc, self.backend, self.settings)
                log.warning("LLM call failed (%s): %s", failure.kind, failure.reason)
                if failure.kind == "transport" and transport_tries < self.settings.max_retries:
                    self._sleep(self.settings.backoff * 2**transport_tries)
                    transport_tries += 1
                    continue
                raise failure from None
            raw = out.get("raw")
            used_in, used_out = _usage(raw)
            budget.record(used_in, used_out)
            tokens_in, tokens_out = tokens_in + used_in, tokens_out + used_out
            parsed = out.get("parsed")
            if isinstance(parsed, LLMProposal):
                return Reply(parsed, tokens_in, tokens_out, time.monotonic() - started, calls)
            error = str(out.get("parsing_error") or "no JSON object in the answer")
            log.warning("LLM answer did not match the schema: %s", error[:300])
            if invalid_tries >= min(1, self.settings.max_retries):
                raise LLMError("invalid", f"{self.backend} answer did not match the schema")
            invalid_tries += 1
            content = getattr(raw, "content", "")
            messages = [
                *prompt.messages(),
                ("ai", str(content)[:2000]),
                ("human", REPAIR.format(error=error.splitlines()[0][:200])),
            ]
