"""Run incidents through the graph; the entry point the CLI and the service share."""

from __future__ import annotations

from collections.abc import Iterable

from dr_kube.models import Incident, Result
from dr_kube.steps import RunContext

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_NO_FIX = 0, 1, 2, 3


def run_incident(incident: Incident, ctx: RunContext, guidance: Iterable[str] = ()) -> Result:
    from dr_kube.graph.graph import graph

    out = graph.invoke({"incident": incident, "guidance": list(guidance)}, context=ctx)
    return Result.model_validate(out["result"])


def group_incidents(incidents: list[Incident]) -> list[Incident]:
    """One incident per key: alerts of one payload about the same workload and class join."""
    seen: dict[str, Incident] = {}
    for incident in incidents:
        if incident.status != "firing":
            continue
        seen.setdefault(incident.key(), incident)
    return list(seen.values())


def exit_code(result: Result) -> int:
    return EXIT_OK if result.fix.status == "proposed" else EXIT_NO_FIX
