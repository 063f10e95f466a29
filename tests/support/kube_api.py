"""A Kubernetes API server that answers with recorded objects, in the API's JSON.

The responses are a dump's own `kubectl get -o json` objects, served at the REST paths the
official client calls; every request is kept, so a test can check that DR-Kube only ever reads.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from dr_kube.cluster.dump import DumpSource
from tests.support.paths import SAMPLE_CLUSTER

PLURALS = {
    "pods": ("Pod", "v1"),
    "events": ("Event", "v1"),
    "services": ("Service", "v1"),
    "deployments": ("Deployment", "apps/v1"),
    "replicasets": ("ReplicaSet", "apps/v1"),
    "statefulsets": ("StatefulSet", "apps/v1"),
    "daemonsets": ("DaemonSet", "apps/v1"),
    "jobs": ("Job", "batch/v1"),
    "cronjobs": ("CronJob", "batch/v1"),
    "persistentvolumeclaims": ("PersistentVolumeClaim", "v1"),
    "resourcequotas": ("ResourceQuota", "v1"),
    "limitranges": ("LimitRange", "v1"),
}
PATH = re.compile(
    r"^/(?:api/v1|apis/apps/v1|apis/batch/v1)/namespaces/(?P<ns>[^/]+)/(?P<plural>[a-z]+)(?:/(?P<name>[^/]+))?(?P<log>/log)?$"
)


def api_group(name: str, *versions: str) -> dict[str, Any]:
    listed = [{"groupVersion": f"{name}/{v}", "version": v} for v in versions]
    return {"name": name, "versions": listed, "preferredVersion": listed[0]}


# Discovery as a kind cluster with the Prometheus Operator answers it (GET /api, GET /apis).
DISCOVERY: dict[str, Any] = {
    "/api": {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [
            {"clientCIDR": "0.0.0.0/0", "serverAddress": "172.18.0.2:6443"}
        ],
    },
    "/apis": {
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": [
            api_group("apps", "v1"),
            api_group("autoscaling", "v2", "v1"),
            api_group("monitoring.coreos.com", "v1", "v1alpha1"),
        ],
    },
}


class RecordedApiServer:
    def __init__(self, dump: Path = SAMPLE_CLUSTER) -> None:
        self.dump = DumpSource(dump)
        self.requests: list[tuple[str, str]] = []

    def handle(self, request: Request) -> Response:
        self.requests.append((request.method, request.full_path))
        if request.headers.get("Authorization") != "Bearer recorded-token":
            return self.status(401, "Unauthorized")
        if request.path == "/api/v1/nodes":
            return self.json(
                {
                    "kind": "NodeList",
                    "apiVersion": "v1",
                    "metadata": {"resourceVersion": "1"},
                    "items": self.dump.nodes(),
                }
            )
        if request.path == "/apis/storage.k8s.io/v1/storageclasses":
            classes = self.dump.storage_classes()
            if classes is None:
                return self.status(403, "Forbidden")
            return self.json(
                {"kind": "StorageClassList", "apiVersion": "storage.k8s.io/v1", "items": classes}
            )
        if request.path == "/api/v1/pods":
            return self.pods_on_node(request.args.get("fieldSelector", ""))
        if request.path.rstrip("/") in DISCOVERY:  # the client asks for /api/ and /apis/
            return self.json(DISCOVERY[request.path.rstrip("/")])
        match = PATH.match(request.path)
        if match is None or match.group("plural") not in PLURALS:
            return self.status(404, "NotFound")
        kind, api_version = PLURALS[match.group("plural")]
        namespace, name = match.group("ns"), match.group("name")
        if match.group("log"):
            previous = request.args.get("previous") == "true"
            text = self.dump.logs(
                namespace, name or "", request.args.get("container", ""), previous=previous
            )
            if text is None:
                return self.status(400, "BadRequest")
            return Response(text, content_type="text/plain")
        if name:
            found = self.dump.get(kind, namespace, name)
            if found is None:
                return self.status(404, "NotFound", f'{match.group("plural")} "{name}" not found')
            return self.json({"kind": kind, "apiVersion": api_version, **found})
        items = [i for i in self.dump.list_objects(kind, namespace) if selected(i, request)]
        return self.json(
            {
                "kind": f"{kind}List",
                "apiVersion": api_version,
                "metadata": {"resourceVersion": "1"},
                "items": items,
            }
        )

    def pods_on_node(self, selector: str) -> Response:
        """`spec.nodeName=N,status.phase!=Succeeded,...`, as the API server filters."""
        terms = dict(t.split("=", 1) for t in selector.split(",") if "!=" not in t and "=" in t)
        excluded = [t.split("!=", 1)[1] for t in selector.split(",") if "!=" in t]
        node = terms.get("spec.nodeName")
        pods = [
            p
            for ns in sorted(d.name for d in self.dump.root.iterdir() if d.is_dir())
            for p in self.dump.list_objects("Pod", ns)
            if p.get("spec", {}).get("nodeName") == node
            and p.get("status", {}).get("phase") not in excluded
        ]
        return self.json({"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": pods})

    @staticmethod
    def json(data: Any) -> Response:
        return Response(json.dumps(data), content_type="application/json")

    @staticmethod
    def status(code: int, reason: str, message: str = "") -> Response:
        body = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": message or reason,
            "reason": reason,
            "code": code,
        }
        return Response(json.dumps(body), status=code, content_type="application/json")


def selected(item: dict[str, Any], request: Request) -> bool:
    """The API server's `fieldSelector` (`a.b=v,c=w`), as it applies to the fields asked here."""
    for term in filter(None, request.args.get("fieldSelector", "").split(",")):
        path, _, value = term.partition("=")
        node: Any = item
        for key in path.split("."):
            node = node.get(key) if isinstance(node, dict) else None
        if node != value:
            return False
    return True


def kubeconfig(tmp_path: Path, server: str) -> Path:
    path = tmp_path / "kubeconfig"
    path.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: kind-dr-kube\n"
        f"clusters:\n- name: kind-dr-kube\n  cluster:\n    server: {server}\n"
        "contexts:\n- name: kind-dr-kube\n  context:\n    cluster: kind-dr-kube\n    user: reader\n"
        "users:\n- name: reader\n  user:\n    token: recorded-token\n"
    )
    return path


def serve(httpserver: HTTPServer, dump: Path = SAMPLE_CLUSTER) -> RecordedApiServer:
    api = RecordedApiServer(dump)
    httpserver.expect_request(re.compile(r"^/.*")).respond_with_handler(api.handle)
    return api
