"""The interface every cluster source implements. Objects are plain dicts in the API's JSON shape."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict

K8sObject = dict[str, Any]
Ref = tuple[str, str]  # (kind, name) of an object in the source's namespace
Field = Literal["metadata", "controller", "involved", "all"]


def meta(obj: K8sObject) -> dict[str, Any]:
    value = obj.get("metadata") or {}
    return value if isinstance(value, dict) else {}


def controller_of(obj: K8sObject) -> Ref | None:
    """The (kind, name) of the object's controller owner (else its first owner), or None."""
    refs = meta(obj).get("ownerReferences") or []
    for ref in refs:
        if ref.get("controller"):
            return ref.get("kind", ""), ref.get("name", "")
    if refs:
        return refs[0].get("kind", ""), refs[0].get("name", "")
    return None


@dataclass(frozen=True)
class Query:
    """Which items to keep: by `metadata.name`, by controller owner, or by involved object.

    `refs` are (kind, name) pairs; a kind of "" matches any kind (list items in a dump carry none).
    """

    field: Field
    refs: frozenset[tuple[str, str]] = frozenset()

    def names(self) -> set[str]:
        return {name for _, name in self.refs}

    def keeps(self, item: K8sObject) -> bool:
        if self.field == "all":
            return True
        if self.field == "metadata":
            found: tuple[str, str] | None = ("", str(meta(item).get("name", "")))
        elif self.field == "controller":
            found = controller_of(item)
        else:
            ref = item.get("involvedObject") or {}
            found = (str(ref.get("kind", "")), str(ref.get("name", ""))) if ref else None
        if found is None:
            return False
        return found in self.refs or ("", found[1]) in self.refs


class ObjectRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: str
    name: str
    namespace: str | None = None


class ClusterSource(Protocol):
    """Read-only access to what DR-Kube needs; implementations never write."""

    description: str

    def get(self, kind: str, namespace: str, name: str) -> K8sObject | None:
        """A namespaced object (Pod, a workload, PersistentVolumeClaim, ResourceQuota, ...) or None."""
        ...

    def list_objects(self, kind: str, namespace: str) -> list[K8sObject]:
        """Every object of a kind in a namespace (costly on a big namespace: prefer the two below)."""
        ...

    def owned_by(self, kind: str, namespace: str, owners: Collection[Ref]) -> list[K8sObject]:
        """The objects of `kind` whose controller is one of `owners`."""
        ...

    def events_about(self, namespace: str, objects: Collection[Ref]) -> list[K8sObject]:
        """The Events of a namespace whose involved object is one of `objects`."""
        ...

    def events(self, namespace: str) -> list[K8sObject]:
        """Core v1 Events of a namespace."""
        ...

    def nodes(self) -> list[K8sObject]: ...

    def pods_on_node(self, node: str) -> list[K8sObject]:
        """The pods of every namespace bound to a node (what a node-level cause hits)."""
        ...

    def api_versions(self) -> list[str]:
        """The API group versions the cluster serves (`v1`, `monitoring.coreos.com/v1`, ...), as
        `kubectl api-versions` lists them; empty when the source cannot tell."""
        ...

    def storage_classes(self) -> list[K8sObject] | None:
        """StorageClasses; None when the source cannot tell (a dump without them)."""
        ...

    def logs(self, namespace: str, pod: str, container: str, previous: bool = False) -> str | None:
        """The container's log (the previous instance's with `previous`), None when unavailable."""
        ...
