"""The Kubernetes API as a cluster source (kubeconfig or in-cluster). Read-only by construction."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from dr_kube.cluster.source import K8sObject, Query, Ref
from dr_kube.errors import InputError

# kind → (API class, read method, list method); all GET.
RESOURCES: dict[str, tuple[str, str, str]] = {
    "Pod": ("CoreV1Api", "read_namespaced_pod", "list_namespaced_pod"),
    "Event": ("CoreV1Api", "", "list_namespaced_event"),
    "Service": ("CoreV1Api", "read_namespaced_service", "list_namespaced_service"),
    "Deployment": ("AppsV1Api", "read_namespaced_deployment", "list_namespaced_deployment"),
    "ReplicaSet": ("AppsV1Api", "read_namespaced_replica_set", "list_namespaced_replica_set"),
    "StatefulSet": ("AppsV1Api", "read_namespaced_stateful_set", "list_namespaced_stateful_set"),
    "DaemonSet": ("AppsV1Api", "read_namespaced_daemon_set", "list_namespaced_daemon_set"),
    "Job": ("BatchV1Api", "read_namespaced_job", "list_namespaced_job"),
    "CronJob": ("BatchV1Api", "read_namespaced_cron_job", "list_namespaced_cron_job"),
    "PersistentVolumeClaim": (
        "CoreV1Api",
        "read_namespaced_persistent_volume_claim",
        "list_namespaced_persistent_volume_claim",
    ),
    "ResourceQuota": (
        "CoreV1Api",
        "read_namespaced_resource_quota",
        "list_namespaced_resource_quota",
    ),
    "LimitRange": ("CoreV1Api", "read_namespaced_limit_range", "list_namespaced_limit_range"),
}
LOG_TAIL_LINES = 500
SELECTOR_CALLS = 8  # events of up to this many objects: one field-selected call each, else one list


class LiveSource:
    """Talks GET only, through the official client's configured ApiClient, and keeps raw JSON."""

    def __init__(self, kubeconfig: str | None = None, context: str | None = None) -> None:
        from kubernetes import client, config
        from kubernetes.config.config_exception import ConfigException

        try:
            if kubeconfig or context:
                api_client = config.new_client_from_config(  # type: ignore[no-untyped-call]
                    config_file=kubeconfig, context=context
                )
            else:
                try:
                    config.load_incluster_config()  # type: ignore[no-untyped-call]
                    api_client = client.ApiClient()
                except ConfigException:
                    api_client = config.new_client_from_config()  # type: ignore[no-untyped-call]
        except (ConfigException, OSError, TypeError) as exc:
            raise InputError(f"cannot load Kubernetes configuration: {exc}") from None
        self._api = api_client
        host = api_client.configuration.host
        self.description = f"Kubernetes API {host}" + (f" (context {context})" if context else "")

    def _request(self, api_class: str, method: str, *args: Any, **kwargs: Any) -> Any:
        """Call a typed client method without deserialising; the unread response, None on 404."""
        from kubernetes import client
        from kubernetes.client.exceptions import ApiException

        api = getattr(client, api_class)(self._api)
        try:
            return getattr(api, method)(*args, _preload_content=False, **kwargs)
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise InputError(f"Kubernetes API {method}: {exc.status} {exc.reason}") from None
        except OSError as exc:
            raise InputError(f"Kubernetes API unreachable: {exc}") from None

    def _call(self, api_class: str, method: str, *args: Any, **kwargs: Any) -> Any:
        """The raw JSON body as sent."""
        response = self._request(api_class, method, *args, **kwargs)
        return response.data if response is not None else None

    def _stream_items(
        self, kind: str, namespace: str, keep: Query, **kwargs: Any
    ) -> list[K8sObject]:
        """A list call's items that `keep` keeps, parsed as the body streams in (bounded memory)."""
        import ijson  # type: ignore[import-untyped]

        if kind not in RESOURCES:
            return []
        api_class, _, list_method = RESOURCES[kind]
        response = self._request(api_class, list_method, namespace, **kwargs)
        if response is None:
            return []
        try:
            return [
                item
                for item in ijson.items(response, "items.item", use_float=True)
                if isinstance(item, dict) and keep.keeps(item)
            ]
        except (ijson.JSONError, OSError) as exc:
            raise InputError(f"Kubernetes API {list_method}: unreadable answer: {exc}") from None
        finally:
            response.release_conn()

    def get(self, kind: str, namespace: str, name: str) -> K8sObject | None:
        if kind not in RESOURCES or not RESOURCES[kind][1]:
            return None
        api_class, read, _ = RESOURCES[kind]
        data = self._call(api_class, read, name, namespace)
        found = json.loads(data) if data else None
        return found if isinstance(found, dict) else None

    def list_objects(self, kind: str, namespace: str) -> list[K8sObject]:
        if kind not in RESOURCES:
            return []
        api_class, _, list_method = RESOURCES[kind]
        data = self._call(api_class, list_method, namespace)
        found = json.loads(data) if data else None
        return list(found.get("items", [])) if isinstance(found, dict) else []

    def owned_by(self, kind: str, namespace: str, owners: Collection[Ref]) -> list[K8sObject]:
        if not owners:
            return []
        return self._stream_items(kind, namespace, Query("controller", frozenset(owners)))

    def events_about(self, namespace: str, objects: Collection[Ref]) -> list[K8sObject]:
        wanted = Query("involved", frozenset(objects))
        if not objects:
            return []
        if len(objects) > SELECTOR_CALLS:
            return self._stream_items("Event", namespace, wanted)
        found: list[K8sObject] = []
        for kind, name in sorted(objects):
            selector = f"involvedObject.name={name}" + (
                f",involvedObject.kind={kind}" if kind else ""
            )
            found += self._stream_items("Event", namespace, wanted, field_selector=selector)
        return found

    def events(self, namespace: str) -> list[K8sObject]:
        return self.list_objects("Event", namespace)

    def nodes(self) -> list[K8sObject]:
        data = self._call("CoreV1Api", "list_node")
        found = json.loads(data) if data else None
        return list(found.get("items", [])) if isinstance(found, dict) else []

    def storage_classes(self) -> list[K8sObject] | None:
        try:
            data = self._call("StorageV1Api", "list_storage_class")
        except InputError:
            return None  # no RBAC for storageclasses: unknown, not absent
        found = json.loads(data) if data else None
        return list(found.get("items", [])) if isinstance(found, dict) else None

    def pods_on_node(self, node: str) -> list[K8sObject]:
        data = self._call(
            "CoreV1Api", "list_pod_for_all_namespaces", field_selector=f"spec.nodeName={node}"
        )
        found = json.loads(data) if data else None
        return list(found.get("items", [])) if isinstance(found, dict) else []

    def api_versions(self) -> list[str]:
        """Discovery (GET /api and /apis), as `kubectl api-versions` reads it."""
        core = json.loads(self._call("CoreApi", "get_api_versions") or "{}")
        groups = json.loads(self._call("ApisApi", "get_api_versions") or "{}")
        found = set(core.get("versions") or []) if isinstance(core, dict) else set()
        for group in groups.get("groups") or [] if isinstance(groups, dict) else []:
            found |= {
                str(v["groupVersion"])
                for v in group.get("versions") or []
                if isinstance(v, dict) and v.get("groupVersion")
            }
        return sorted(found)

    def logs(self, namespace: str, pod: str, container: str, previous: bool = False) -> str | None:
        try:
            data = self._call(
                "CoreV1Api",
                "read_namespaced_pod_log",
                pod,
                namespace,
                container=container,
                previous=previous,
                tail_lines=LOG_TAIL_LINES,
            )
        except InputError:
            return None  # a container that never ran has no log: not an error
        if data is None:
            return None
        return data.decode("utf-8", errors="replace") if isinstance(data, bytes) else str(data)
