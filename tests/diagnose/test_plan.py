"""Intent → path-level changes: tidy values within the policy, something new on every retry."""

from __future__ import annotations

from typing import Any

import pytest

from dr_kube.cluster.evidence import ContainerEvidence, WorkloadEvidence
from dr_kube.diagnose.findings import FixIntent
from dr_kube.diagnose.plan import PlanError, PlanInput, candidates
from dr_kube.models import Change
from dr_kube.policy import Policy
from dr_kube.values_model import Location

VALUES: dict[str, Any] = {
    "web": {
        "replicaCount": 1,
        "resources": {
            "limits": {"memory": "128Mi", "cpu": "300m"},
            "requests": {"memory": "64Mi", "cpu": "100m"},
        },
        "livenessProbe": {"initialDelaySeconds": 30},
        "image": {"tag": "1.4.22"},
    },
    "metrics": {"resources": {"limits": {"memory": "64Mi"}}},
}


def plan(
    intent: FixIntent,
    values: dict[str, Any] | None = None,
    policy: Policy | None = None,
    tried: list[list[Change]] | None = None,
) -> list[list[Change]]:
    workload = WorkloadEvidence(
        kind="Deployment",
        name="web",
        namespace="shop",
        containers=[ContainerEvidence(name="web"), ContainerEvidence(name="metrics")],
    )
    return candidates(
        intent,
        PlanInput(
            location=Location(values_file="values/web.yaml", base_path=["web"]),
            values=values or VALUES,
            workload=workload,
            policy=policy or Policy(),
            tried=tried or [],
        ),
    )


def first(options: list[list[Change]]) -> list[tuple[str, Any, Any]]:
    return [(c.dotted(), c.old, c.new) for c in options[0]]


def test_memory_limit_doubles() -> None:
    assert first(plan(FixIntent(kind="raise-memory-limit", container="web"))) == [
        ("web.resources.limits.memory", "128Mi", "256Mi")
    ]


def test_memory_limit_follows_the_observed_peak_within_one_step() -> None:
    intent = FixIntent(
        kind="raise-memory-limit", container="web", factor=1.5, at_least=str(180 * 2**20)
    )
    assert first(plan(intent)) == [("web.resources.limits.memory", "128Mi", "192Mi")]
    huge = FixIntent(kind="raise-memory-limit", container="web", at_least=str(2 * 2**30))
    assert first(plan(huge)) == [("web.resources.limits.memory", "128Mi", "256Mi")], (
        "at most x2 per step"
    )


def test_limit_at_the_cap_cannot_be_raised() -> None:
    values = {"web": {"resources": {"limits": {"memory": "8Gi"}}}}
    with pytest.raises(PlanError, match="already at the most"):
        plan(FixIntent(kind="raise-memory-limit", container="web"), values)


def test_cap_clamps_the_step() -> None:
    values = {"web": {"resources": {"limits": {"memory": "6Gi"}}}}
    assert first(plan(FixIntent(kind="raise-memory-limit", container="web"), values)) == [
        ("web.resources.limits.memory", "6Gi", "8Gi")
    ]


def test_cpu_limit_in_millicores() -> None:
    assert first(plan(FixIntent(kind="raise-cpu-limit", container="web"))) == [
        ("web.resources.limits.cpu", "300m", "600m")
    ]


def test_sidecar_resources_live_in_their_own_block() -> None:
    assert first(plan(FixIntent(kind="raise-memory-limit", container="metrics"))) == [
        ("metrics.resources.limits.memory", "64Mi", "128Mi")
    ]


def test_a_sidecar_without_a_block_is_not_fixable() -> None:
    with pytest.raises(PlanError, match="container istio-proxy"):
        plan(FixIntent(kind="raise-memory-limit", container="istio-proxy"), {"web": VALUES["web"]})


def test_lowering_a_request_fits_the_node_in_one_step_or_not_at_all() -> None:
    values = {
        "web": {"resources": {"requests": {"memory": "256Mi"}, "limits": {"memory": "512Mi"}}}
    }
    intent = FixIntent(kind="lower-memory-request", container="web", at_most=str(200 * 2**20))
    assert first(plan(intent, values)) == [("web.resources.requests.memory", "256Mi", "160Mi")]
    far = FixIntent(kind="lower-memory-request", container="web", at_most=str(10 * 2**20))
    with pytest.raises(PlanError, match=r"more than the policy.s x2\.0 per step"):
        plan(far, values)  # halving would still not fit: a partial step fixes nothing


def test_replicas_and_probe_and_tag() -> None:
    assert first(plan(FixIntent(kind="raise-replicas"))) == [("web.replicaCount", 1, 2)]
    assert first(
        plan(FixIntent(kind="raise-probe-delay", container="web", probe="livenessProbe"))
    ) == [("web.livenessProbe.initialDelaySeconds", 30, 60)]
    assert first(plan(FixIntent(kind="set-image-tag", container="web", value="1.4.2"))) == [
        ("web.image.tag", "1.4.22", "1.4.2")
    ]


def test_a_retry_never_repeats_a_rejected_proposal() -> None:
    intent = FixIntent(kind="raise-probe-delay", container="web", probe="livenessProbe")
    options = plan(intent)
    retry = plan(intent, tried=[options[0]])
    assert retry[0] != options[0]
    assert first(retry) == [("web.livenessProbe.failureThreshold", 3, 6)]
    with pytest.raises(PlanError, match="tried and rejected"):
        plan(intent, tried=[options[0], retry[0]])


def test_an_injected_sidecar_is_not_the_main_container() -> None:
    with pytest.raises(PlanError, match="istio-proxy"):
        plan(FixIntent(kind="raise-memory-limit", container="istio-proxy"))


def test_init_containers_listed_in_the_values() -> None:
    values = {
        "web": {
            "initContainers": [{"name": "migrate", "resources": {"limits": {"memory": "64Mi"}}}],
            "resources": {},
        }
    }
    workload_spec = [ContainerEvidence(name="web"), ContainerEvidence(name="migrate", init=True)]
    options = candidates(
        FixIntent(kind="raise-memory-limit", container="migrate"),
        PlanInput(
            location=Location(values_file="values/web.yaml", base_path=["web"]),
            values=values,
            workload=WorkloadEvidence(
                kind="Deployment", name="web", namespace="shop", containers=workload_spec
            ),
            policy=Policy(),
        ),
    )
    assert first(options) == [("web.initContainers[0].resources.limits.memory", "64Mi", "128Mi")]
