"""Run incidents through the graph; the entry point the CLI and the service share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dr_kube.cluster.evidence import Evidence
from dr_kube.graph.context import RunContext
from dr_kube.incidents.model import Incident
from dr_kube.models import Result

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_NO_FIX = 0, 1, 2, 3


def run_incident(incident: Incident, ctx: RunContext, guidance: Iterable[str] = ()) -> Result:
    from dr_kube.graph.graph import graph

    out = graph.invoke({"incident": incident, "guidance": list(guidance)}, context=ctx)
    return Result.model_validate(out["result"])


def exit_code(result: Result) -> int:
    """0 a fix proposed (and published, for `fix`); 3 no safe fix, or the work was done and its
    publication failed (push refused, origin unreachable, the forge failing)."""
    ok = result.fix.status == "proposed" and result.publish_failure is None
    return EXIT_OK if ok else EXIT_NO_FIX


def worst(codes: list[int]) -> int:
    """The exit code of several incidents: internal error beats bad input beats no fix beats
    success."""
    for code in (EXIT_INTERNAL, EXIT_INPUT, EXIT_NO_FIX):
        if code in codes:
            return code
    return EXIT_OK


class ServiceRun:
    """Where a checkpointed run stands after one step of the service: paused for review or done."""

    def __init__(self, values: dict[str, Any], paused: bool) -> None:
        self.values = values
        self.paused = paused
        self.result = Result.model_validate(values["result"]) if "result" in values else None

    @property
    def review_round(self) -> int:
        return int(self.values.get("review_round", 0))


def thread_config(thread_id: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread_id}}


def run_checkpointed(
    graph: Any,
    incident: Incident,
    ctx: RunContext,
    thread_id: str,
    resume: dict[str, Any] | None = None,
) -> ServiceRun:
    """Start, continue (after a crash: from the last finished node) or resume (with a review)."""
    from langgraph.types import Command

    config = thread_config(thread_id)
    snapshot = graph.get_state(config)
    start: Any
    if snapshot.interrupts:
        if resume is None:
            return ServiceRun(dict(snapshot.values), paused=True)
        start = Command(resume=resume)
    elif snapshot.next:
        start = None  # a run that died mid-way: carry on from its checkpoint
    elif snapshot.values:
        return ServiceRun(dict(snapshot.values), paused=False)
    else:
        start = {"incident": incident, "guidance": []}
    graph.invoke(start, config=config, context=ctx)
    snapshot = graph.get_state(config)
    return ServiceRun(dict(snapshot.values), paused=bool(snapshot.interrupts))


def paused_round(graph: Any, thread_id: str) -> int | None:
    """The review round a paused thread is waiting in, or None when it is not paused."""
    snapshot = graph.get_state(thread_config(thread_id))
    if not snapshot.interrupts:
        return None
    return int(snapshot.values.get("review_round", 0))


def thread_evidence(graph: Any, thread_id: str) -> Evidence | None:
    """The evidence a checkpointed run collected (its pods' logs included), if it got that far."""
    snapshot = graph.get_state(thread_config(thread_id))
    found = (snapshot.values or {}).get("evidence")
    return found if isinstance(found, Evidence) else None
