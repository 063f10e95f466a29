"""The structured output an LLM must return, and its conversion to DR-Kube's `Proposal`.

Every field is required and plainly typed (strings, no nulls, bounded lengths) so the same schema
works as Gemini's response schema and as Ollama's `format` grammar, and a small model that rambles
is cut at the schema's bounds instead of the token limit.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from dr_kube.models import Category, Change, Diagnosis, PathKey, Proposal
from dr_kube.policy import field_kind
from dr_kube.values_model import get_path

LLMCategory = Category  # the answer's classes are the analyzers' classes


class LLMChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: list[Annotated[str, Field(max_length=64)]] = Field(
        min_length=1,
        max_length=8,
        description="Full key path from the root of the values file, one key per item.",
    )
    new: str = Field(max_length=80, description="The new value, e.g. 256Mi, 500m, 3, 1.2.3.")


class LLMProposal(BaseModel):
    """What the model answers: a diagnosis and path-level changes to the workload's values."""

    model_config = ConfigDict(extra="forbid")

    category: LLMCategory
    root_cause: str = Field(max_length=300, description="One or two sentences.")
    evidence: list[Annotated[str, Field(max_length=160)]] = Field(
        max_length=3, description="Short quotes from the evidence that support the diagnosis."
    )
    changes: list[LLMChange] = Field(
        max_length=3, description="Empty when no values change can fix this."
    )
    confidence: float = Field(ge=0, le=1)
    no_fix_reason: str = Field(max_length=200, description="Why there is no change; else empty.")


def _key(part: str) -> PathKey:
    return int(part) if re.fullmatch(r"\d+", part) else part


def coerce(value: str, current: Any, path: list[PathKey]) -> Any:
    """The model's string as the type the file (or the key's kind) expects."""
    text = value.strip()
    if isinstance(current, bool):
        return text.lower() in ("true", "yes", "1")
    numeric = isinstance(current, int | float) or field_kind(path) in ("replicas", "probe")
    if numeric and re.fullmatch(r"-?\d+", text):
        return int(text)
    if isinstance(current, float) and re.fullmatch(r"-?\d+\.\d*", text):
        return float(text)
    return text


def to_proposal(
    answer: LLMProposal,
    *,
    values_file: str | None,
    values: Any,
    defaults: Any,
    provider: str,
    container: str | None,
) -> Proposal:
    changes: list[Change] = []
    for item in answer.changes if values_file else []:
        path = [_key(p) for p in item.path]
        found, current = get_path(values, path)
        if not found and defaults is not None:
            found, current = get_path(defaults, path)
        changes.append(
            Change(
                file=values_file or "",
                path=path,
                old=current if found else None,
                new=coerce(item.new, current if found else None, path),
            )
        )
    diagnosis = Diagnosis(
        category=answer.category,
        root_cause=answer.root_cause.strip() or "the model gave no root cause",
        evidence=[e for e in answer.evidence if e.strip()],
        confidence=answer.confidence,
        provider=provider,
        container=container,
    )
    reason = answer.no_fix_reason.strip() or None
    if not changes and reason is None:
        reason = "the model proposed no change"
    return Proposal(diagnosis=diagnosis, changes=changes, no_fix_reason=None if changes else reason)
