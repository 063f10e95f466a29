"""Shared pieces of the corpus: applications, values files, containers of known software, alerts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from kube import Container, Event, Workload, alert, t

BOUTIQUE_REGISTRY = "us-central1-docker.pkg.dev/google-samples/microservices-demo"
BOUTIQUE_NS = "online-boutique"
ACME_CHARTS = "ghcr.io/acme/charts"
GITOPS_URL = "https://github.com/acme/platform-gitops.git"


@dataclass
class Spec:
    name: str
    split: str
    description: str
    workloads: list[Workload]
    alert: dict[str, Any]
    expect: dict[str, Any]
    events: dict[str, list[Event]] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # gitops/ path -> text
    charts: list[str] = field(default_factory=list)
    history: list[dict[str, str]] = field(default_factory=list)  # earlier versions, oldest first
    nodes: list[dict[str, Any]] | None = None
    ports: dict[str, int] = field(default_factory=dict)
    with_cluster: bool = True
    extras: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    storage_classes: list[dict[str, Any]] | None = None


def application(
    name: str,
    namespace: str,
    chart: str,
    repo: str,
    version: str,
    values_file: str,
    release: str | None = None,
) -> str:
    doc = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {
            "name": name,
            "namespace": "argocd",
            "finalizers": ["resources-finalizer.argocd.argoproj.io"],
        },
        "spec": {
            "project": "default",
            "sources": [
                {
                    "repoURL": repo,
                    "chart": chart,
                    "targetRevision": version,
                    "helm": {
                        "releaseName": release or name,
                        "valueFiles": [f"$values/{values_file}"],
                    },
                },
                {"repoURL": GITOPS_URL, "targetRevision": "main", "ref": "values"},
            ],
            "destination": {"server": "https://kubernetes.default.svc", "namespace": namespace},
            "syncPolicy": {
                "automated": {"prune": True, "selfHeal": True},
                "syncOptions": ["CreateNamespace=true"],
            },
        },
    }
    return yaml.safe_dump(doc, sort_keys=False)


def dump_values(header: str, data: dict[str, Any]) -> str:
    lines = [f"# {line}" if line else "#" for line in header.strip().splitlines()]
    return "\n".join(lines) + "\n\n" + yaml.safe_dump(data, sort_keys=False, width=100)


# ---- Online Boutique --------------------------------------------------------------------------

BOUTIQUE_SERVICES: dict[str, tuple[str, dict[str, str], dict[str, str]]] = {
    # key: (deployment, requests, limits)
    "frontend": ("frontend", {"cpu": "100m", "memory": "64Mi"}, {"cpu": "200m", "memory": "128Mi"}),
    "adService": (
        "adservice",
        {"cpu": "200m", "memory": "180Mi"},
        {"cpu": "300m", "memory": "300Mi"},
    ),
    "cartService": (
        "cartservice",
        {"cpu": "200m", "memory": "64Mi"},
        {"cpu": "300m", "memory": "128Mi"},
    ),
    "checkoutService": (
        "checkoutservice",
        {"cpu": "100m", "memory": "64Mi"},
        {"cpu": "200m", "memory": "128Mi"},
    ),
    "currencyService": (
        "currencyservice",
        {"cpu": "100m", "memory": "64Mi"},
        {"cpu": "200m", "memory": "128Mi"},
    ),
    "emailService": (
        "emailservice",
        {"cpu": "100m", "memory": "64Mi"},
        {"cpu": "200m", "memory": "128Mi"},
    ),
    "paymentService": (
        "paymentservice",
        {"cpu": "100m", "memory": "64Mi"},
        {"cpu": "200m", "memory": "128Mi"},
    ),
    "productCatalogService": (
        "productcatalogservice",
        {"cpu": "100m", "memory": "64Mi"},
        {"cpu": "200m", "memory": "128Mi"},
    ),
    "recommendationService": (
        "recommendationservice",
        {"cpu": "100m", "memory": "220Mi"},
        {"cpu": "200m", "memory": "450Mi"},
    ),
    "shippingService": (
        "shippingservice",
        {"cpu": "100m", "memory": "64Mi"},
        {"cpu": "200m", "memory": "128Mi"},
    ),
}
BOUTIQUE_PORTS = {
    "frontend": 8080,
    "adservice": 9555,
    "cartservice": 7070,
    "checkoutservice": 5050,
    "currencyservice": 7000,
    "emailservice": 8080,
    "paymentservice": 50051,
    "productcatalogservice": 3550,
    "recommendationservice": 8080,
    "shippingservice": 50051,
}


def boutique_values(
    overrides: dict[str, dict[str, dict[str, str]]] | None = None, tag: str = "v0.10.2"
) -> str:
    data: dict[str, Any] = {
        "images": {"repository": BOUTIQUE_REGISTRY, "tag": tag},
        "serviceAccounts": {"create": True},
        "networkPolicies": {"create": False},
        "seccompProfile": {"enable": True, "type": "RuntimeDefault"},
        "securityContext": {"enable": True},
    }
    for key, (name, requests, limits) in BOUTIQUE_SERVICES.items():
        resources = {"requests": dict(requests), "limits": dict(limits)}
        for section, values in (overrides or {}).get(key, {}).items():
            resources[section] = {**resources.get(section, {}), **values}
        data[key] = {"create": True, "name": name, "resources": resources}
    data["loadGenerator"] = {"create": False}
    data["cartDatabase"] = {
        "type": "redis",
        "connectionString": "redis-cart:6379",
        "inClusterRedis": {"create": True, "name": "redis-cart", "publicRepository": True},
    }
    return dump_values(
        "Online Boutique (microservices-demo), chart onlineboutique 0.10.2.\n"
        "One camelCase block per service, as in the chart's own values.yaml.",
        data,
    )


def boutique_files(
    overrides: dict[str, dict[str, dict[str, str]]] | None = None, tag: str = "v0.10.2"
) -> dict[str, str]:
    return {
        "applications/online-boutique.yaml": application(
            "online-boutique",
            BOUTIQUE_NS,
            "onlineboutique",
            "us-docker.pkg.dev/online-boutique-ci/charts",
            "0.10.2",
            "values/online-boutique.yaml",
        ),
        "values/online-boutique.yaml": boutique_values(overrides, tag),
    }


def grpc_probe(port: int, delay: int = 0) -> dict[str, Any]:
    probe: dict[str, Any] = {"grpc": {"port": port, "service": ""}}
    if delay:
        probe["initialDelaySeconds"] = delay
    probe.update(
        {"timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}
    )
    return probe


def boutique_workload(key: str, replicas: int = 1, **status: Any) -> Workload:
    name, requests, limits = BOUTIQUE_SERVICES[key]
    for section, values in status.pop("resources", {}).items():
        if section == "requests":
            requests = {**requests, **values}
        else:
            limits = {**limits, **values}
    port = BOUTIQUE_PORTS[name]
    env = [{"name": "PORT", "value": str(port)}]
    if name == "frontend":
        liveness = {
            "httpGet": {
                "path": "/_healthz",
                "port": 8080,
                "scheme": "HTTP",
                "httpHeaders": [{"name": "Cookie", "value": "shop_session-id=x-liveness-probe"}],
            },
            "initialDelaySeconds": 10,
            "timeoutSeconds": 1,
            "periodSeconds": 10,
            "successThreshold": 1,
            "failureThreshold": 3,
        }
        env += [
            {"name": "PRODUCT_CATALOG_SERVICE_ADDR", "value": "productcatalogservice:3550"},
            {"name": "CURRENCY_SERVICE_ADDR", "value": "currencyservice:7000"},
            {"name": "CART_SERVICE_ADDR", "value": "cartservice:7070"},
            {"name": "ENV_PLATFORM", "value": "local"},
        ]
    else:
        liveness = grpc_probe(port, 20 if name == "adservice" else 0)
    if name == "cartservice":
        env.append({"name": "REDIS_ADDR", "value": "redis-cart:6379"})
    container = Container(
        name="server",
        image=f"{BOUTIQUE_REGISTRY}/{name}:v0.10.2",
        requests=requests,
        limits=limits,
        env=env,
        ports=[("", port)],
        liveness=liveness,
        readiness=dict(liveness),
        **{k: v for k, v in status.items() if k not in ("pods",)},
    )
    workload = Workload(
        kind="Deployment",
        name=name,
        namespace=BOUTIQUE_NS,
        instance="online-boutique",
        containers=[container],
        replicas=replicas,
        selector={"app": name},
        labels={"app": name},
    )
    if "pods" in status:
        workload.pods = status["pods"]
    return workload


# ---- Alerts -------------------------------------------------------------------------------------


def oom_alert(w: Workload, pod: str, container: str, **kw: Any) -> dict[str, Any]:
    return alert(
        "ContainerOOMKilled",
        {
            "container": container,
            "namespace": w.namespace,
            "pod": pod,
            "workload": w.name,
            "workload_type": w.kind.lower(),
        },
        f"Container {container} in {w.namespace}/{pod} was OOMKilled",
        f"Container {container} of pod {w.namespace}/{pod} was killed for exceeding its memory limit and restarted in the last 10 minutes.",
        severity="critical",
        **kw,
    )


def crashloop_alert(w: Workload, pod: str, container: str, **kw: Any) -> dict[str, Any]:
    return alert(
        "KubePodCrashLooping",
        {
            "container": container,
            "endpoint": "http",
            "instance": "10.52.1.7:8080",
            "job": "kube-state-metrics",
            "namespace": w.namespace,
            "pod": pod,
            "reason": "CrashLoopBackOff",
            "service": "kube-prometheus-stack-kube-state-metrics",
            "uid": "4f0c9b1e-2d1a-4e51-9d0e-6c0d2f1b8a11",
        },
        "Pod is crash looping.",
        f'Pod {w.namespace}/{pod} ({container}) is in waiting state (reason: "CrashLoopBackOff").',
        runbook="https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping",
        **kw,
    )


def waiting_alert(w: Workload, pod: str, container: str, reason: str, **kw: Any) -> dict[str, Any]:
    return alert(
        "ContainerWaiting",
        {
            "container": container,
            "namespace": w.namespace,
            "pod": pod,
            "reason": reason,
            "workload": w.name,
            "workload_type": w.kind.lower(),
        },
        f"Container {container} in {w.namespace}/{pod} is waiting ({reason})",
        f"Container {container} of pod {w.namespace}/{pod} has been waiting in state {reason} for more than 5 minutes.",
        **kw,
    )


def throttling_alert(
    w: Workload, pod: str, container: str, percent: float, **kw: Any
) -> dict[str, Any]:
    return alert(
        "CPUThrottlingHigh",
        {"container": container, "namespace": w.namespace, "pod": pod},
        "Processes experience elevated CPU throttling.",
        f"{percent:.2f}% throttling of CPU in namespace {w.namespace} for container {container} in pod {pod}.",
        runbook="https://runbooks.prometheus-operator.dev/runbooks/kubernetes/cputhrottlinghigh",
        severity="info",
        **kw,
    )


def memory_alert(w: Workload, pod: str, container: str, percent: int, **kw: Any) -> dict[str, Any]:
    return alert(
        "HighMemoryUsage",
        {
            "container": container,
            "namespace": w.namespace,
            "pod": pod,
            "workload": w.name,
            "workload_type": w.kind.lower(),
        },
        f"Container {container} in {w.namespace}/{pod} uses {percent}% of its memory limit",
        f"Container {container} of pod {w.namespace}/{pod} has used more than 90% of its memory limit for 10 minutes.",
        **kw,
    )


def not_ready_alert(w: Workload, pod: str, **kw: Any) -> dict[str, Any]:
    return alert(
        "KubePodNotReady",
        {"namespace": w.namespace, "pod": pod, "job": "kube-state-metrics"},
        "Pod has been in a non-ready state for more than 15 minutes.",
        f"Pod {w.namespace}/{pod} has been in a non-ready state for longer than 15 minutes on cluster .",
        runbook="https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodnotready",
        **kw,
    )


def pending_alert(w: Workload, pod: str, **kw: Any) -> dict[str, Any]:
    return alert(
        "KubePodPending",
        {"namespace": w.namespace, "pod": pod, "phase": "Pending"},
        "Pod has been pending for more than 15 minutes.",
        f"Pod {w.namespace}/{pod} has been in phase Pending for longer than 15 minutes.",
        **kw,
    )


def replicas_alert(w: Workload, **kw: Any) -> dict[str, Any]:
    kind = w.kind.lower()
    name = (
        "KubeDeploymentReplicasMismatch"
        if w.kind == "Deployment"
        else "KubeStatefulSetReplicasMismatch"
    )
    return alert(
        name,
        {kind: w.name, "namespace": w.namespace, "job": "kube-state-metrics"},
        f"{w.kind} has not matched the expected number of replicas.",
        f"{w.kind} {w.namespace}/{w.name} has not matched the expected number of replicas for longer than 15 minutes.",
        runbook=f"https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kube{kind}replicasmismatch",
        **kw,
    )


def backoff(pod: str, container: str, ns: str, count: int, first: float = -60) -> Event:
    return Event(
        "Pod",
        pod,
        "BackOff",
        f"Back-off restarting failed container {container} in pod {pod}_{ns}({pod[-5:]}-uid)",
        count=count,
        first=first,
        field_path=f"spec.containers{{{container}}}",
    )


def started(pod: str, container: str, image: str, count: int) -> list[Event]:
    fp = f"spec.containers{{{container}}}"
    return [
        Event(
            "Pod",
            pod,
            "Pulled",
            f'Container image "{image}" already present on machine',
            type="Normal",
            count=count,
            field_path=fp,
        ),
        Event(
            "Pod",
            pod,
            "Created",
            f"Created container {container}",
            type="Normal",
            count=count,
            field_path=fp,
        ),
        Event(
            "Pod",
            pod,
            "Started",
            f"Started container {container}",
            type="Normal",
            count=count,
            field_path=fp,
        ),
    ]


def ts_log(minutes: float, ms: int = 0) -> str:
    """RFC 3339 with nanoseconds, as Go services log."""
    return t(minutes).replace("Z", f".{ms:03d}518274Z")
