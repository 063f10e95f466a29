"""Volumes that do not bind, attach or mount: a claim without a StorageClass, a Multi-Attach."""

from __future__ import annotations

import re

from dr_kube.cluster.evidence import ClaimEvidence, EventEvidence
from dr_kube.diagnose.context import AnalysisContext
from dr_kube.diagnose.findings import Finding

CLAIM_EVENTS = ("ProvisioningFailed", "FailedBinding", "ExternalProvisioning")
POD_EVENTS = ("FailedAttachVolume", "FailedMount")
SCHEDULING = re.compile(
    r"unbound immediate PersistentVolumeClaims|persistentvolumeclaim \"[^\"]+\" not found|"
    r"volume node affinity conflict",
    re.IGNORECASE,
)
MISSING_CLASS = re.compile(r"storageclass\.storage\.k8s\.io \"(?P<name>[^\"]+)\" not found")
MULTI_ATTACH = re.compile(r"Multi-Attach error for volume \"(?P<volume>[^\"]+)\"")
MOUNT_OBJECT = re.compile(
    r"MountVolume\.SetUp failed for volume \"(?P<volume>[^\"]+)\" : "
    r"(?P<kind>secret|configmap) \"(?P<name>[^\"]+)\" not found",
    re.IGNORECASE,
)
IMMUTABLE = (
    "a StatefulSet's volumeClaimTemplates cannot be changed in place, so this is not a values edit"
)


def claim_events(ctx: AnalysisContext, claim: str) -> list[EventEvidence]:
    return [
        e
        for e in ctx.evidence.events
        if e.object == f"PersistentVolumeClaim/{claim}" and e.type == "Warning"
    ]


def pending_claim(ctx: AnalysisContext, claim: ClaimEvidence) -> Finding:
    events = claim_events(ctx, claim.name)
    message = events[-1].message if events else ""
    evidence = [
        f"PersistentVolumeClaim/{claim.name}: {claim.phase}, storageClass "
        f"{claim.storage_class or '(none)'}, requests {claim.requested}",
        *(e.line() for e in events[-2:]),
    ]
    missing = MISSING_CLASS.search(message)
    if claim.storage_class_found is False or missing:
        name = missing["name"] if missing else claim.storage_class
        reason = f"is {claim.phase}: its StorageClass {name} does not exist"
        action = (
            f"Create StorageClass {name}, or point the chart's storageClass at one that exists "
            f"and recreate the claim ({IMMUTABLE})"
        )
    elif claim.storage_class is None and not claim.volume:
        reason = f"is {claim.phase}: it names no StorageClass and no PersistentVolume matches it"
        action = "Set a StorageClass (or a cluster default) or create a matching PersistentVolume"
    else:
        why = f" ({message.split(':')[0]})" if message else ""
        reason = f"is {claim.phase}{why}"
        action = "Check the StorageClass's provisioner and its quota in the cloud account"
    return Finding(
        category="volume",
        root_cause=f"PersistentVolumeClaim {claim.name} {reason}, so the pod cannot start.",
        evidence=evidence,
        confidence=0.95,
        container=ctx.container_name,
        human_action=action + "; no resource or probe change helps.",
    )


def pod_volume_failure(ctx: AnalysisContext) -> Finding | None:
    pod = ctx.evidence.pod()
    name = pod.name if pod else ctx.evidence.focus_pod
    events = [
        e for e in ctx.evidence.events if e.reason in POD_EVENTS and e.object == f"Pod/{name}"
    ]
    if not events:
        return None
    # the most telling event: a Multi-Attach or a missing object beats a generic mount timeout
    event = next(
        (
            e
            for e in reversed(events)
            if MULTI_ATTACH.search(e.message) or MOUNT_OBJECT.search(e.message)
        ),
        events[-1],
    )
    multi = MULTI_ATTACH.search(event.message)
    obj = MOUNT_OBJECT.search(event.message)
    if multi:
        holders = [
            p.name for p in ctx.evidence.pods if p.name != name and p.node != (pod and pod.node)
        ]
        cause = (
            f"volume {multi['volume']} is ReadWriteOnce and still attached to another node"
            + (f" (pod {holders[0]})" if holders else "")
            + "; it cannot attach to this pod's node"
        )
        action = (
            "Let the old pod finish (or delete it) so the volume detaches; a Deployment with a "
            "ReadWriteOnce volume needs strategy Recreate or a StatefulSet"
        )
    elif obj:
        kind = "Secret" if obj["kind"].lower() == "secret" else "ConfigMap"
        cause = f"volume {obj['volume']} mounts {kind} {obj['name']}, which does not exist"
        action = f"Create {kind} {obj['name']} or correct the reference in the chart"
    else:
        cause = f"{event.reason}: {event.message.split(':')[0]}"
        action = "Check the volume's claim, its StorageClass and the node's CSI driver"
    return Finding(
        category="volume",
        root_cause=f"Pod {name} cannot start: {cause}.",
        evidence=[e.line() for e in events[-2:]],
        confidence=0.9,
        container=ctx.container_name,
        human_action=action + "; no resource or probe change helps.",
    )


def analyze(ctx: AnalysisContext) -> Finding | None:
    unbound = [c for c in ctx.evidence.claims if c.phase != "Bound"]
    pod = ctx.evidence.pod()
    mine = [c for c in unbound if pod is None or c.name in pod.claims] or unbound
    if mine:
        return pending_claim(ctx, mine[0])
    found = pod_volume_failure(ctx)
    if found is not None:
        return found
    scheduling = [
        e
        for e in ctx.evidence.events
        if e.reason == "FailedScheduling" and SCHEDULING.search(e.message)
    ]
    if scheduling:
        return Finding(
            category="volume",
            root_cause=(
                "The scheduler cannot place the pod because of its volumes: "
                + scheduling[-1].message.split(". preemption")[0]
                + "."
            ),
            evidence=[scheduling[-1].line()],
            confidence=0.85,
            container=ctx.container_name,
            human_action=(
                "Bind the claim (StorageClass, PersistentVolume) or schedule the pod in the "
                "volume's zone; no resource change helps."
            ),
        )
    return None
