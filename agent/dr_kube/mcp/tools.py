"""The read-only operations behind the MCP tools, as plain functions over a store and a context.

Nothing here writes: incidents and the audit trail are read in read transactions, a diagnosis is
`dr-kube run`'s dry run (no branch, no commit, no store, no audit sink), and explaining a field
locates and renders the chart as a run does before it proposes anything. Every result passes
through `redact` (the patterns, and the secrets DR-Kube is configured with) on its way out.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel

from dr_kube.alerts import parse_incidents
from dr_kube.cluster.collect import collect_evidence
from dr_kube.cluster.owners import OwnerResolver
from dr_kube.errors import DrKubeError, InputError, NotFoundError
from dr_kube.gitops.locate import locate, parse_dotted
from dr_kube.gitops.rendered_fields import CONTAINER_FIELDS, WORKLOAD_FIELDS
from dr_kube.graph.context import RunContext
from dr_kube.graph.result import merge_results
from dr_kube.graph.runner import run_incident
from dr_kube.incidents.grouping import group_incidents
from dr_kube.incidents.model import Incident
from dr_kube.mcp.models import (
    AuditTrail,
    AuditVerdict,
    ChartRef,
    Diagnoses,
    FieldExplanation,
    IncidentItem,
    IncidentList,
    IncidentView,
)
from dr_kube.models import Result
from dr_kube.paths import contained
from dr_kube.redact import redact
from dr_kube.store import Store
from dr_kube.store.audit import records, verify_db
from dr_kube.store.find import find_incidents
from dr_kube.store.ops import OpsStore
from dr_kube.values_model import Location, get_path
from dr_kube.yamlio import load_file

M = TypeVar("M", bound=BaseModel)
DIAGNOSE_ALERT = "DrKubeDiagnose"  # the alert name of a diagnosis asked for by name
EXPLAINED_FIELDS = (*CONTAINER_FIELDS, *WORKLOAD_FIELDS)  # what rendering finds the key of
DRY_RUNS = 2  # diagnoses and explanations at once per process; more wait their turn


def scrub(model: M, secrets: tuple[str, ...]) -> M:
    """The model with every string in it passed through `redact`."""

    def walk(node: Any) -> Any:
        if isinstance(node, str):
            return redact(node, secrets)
        if isinstance(node, dict):
            return {walk(k) if isinstance(k, str) else k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    data = walk(model.model_dump(mode="json", by_alias=True))
    return type(model).model_validate(data)


def workload_alert(
    namespace: str, workload: str, kind: str, container: str | None, alertname: str | None
) -> dict[str, Any]:
    """The single alert a diagnosis by name stands for, parsed like any delivered alert."""
    labels = {"alertname": alertname or DIAGNOSE_ALERT, "namespace": namespace}
    if kind == "Pod":
        labels["pod"] = workload
    else:
        labels |= {"workload": workload, "workload_type": kind.lower()}
    if container:
        labels["container"] = container
    return {"status": "firing", "labels": labels, "annotations": {}}


@dataclass
class Tools:
    """What the MCP server exposes. `store` opens (or hands over) the service's store; `context`
    builds a dry-run context (`build_context` without `publish`) from the source options."""

    store: Callable[[], Store]
    context: Callable[[], RunContext]
    secrets: tuple[str, ...] = field(default=())
    # Each dry run reads the cluster and renders the chart: bounded, so that assistants asking at
    # once cannot starve the service's own workers.
    turns: threading.BoundedSemaphore = field(
        default_factory=lambda: threading.BoundedSemaphore(DRY_RUNS)
    )

    # ---- incidents ------------------------------------------------------------------------------
    def list_incidents(
        self,
        namespace: str | None = None,
        workload: str | None = None,
        status: str | None = None,
        category: str | None = None,
        limit: int = 50,
    ) -> IncidentList:
        rows, total = find_incidents(
            self.store(),
            limit,
            namespace=namespace,
            workload=workload,
            status=status,
            category=category,
        )
        items = [IncidentItem.model_validate(r) for r in rows]
        return scrub(IncidentList(items=items, total=total), self.secrets)

    def get_incident(self, incident_id: str) -> IncidentView:
        store = self.store()
        row = store.get_incident(incident_id)
        if row is None:
            raise NotFoundError(f"no incident {incident_id!r}")
        result = json.loads(row.pop("result") or "null")
        row.pop("pending", None)
        parsed = Result.model_validate(result) if result else None
        ops = OpsStore(store).get(incident_id)
        if ops is not None and ops.get("verification"):
            ops = {**ops, "verification": json.loads(ops["verification"])}
        view = IncidentView.model_validate(
            {
                **row,
                "diagnosis": parsed.diagnosis if parsed else None,
                "fix": parsed.fix if parsed else None,
                "pr": parsed.pr if parsed else None,
                "alerts": [decoded_labels(a) for a in row.get("alerts", [])],
                "operations": ops,
            }
        )
        return scrub(view, self.secrets)

    # ---- diagnosis: `dr-kube run`, writing nothing ----------------------------------------------
    def diagnose_workload(
        self,
        namespace: str,
        workload: str,
        kind: str = "Deployment",
        container: str | None = None,
        alertname: str | None = None,
    ) -> Diagnoses:
        ctx = self.context()
        if ctx.source is None:
            raise InputError(
                "no cluster to read: give the server a dump (--cluster / DRKUBE_CLUSTER_DUMP) or "
                "a live cluster (--kubeconfig / DRKUBE_KUBECONFIG, or in-cluster)"
            )
        alert = workload_alert(namespace, workload, kind, container, alertname)
        with self.turns:
            return self._run(parse_incidents(alert), ctx)

    def diagnose_alert(self, alert: dict[str, Any]) -> Diagnoses:
        incidents = parse_incidents(alert)
        with self.turns:
            return self._run(incidents, self.context())

    def _run(self, incidents: list[Incident], ctx: RunContext) -> Diagnoses:
        if ctx.publish:  # a guard against wiring: a dry run must never reach a forge
            raise RuntimeError("the MCP tools need a context that does not publish")
        owners = OwnerResolver(ctx.source)  # a pod's alert is about the workload that owns it
        firing = [i for i in incidents if i.status == "firing"]
        if not firing:
            return Diagnoses(results=[], errors=["every alert given is resolved: nothing to do"])
        results: list[Result] = []
        errors: list[str] = []
        grouped = group_incidents([owners.resolve(i) for i in firing])
        for incident in grouped:
            try:
                results.append(run_incident(incident, ctx))
            except DrKubeError as exc:
                if len(grouped) == 1:  # as `dr-kube run`: one incident's error is the answer
                    raise
                errors.append(f"{incident.key()}: {exc}")
        return scrub(Diagnoses(results=merge_results(results), errors=errors), self.secrets)

    # ---- where a field is set -------------------------------------------------------------------
    def explain_field(
        self,
        namespace: str,
        workload: str,
        kind: str = "Deployment",
        field: str = "resources.limits.memory",
        container: str | None = None,
    ) -> FieldExplanation:
        if field not in EXPLAINED_FIELDS:
            raise InputError(f"field {field!r}: expected one of {', '.join(EXPLAINED_FIELDS)}")
        ctx = self.context()
        if ctx.source is None:
            raise InputError(
                "no cluster to read the workload from: give the server a dump or a live cluster"
            )
        alert = workload_alert(namespace, workload, kind, container, None)
        with self.turns:
            incident = OwnerResolver(ctx.source).resolve(parse_incidents(alert)[0])
            evidence = collect_evidence(ctx.source, incident)
            location = locate(
                ctx.repo,
                evidence.workload,
                ctx.chart_dirs,
                None,
                evidence.pods,
                kube_version=evidence.kube_version(),
                api_versions=evidence.api_versions,
            )
        focus = container or evidence.focus_container
        values = load_file(contained(ctx.repo, location.values_file, what="values file"))
        explained = explanation(location, evidence.workload, field, focus, values)
        return scrub(explained, self.secrets)

    # ---- the audit trail ------------------------------------------------------------------------
    def audit_trail(
        self,
        incident_id: str | None = None,
        since: float | None = None,
        after: int = 0,
        limit: int = 200,
    ) -> AuditTrail:
        items = list(
            records(self.store().db, incident=incident_id, since=since, after=after, limit=limit)
        )
        trail = AuditTrail(items=items, next_after=items[-1].seq if len(items) == limit else None)
        return scrub(trail, self.secrets)

    def verify_audit(self) -> AuditVerdict:
        verdict = verify_db(self.store().db)
        return AuditVerdict.model_validate(verdict.model_dump())


def decoded_labels(alert: dict[str, Any]) -> dict[str, Any]:
    labels = alert.get("labels")
    if isinstance(labels, str):
        try:
            return {**alert, "labels": json.loads(labels)}
        except ValueError:
            return alert
    return alert


def explanation(
    location: Location,
    workload: Any,
    field_name: str,
    container: str | None,
    values: Any,
) -> FieldExplanation:
    """What `locate` found for one field: the key, its value in the file and in the render."""
    control = location.control(container, field_name)
    if control is not None:
        path = list(control.path)
    elif location.rendered:
        path = None  # rendering found no key for it: hard-coded or not rendered at all
    else:
        path = location.path_for(*parse_dotted(field_name))  # the name heuristics' guess
    found, in_file = get_path(values, path) if path is not None else (False, None)
    target = location.target
    hard = bool(target and container and field_name in target.hard_coded.get(container, []))
    chart = location.chart
    return FieldExplanation(
        workload=f"{workload.namespace}/{workload.kind}/{workload.name}",
        field=field_name,
        container=container,
        app=location.app,
        app_file=location.app_file,
        values_file=location.values_file,
        key_path=path,
        dotted=dotted(path) if path is not None else None,
        in_values_file=found,
        value_in_file=in_file,
        rendered_value=control.rendered if control else None,
        live_value=control.live if control else None,
        proven_by_render=control is not None and location.by_render,
        hard_coded=hard,
        shared_with=list(control.shared_with) if control else [],
        chart=ChartRef(name=chart.name, version=chart.version, source=chart.source)
        if chart
        else None,
        chart_missing=location.chart_missing,
        rendered_object=target.ref() if target else None,
        template=target.template if target else None,
        values_files=location.render.values_files if location.render else [],
        how=list(location.how),
        drift=list(location.drift),
        controls=list(location.controls),
    )


def dotted(path: list[Any]) -> str:
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out
