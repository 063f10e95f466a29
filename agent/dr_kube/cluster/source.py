"""The interface every cluster source implements. Objects are plain dicts in the API's JSON shape."""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict

K8sObject = dict[str, Any]


class ObjectRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: str
    name: str
    namespace: str | None = None


class ClusterSource(Protocol):
    """Read-only access to what DR-Kube needs; implementations never write."""

    description: str

    def get(self, kind: str, namespace: str, name: str) -> K8sObject | None:
        """A namespaced object (Pod, ReplicaSet, Deployment, StatefulSet, DaemonSet) or None."""
        ...

    def list_objects(self, kind: str, namespace: str) -> list[K8sObject]:
        """Every object of a kind in a namespace."""
        ...

    def events(self, namespace: str) -> list[K8sObject]:
        """Core v1 Events of a namespace."""
        ...

    def nodes(self) -> list[K8sObject]: ...

    def api_versions(self) -> list[str]:
        """The API group versions the cluster serves (`v1`, `monitoring.coreos.com/v1`, ...), as
        `kubectl api-versions` lists them; empty when the source cannot tell."""
        ...

    def logs(self, namespace: str, pod: str, container: str, previous: bool = False) -> str | None:
        """The container's log (the previous instance's with `previous`), None when unavailable."""
        ...
