"""A `kubectl cluster-info dump --output-directory=DIR` folder as a cluster source."""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache
from pathlib import Path

from dr_kube.cluster import listfile
from dr_kube.cluster.source import K8sObject, Query, Ref
from dr_kube.errors import InputError
from dr_kube.k8s_names import dns1123_label, dns1123_subdomain, is_dns1123_label
from dr_kube.paths import contained

LIST_FILES = {
    "Pod": "pods.json",
    "Event": "events.json",
    "Deployment": "deployments.json",
    "ReplicaSet": "replicasets.json",
    "DaemonSet": "daemonsets.json",
    "StatefulSet": "statefulsets.json",
    "Job": "jobs.json",  # extras like statefulsets.json: kubectl's dump has no batch objects
    "CronJob": "cronjobs.json",
    "Service": "services.json",
    "ReplicationController": "replication-controllers.json",
    # Not in kubectl's dump; accepted as extras in the same style
    "PersistentVolumeClaim": "persistentvolumeclaims.json",
    "ResourceQuota": "resourcequotas.json",
    "LimitRange": "limitranges.json",
}
STORAGE_CLASSES_FILE = "storageclasses.json"  # cluster-scoped extra, beside nodes.json
LOG_MARKER = re.compile(
    r"^==== (START|END) logs for container (?P<container>\S+) of pod (?P<pod>\S+) ====$"
)


API_VERSIONS_FILE = "api-versions.txt"
GROUP_VERSION = re.compile(r"(?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?v[0-9]+[a-z0-9]*")


class DumpSource:
    """Reads the dump lazily: only the items a question needs, each file read once per question
    (see `listfile`: the cache and its per-file lock are shared by every DumpSource)."""

    def __init__(self, root: Path) -> None:
        if not root.is_dir():
            raise InputError(f"--cluster {root}: not a directory")
        self.root = root
        self.description = f"cluster dump {root}"

    def _path(self, *parts: str) -> Path:
        """A file of the dump: names checked as Kubernetes names, the path kept inside the dump."""
        return contained(self.root, "/".join(parts), what="cluster dump file")

    def _file(self, kind: str, namespace: str) -> Path | None:
        filename = LIST_FILES.get(kind)
        if filename is None:
            return None
        return self._path(dns1123_label(namespace, "namespace"), filename)

    def _select(self, kind: str, namespace: str, query: Query) -> list[K8sObject]:
        path = self._file(kind, namespace)
        return listfile.select(path, query) if path is not None else []

    def list_objects(self, kind: str, namespace: str) -> list[K8sObject]:
        return self._select(kind, namespace, Query("all"))

    def get(self, kind: str, namespace: str, name: str) -> K8sObject | None:
        found = self._select(kind, namespace, Query("metadata", frozenset({("", name)})))
        return found[0] if found else None

    def owned_by(self, kind: str, namespace: str, owners: Collection[Ref]) -> list[K8sObject]:
        return self._select(kind, namespace, Query("controller", frozenset(owners)))

    def events_about(self, namespace: str, objects: Collection[Ref]) -> list[K8sObject]:
        return self._select("Event", namespace, Query("involved", frozenset(objects)))

    def events(self, namespace: str) -> list[K8sObject]:
        return self.list_objects("Event", namespace)

    def nodes(self) -> list[K8sObject]:
        return listfile.read_all(self._path("nodes.json"))

    def pods_on_node(self, node: str) -> list[K8sObject]:
        pods: list[K8sObject] = []
        folders = (p for p in self.root.iterdir() if is_dns1123_label(p.name))
        for folder in sorted(p for p in folders if (p / "pods.json").is_file()):
            pods += [
                pod
                for pod in self.list_objects("Pod", folder.name)
                if (pod.get("spec") or {}).get("nodeName") == node
            ]
        return pods

    def api_versions(self) -> list[str]:
        """`DIR/api-versions.txt`, an extra written by `kubectl api-versions > DIR/api-versions.txt`
        (kubectl's dump has no discovery data)."""
        path = self._path(API_VERSIONS_FILE)
        if not path.is_file():
            return []
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        return sorted({line.strip() for line in lines if GROUP_VERSION.fullmatch(line.strip())})

    def storage_classes(self) -> list[K8sObject] | None:
        path = self._path(STORAGE_CLASSES_FILE)
        return listfile.read_all(path) if path.is_file() else None

    def logs(self, namespace: str, pod: str, container: str, previous: bool = False) -> str | None:
        names = (
            dns1123_label(namespace, "namespace"),
            dns1123_subdomain(pod, "pod"),
            dns1123_label(container, "container"),
        )
        if previous:
            path = self._path(*names, "logs.previous.txt")
            return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else None
        split = split_pod_logs(self._path(*names[:2], "logs.txt"))
        own = self._path(*names, "logs.txt")
        if container not in split and own.is_file():
            return own.read_text(encoding="utf-8", errors="replace")
        return split.get(container)


@lru_cache(maxsize=16)  # a few pods' logs, not every log a long-running server has read
def _split_cached(path: Path, mtime: float) -> dict[str, str]:
    sections: dict[str, list[str]] = {}
    current: str | None = None
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            match = LOG_MARKER.match(line.rstrip("\n"))
            if match:
                current = match.group("container") if match.group(1) == "START" else None
                if current is not None:
                    sections.setdefault(current, [])
                continue
            if current is not None:
                sections[current].append(line)
    return {name: "".join(lines) for name, lines in sections.items()}


def split_pod_logs(path: Path) -> dict[str, str]:
    """Split kubectl's per-pod `logs.txt` into one text per container."""
    if not path.is_file():
        return {}
    return _split_cached(path, path.stat().st_mtime)
