"""The MCP server (the official SDK's `MCPServer`): DR-Kube's read-only tools, each with a typed
result (structured output). Transports are wired elsewhere: stdio by `dr-kube mcp`, streamable
HTTP by `dr-kube serve` (at /mcp, behind the API's credentials)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Annotated, Any, Literal, ParamSpec, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from dr_kube import __version__
from dr_kube.errors import DrKubeError
from dr_kube.incidents.lifecycle import Status
from dr_kube.mcp.models import (
    AuditTrail,
    AuditVerdict,
    Diagnoses,
    FieldExplanation,
    IncidentList,
    IncidentView,
)
from dr_kube.mcp.tools import Tools

log = logging.getLogger("dr_kube.mcp")
P = ParamSpec("P")
R = TypeVar("R")

# Kubernetes object names (RFC 1123 subdomain) and namespaces (RFC 1123 label).
Name = Annotated[
    str, Field(pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", max_length=253, description="Name")
]
Namespace = Annotated[
    str, Field(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max_length=63, description="Namespace")
]
Kind = Literal["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"]
Short = Annotated[str, Field(max_length=200)]
READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True)
INSTRUCTIONS = (
    "DR-Kube turns Kubernetes alerts into reviewed Helm-values pull requests. These tools only "
    "read: list and open incidents, diagnose a workload (a dry run of `dr-kube run`: the "
    "diagnosis and the change DR-Kube would propose, nothing written), explain which values key "
    "sets a workload's field (proven by rendering the chart), and read or verify the audit trail."
)


def reported(func: Callable[P, R]) -> Callable[P, R]:
    """DR-Kube's own errors become the tool's one-line error, never a traceback."""

    @wraps(func)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except DrKubeError as exc:
            raise ToolError(str(exc)) from None

    return call


def build_server(tools: Tools) -> MCPServer[Any]:
    server: MCPServer[Any] = MCPServer(
        name="dr-kube",
        title="DR-Kube",
        version=__version__,
        instructions=INSTRUCTIONS,
        log_level="WARNING",
    )
    add = server.tool

    @add(title="List incidents", annotations=READ_ONLY)
    @reported
    def list_incidents(
        namespace: Namespace | None = None,
        workload: Name | None = None,
        status: Status | None = None,
        category: Short | None = None,
        limit: Annotated[int, Field(ge=1, le=1000)] = 50,
    ) -> IncidentList:
        """Incidents DR-Kube holds, newest first, filtered by namespace, workload, status and
        category (oom, crashloop, cpu-throttling, memory-pressure, probe-failure, ...)."""
        return tools.list_incidents(namespace, workload, status, category, limit)

    @add(title="Get an incident", annotations=READ_ONLY)
    @reported
    def get_incident(incident_id: Short) -> IncidentView:
        """One incident in full: alerts, diagnosis, proposed change and its validation, PR,
        attempts, reviews, audit events and where operators stand with it."""
        return tools.get_incident(incident_id)

    @add(title="Diagnose a workload (dry run)", annotations=READ_ONLY)
    @reported
    def diagnose_workload(
        namespace: Namespace,
        workload: Name,
        kind: Kind = "Deployment",
        container: Name | None = None,
        alertname: Annotated[
            str | None, Field(max_length=100, description="The alert's name, if one fired")
        ] = None,
    ) -> Diagnoses:
        """Diagnose a workload from the cluster DR-Kube reads (live or a dump) and show the fix
        it would propose, validated by rendering the chart: `dr-kube run`'s result
        (dr-kube/result@1). Writes nothing: no branch, no commit, no PR, no record."""
        return tools.diagnose_workload(namespace, workload, kind, container, alertname)

    @add(title="Diagnose an alert (dry run)", annotations=READ_ONLY)
    @reported
    def diagnose_alert(
        alert: Annotated[
            dict[str, Any],
            Field(
                description="An Alertmanager webhook payload, a single alert object or a sample "
                "issue, as `dr-kube run` reads from a file"
            ),
        ],
    ) -> Diagnoses:
        """Diagnose what an alert is about, as `dr-kube run ALERT_FILE` does; writes nothing."""
        return tools.diagnose_alert(alert)

    @add(title="Explain where a field is set", annotations=READ_ONLY)
    @reported
    def explain_field(
        namespace: Namespace,
        workload: Name,
        kind: Kind = "Deployment",
        field: Annotated[
            str,
            Field(
                max_length=100,
                description="resources.limits.memory, resources.requests.cpu, "
                "livenessProbe.timeoutSeconds, image, replicas, ...",
            ),
        ] = "resources.limits.memory",
        container: Name | None = None,
    ) -> FieldExplanation:
        """Where a workload's field is set in the GitOps repository: the Argo CD Application,
        the values file and key path, the chart, and the proof from rendering it with Helm."""
        return tools.explain_field(namespace, workload, kind, field, container)

    @add(title="Read the audit trail", annotations=READ_ONLY)
    @reported
    def audit_trail(
        incident_id: Short | None = None,
        since: Annotated[float | None, Field(ge=0, le=1e11, description="Unix time")] = None,
        after: Annotated[int, Field(ge=0, le=2**62, description="Records after this seq")] = 0,
        limit: Annotated[int, Field(ge=1, le=5000)] = 200,
    ) -> AuditTrail:
        """Every action DR-Kube took, hash-chained, in chain order; one incident's with
        incident_id. Page with after=next_after."""
        return tools.audit_trail(incident_id, since, after, limit)

    @add(title="Verify the audit trail", annotations=READ_ONLY)
    @reported
    def verify_audit() -> AuditVerdict:
        """Check the hash chain: ok, or the first changed or deleted record."""
        return tools.verify_audit()

    return server
