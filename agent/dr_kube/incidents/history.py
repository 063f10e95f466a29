"""Incident memory: similar past incidents, with the fixes tried and how they turned out.

The lookup itself lives next to the store (`dr_kube.store.memory`); this module holds the shapes
and the pure rules: the query's words, the ranking of candidates, the outcome of a past incident.
The CLI has no store and remembers nothing (`NoMemory`); the service passes the store's memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from dr_kube.cluster.evidence import Evidence
from dr_kube.incidents.model import Incident
from dr_kube.models import Change

RELATED_LIMIT = 5
QUERY_TERMS = 12

OutcomeKind = Literal["worked", "not-enough", "merged", "closed", "no-fix", "open"]


class PastIncident(BaseModel):
    """One earlier incident as memory keeps it."""

    id: str
    namespace: str
    workload: str
    category: str
    status: str
    created_at: float
    merged_at: float | None = None
    root_cause: str = ""
    changes: list[Change] = Field(default_factory=list)
    fix_status: str | None = None
    outcome: str | None = None
    pr_url: str | None = None
    same_workload: bool = False
    score: float = 0.0

    @property
    def outcome_kind(self) -> OutcomeKind:
        return outcome_kind(self.outcome, self.status)

    @property
    def merged(self) -> bool:
        return self.merged_at is not None or self.outcome_kind in ("worked", "not-enough", "merged")


class MemoryQuery(BaseModel):
    namespace: str
    workload: str
    category: str | None = None
    text: str = ""
    exclude: str | None = None  # the incident being worked on
    limit: int = RELATED_LIMIT


class Memory(Protocol):
    def similar(self, query: MemoryQuery) -> list[PastIncident]: ...


class NoMemory:
    """What the CLI uses: no store, no history; runs stay exactly as they were."""

    def similar(self, query: MemoryQuery) -> list[PastIncident]:
        return []


def outcome_kind(outcome: str | None, status: str = "") -> OutcomeKind:
    """Map the outcome text the service (and verification) records to one word."""
    text = (outcome or "").strip().lower()
    if text.startswith(("not-enough", "not enough")):
        return "not-enough"
    if text.startswith(("verified", "fixed")):
        return "worked"
    if text.startswith("merged"):
        return "merged"
    if text.startswith("no pr") or text.startswith("no-fix"):
        return "no-fix"
    if "closed without merge" in text or status == "closed":
        return "closed"
    return "open"


STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "were",
        "with",
        "after",
        "before",
        "not",
        "no",
        "than",
        "then",
        "there",
        "their",
        "them",
        "they",
        "its",
        "will",
        "would",
        "could",
        "should",
        "can",
        "alert",
        "container",
        "pod",
        "pods",
        "deployment",
        "workload",
        "namespace",
        "last",
        "over",
        "under",
        "more",
        "less",
    ]
)
WORD = re.compile(r"[a-z][a-z0-9]{2,}")


def words(text: str) -> list[str]:
    """Distinct lowercase words, in order, without stop words, numbers and ids."""
    seen: dict[str, None] = {}
    for word in WORD.findall(text.lower()):
        if word in STOPWORDS or (any(ch.isdigit() for ch in word[1:]) and len(word) > 8):
            continue
        seen.setdefault(word, None)
    return list(seen)


def query_terms(text: str, limit: int = QUERY_TERMS) -> list[str]:
    """The words a full-text lookup searches for: the rarer-looking (longer) ones first."""
    found = words(text)
    ranked = sorted(found, key=lambda w: (-len(w), found.index(w)))
    return ranked[:limit]


def query_text(incident: Incident, evidence: Evidence | None) -> str:
    """What the current incident says before diagnosis: alert text, states, events, errors."""
    parts: list[str] = [incident.alertname, incident.summary, incident.description]
    parts += incident.logs[:5]
    if evidence is not None:
        for pod in evidence.pods[:2]:
            for c in pod.containers + pod.init_containers:
                parts += [c.waiting_reason or "", c.terminated_reason or ""]
                parts.append(c.last_termination_reason or "")
        parts += [f"{e.reason} {e.message}" for e in evidence.events[:8]]
        parts += evidence.notes[:3]
    return " ".join(p for p in parts if p)


def rank(
    same: Iterable[PastIncident], similar: Iterable[PastIncident], limit: int = RELATED_LIMIT
) -> list[PastIncident]:
    """Same workload and category first (newest first), then by text similarity; no repeats."""
    out: list[PastIncident] = []
    seen: set[str] = set()
    for item in [*sorted(same, key=lambda p: -p.created_at), *similar]:
        if item.id in seen:
            continue
        seen.add(item.id)
        out.append(item)
        if len(out) >= limit:
            break
    return out
