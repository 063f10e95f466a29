"""Acme's in-house services on the `service` chart (helm create layout), and third-party charts."""

from __future__ import annotations

from typing import Any

from common import ACME_CHARTS, application, dump_values
from kube import Container, Pod, Workload

SERVICE_CHART = "service-1.4.0"


def service_values(
    name: str,
    *,
    tag: str,
    resources: dict[str, dict[str, str]] | None = None,
    replicas: int = 1,
    liveness: dict[str, Any] | None = None,
    readiness: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    fullname: bool = True,
    port: int = 8080,
) -> str:
    data: dict[str, Any] = {"replicaCount": replicas}
    if fullname:
        data["fullnameOverride"] = name
    data["image"] = {"repository": f"ghcr.io/acme/{name}", "tag": tag}
    data["service"] = {"type": "ClusterIP", "port": port}
    data["resources"] = resources or {}
    if liveness is not None:
        data["livenessProbe"] = liveness
    if readiness is not None:
        data["readinessProbe"] = readiness
    data.update(extra or {})
    return dump_values(f"{name}: Acme chart `service` 1.4.0 (helm create layout).", data)


def service_files(name: str, namespace: str, values: str) -> dict[str, str]:
    return {
        f"applications/{name}.yaml": application(
            name, namespace, "service", ACME_CHARTS, "1.4.0", f"values/{name}.yaml"
        ),
        f"values/{name}.yaml": values,
    }


def service_workload(
    name: str,
    namespace: str,
    container: Container,
    *,
    init: list[Container] | None = None,
    sidecars: list[Container] | None = None,
    replicas: int = 1,
    pods: list[Pod] | None = None,
    fullname: str | None = None,
) -> Workload:
    return Workload(
        kind="Deployment",
        name=fullname or name,
        namespace=namespace,
        instance=name,
        containers=[container, *(sidecars or [])],
        init=init or [],
        replicas=replicas,
        pods=pods or [Pod() for _ in range(replicas)],
        selector={"app.kubernetes.io/name": "service", "app.kubernetes.io/instance": name},
        labels={"app.kubernetes.io/version": container.image.rsplit(":", 1)[-1]},
        chart=SERVICE_CHART,
    )


def http_probe(path: str, port: str = "http", **timing: int) -> dict[str, Any]:
    probe: dict[str, Any] = {"httpGet": {"path": path, "port": port}}
    probe.update(timing)
    return probe


def live_probe(path: str, port: int, **timing: int) -> dict[str, Any]:
    """The probe as the API server returns it: every default filled in."""
    probe: dict[str, Any] = {"httpGet": {"path": path, "port": port, "scheme": "HTTP"}}
    probe.update(
        {
            "initialDelaySeconds": timing.get("initialDelaySeconds", 0),
            "timeoutSeconds": timing.get("timeoutSeconds", 1),
            "periodSeconds": timing.get("periodSeconds", 10),
            "successThreshold": 1,
            "failureThreshold": timing.get("failureThreshold", 3),
        }
    )
    if not probe["initialDelaySeconds"]:
        del probe["initialDelaySeconds"]
    return probe
