"""A `kubectl cluster-info dump --output-directory=DIR` folder as a cluster source."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from dr_kube.cluster.source import K8sObject
from dr_kube.errors import InputError

LIST_FILES = {
    "Pod": "pods.json",
    "Event": "events.json",
    "Deployment": "deployments.json",
    "ReplicaSet": "replicasets.json",
    "DaemonSet": "daemonsets.json",
    "StatefulSet": "statefulsets.json",
    "Service": "services.json",
    "ReplicationController": "replication-controllers.json",
}
LOG_MARKER = re.compile(
    r"^==== (START|END) logs for container (?P<container>\S+) of pod (?P<pod>\S+) ====$"
)


API_VERSIONS_FILE = "api-versions.txt"
GROUP_VERSION = re.compile(r"(?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?v[0-9]+[a-z0-9]*")


class DumpSource:
    """Reads the dump lazily; each file is parsed once."""

    def __init__(self, root: Path) -> None:
        if not root.is_dir():
            raise InputError(f"--cluster {root}: not a directory")
        self.root = root
        self.description = f"cluster dump {root}"
        self._cache: dict[Path, list[K8sObject]] = {}

    def _items(self, path: Path) -> list[K8sObject]:
        if path not in self._cache:
            if not path.is_file():
                self._cache[path] = []
            else:
                try:
                    data = json.loads(path.read_text(encoding="utf-8"))
                except (OSError, json.JSONDecodeError) as exc:
                    raise InputError(f"{path}: unreadable dump file: {exc}") from None
                items = data.get("items", []) if isinstance(data, dict) else []
                self._cache[path] = [i for i in items if isinstance(i, dict)]
        return self._cache[path]

    def list_objects(self, kind: str, namespace: str) -> list[K8sObject]:
        filename = LIST_FILES.get(kind)
        if filename is None:
            return []
        return self._items(self.root / namespace / filename)

    def get(self, kind: str, namespace: str, name: str) -> K8sObject | None:
        for item in self.list_objects(kind, namespace):
            if item.get("metadata", {}).get("name") == name:
                return item
        return None

    def events(self, namespace: str) -> list[K8sObject]:
        return self.list_objects("Event", namespace)

    def nodes(self) -> list[K8sObject]:
        return self._items(self.root / "nodes.json")

    def api_versions(self) -> list[str]:
        """`DIR/api-versions.txt`, an extra written by `kubectl api-versions > DIR/api-versions.txt`
        (kubectl's dump has no discovery data)."""
        path = self.root / API_VERSIONS_FILE
        if not path.is_file():
            return []
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        return sorted({line.strip() for line in lines if GROUP_VERSION.fullmatch(line.strip())})

    def logs(self, namespace: str, pod: str, container: str, previous: bool = False) -> str | None:
        pod_dir = self.root / namespace / pod
        if previous:
            path = pod_dir / container / "logs.previous.txt"
            return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else None
        split = split_pod_logs(pod_dir / "logs.txt")
        own = pod_dir / container / "logs.txt"
        if container not in split and own.is_file():
            return own.read_text(encoding="utf-8", errors="replace")
        return split.get(container)


@cache
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
