"""The PersistentVolumeClaims a workload's pods mount: phase, StorageClass, and whether it exists."""

from __future__ import annotations

from typing import Any

from dr_kube.cluster.evidence import ClaimEvidence
from dr_kube.cluster.source import ClusterSource, K8sObject
from dr_kube.errors import InputError

MAX_CLAIMS = 6


def claim_names(pod: K8sObject) -> list[str]:
    """Claims named by the pod's volumes (StatefulSet claims appear there too, per ordinal)."""
    names = []
    for volume in (pod.get("spec") or {}).get("volumes") or []:
        claim = volume.get("persistentVolumeClaim") if isinstance(volume, dict) else None
        if isinstance(claim, dict) and claim.get("claimName"):
            names.append(str(claim["claimName"]))
    return names


def class_names(source: ClusterSource) -> set[str] | None:
    try:
        classes = source.storage_classes()
    except InputError:
        return None
    if classes is None:
        return None
    return {str((c.get("metadata") or {}).get("name", "")) for c in classes}


def claim_evidence(name: str, obj: K8sObject, classes: set[str] | None) -> ClaimEvidence:
    spec: dict[str, Any] = obj.get("spec") or {}
    status: dict[str, Any] = obj.get("status") or {}
    storage_class = spec.get("storageClassName") or (
        (obj.get("metadata") or {}).get("annotations") or {}
    ).get("volume.beta.kubernetes.io/storage-class")
    requested = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
    return ClaimEvidence(
        name=name,
        phase=status.get("phase", "Unknown"),
        storage_class=storage_class,
        storage_class_found=(storage_class in classes)
        if classes is not None and storage_class
        else None,
        requested=str(requested) if requested is not None else None,
        access_modes=[str(m) for m in spec.get("accessModes") or []],
        volume=spec.get("volumeName"),
    )


def collect_claims(
    source: ClusterSource, namespace: str, pods: list[K8sObject]
) -> list[ClaimEvidence]:
    """Each claim the pods mount, read once; a source that cannot read claims gives none."""
    names = list(dict.fromkeys(n for pod in pods for n in claim_names(pod)))[:MAX_CLAIMS]
    if not names:
        return []
    classes = class_names(source)
    claims = []
    for name in names:
        try:
            obj = source.get("PersistentVolumeClaim", namespace, name)
        except InputError:
            return []  # no RBAC for claims: say nothing rather than "missing"
        if obj is not None:  # absent from a dump without claims is unknown, not missing
            claims.append(claim_evidence(name, obj, classes))
    return claims
