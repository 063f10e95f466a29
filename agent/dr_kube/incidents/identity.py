"""Incident identity: the subject (a workload, or a node) and the root cause the diagnosis names.

Before diagnosis only the subject is certain (the workload an alert's pod belongs to is resolved
at intake) and the alert's class is a hint; after diagnosis the category is known. The rules here
say which open incident a new alert joins; the store applies them inside its transaction.

- A *symptom* (a crash loop, a replicas mismatch, a pod not ready, an alert of no known class) says
  something is wrong with the subject, not why: it joins the subject's open incident, whatever its
  cause.
- A *cause* (OOM, an image that cannot be pulled, ...) joins the subject's open incident of the
  same category, or one not yet diagnosed (its run reads the same pods and will tell); otherwise it
  is a new incident about the same subject.
- A node-level cause (not ready, memory or disk pressure, evictions) is one incident about the
  node; workloads whose diagnosis names the node join it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

SYMPTOMS = frozenset({"crashloop", "replicas-mismatch", "not-ready", "unknown"})
NODE_CATEGORIES = frozenset({"node-not-ready", "node-pressure"})
CLUSTER_SCOPE = "_cluster"  # the namespace part of a node's key: no namespace is named so


def subject_key(namespace: str | None, kind: str, name: str) -> str:
    """`ns/Kind/name`; a node (cluster-scoped) is `_cluster/Node/name`."""
    return f"{namespace or CLUSTER_SCOPE}/{kind}/{name}"


def incident_key(subject: str, category: str | None) -> str:
    """`ns/Kind/name/category`: one incident, one branch, one PR."""
    return f"{subject}/{category or 'unknown'}"


def subject_of_key(key: str) -> str:
    return key.rsplit("/", 1)[0]


def is_symptom(category: str | None) -> bool:
    return category is None or category in SYMPTOMS


@dataclass(frozen=True)
class OpenIncident:
    """What the joining rule needs to know about an open incident of the subject."""

    id: str
    category: str
    diagnosed: bool


def incident_to_join(candidates: Sequence[OpenIncident], hint: str | None) -> str | None:
    """The id of the open incident (oldest first) a firing alert with class `hint` joins."""
    if not candidates:
        return None
    if is_symptom(hint):
        return candidates[0].id
    for candidate in candidates:
        if candidate.category == hint:
            return candidate.id
    for candidate in candidates:
        if not candidate.diagnosed:
            return candidate.id
    return None
