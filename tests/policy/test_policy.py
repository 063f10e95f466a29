"""Each policy rule, per-namespace overrides, and the policy file the user owns."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from dr_kube.errors import ConfigError
from dr_kube.models import Change
from dr_kube.policy import Policy, assess_risk, check_change, check_namespace, load_policy


def codes(change: Change, category: str = "oom", policy: Policy | None = None) -> list[str]:
    return [i.code for i in check_change(change, policy or Policy(), category)]


def mem(old: object, new: object, section: str = "limits") -> Change:
    return Change(file="v.yaml", path=["svc", "resources", section, "memory"], old=old, new=new)


def test_a_doubling_within_caps_passes() -> None:
    assert codes(mem("128Mi", "256Mi")) == []


def test_more_than_double_in_one_step_is_rejected() -> None:
    assert codes(mem("128Mi", "512Mi")) == ["step-too-large"]


def test_more_than_halving_in_one_step_is_rejected() -> None:
    assert "step-too-large" in codes(mem("1Gi", "256Mi", "requests"), category="unschedulable")


def test_memory_cap() -> None:
    assert codes(mem("6Gi", "10Gi")) == ["over-cap"]
    assert (
        codes(mem("6Gi", "10Gi"), policy=Policy.model_validate({"caps": {"memory": "16Gi"}})) == []
    )


def test_cpu_cap_and_quantity_forms() -> None:
    change = Change(file="v", path=["svc", "resources", "limits", "cpu"], old="3", new="6")
    assert codes(change, "cpu-throttling") == ["over-cap"]
    ok = Change(file="v", path=["svc", "resources", "limits", "cpu"], old="300m", new="600m")
    assert codes(ok, "cpu-throttling") == []


def test_oom_fix_never_lowers_memory() -> None:
    assert codes(mem("256Mi", "192Mi")) == ["lowers-memory"]
    assert codes(mem("256Mi", "192Mi"), category="unschedulable") == []


def test_invalid_quantity() -> None:
    assert codes(mem("128Mi", "lots")) == ["invalid-value"]
    assert codes(mem("128Mi", "-1Gi")) == ["invalid-value"]


def test_keys_outside_the_allowed_patterns_are_rejected() -> None:
    change = Change(file="v", path=["svc", "env", "DEBUG"], old="0", new="1")
    assert codes(change) == ["path-not-allowed"]
    denied = Policy.model_validate({"denied_paths": ["*.limits.cpu"]})
    cpu = Change(file="v", path=["svc", "resources", "limits", "cpu"], old="1", new="2")
    assert codes(cpu, "cpu-throttling", denied) == ["path-not-allowed"]


def test_allowed_keys_cover_replicas_probes_autoscaling_and_tags() -> None:
    policy = Policy()
    for dotted in (
        "controller.replicaCount",
        "replicas",
        "autoscaling.minReplicas",
        "livenessProbe.initialDelaySeconds",
        "frontend.readinessProbe.timeoutSeconds",
        "image.tag",
    ):
        assert policy.allows_path(dotted), dotted
    assert not policy.allows_path("frontend.env")


def test_replicas_must_be_whole_and_capped() -> None:
    path = ["controller", "replicaCount"]
    assert codes(Change(file="v", path=path, old=1, new=2), "replicas-mismatch") == []
    assert codes(Change(file="v", path=path, old=1, new="2"), "replicas-mismatch") == [
        "invalid-value"
    ]
    assert codes(Change(file="v", path=path, old=8, new=12), "replicas-mismatch") == ["over-cap"]


def test_no_op_change_is_rejected() -> None:
    assert codes(mem("128Mi", "128Mi")) == ["no-op"]


def test_protected_namespace() -> None:
    assert [i.code for i in check_namespace("kube-system", Policy())] == ["protected-namespace"]
    assert check_namespace("online-boutique", Policy()) == []


def test_risk_levels() -> None:
    policy = Policy()
    assert assess_risk([mem("128Mi", "256Mi")], policy, unverified=False) == "low"
    assert assess_risk([mem("128Mi", "256Mi")], policy, unverified=True) == "medium"
    replicas = Change(file="v", path=["replicaCount"], old=1, new=2)
    assert assess_risk([replicas], policy, unverified=False) == "medium"
    assert assess_risk([mem("4Gi", "7Gi")], policy, unverified=False) == "high"


def test_policy_file_is_read_from_the_repo(tmp_path: Path) -> None:
    (tmp_path / "dr-kube-policy.yaml").write_text(
        "protected_namespaces: [kube-system, payments]\ncaps:\n  memory: 2Gi\nmax_attempts: 2\n"
    )
    policy = load_policy(tmp_path)
    assert policy.protected_namespaces == ["kube-system", "payments"]
    assert policy.caps.memory == "2Gi" and policy.caps.cpu == "4"
    assert policy.max_attempts == 2


def test_defaults_without_a_file(tmp_path: Path) -> None:
    assert load_policy(tmp_path) == Policy()


@pytest.mark.parametrize(
    "text",
    ["caps:\n  memory: lots\n", "max_step_factor: 0.5\n", "unknown_rule: 1\n", "- a list\n"],
)
def test_invalid_policy_is_a_config_error(tmp_path: Path, text: str) -> None:
    (tmp_path / "dr-kube-policy.yaml").write_text(text)
    with pytest.raises(ConfigError, match=r"dr-kube-policy\.yaml"):
        load_policy(tmp_path)


def test_policy_namespace_overrides_keep_the_defaults() -> None:
    assert Policy().mode_for("shop", "auto") == "auto"
    policy = Policy.model_validate(
        {
            "namespaces": {
                "pay": {"mode": "copilot", "slack_channel": "C0PAY"},
                "lab": {"mode": "observe"},
            }
        }
    )
    assert policy.mode_for("pay", "auto") == "copilot"
    assert policy.slack_channel_for("pay", "C0ALL") == "C0PAY"
    assert policy.slack_channel_for("lab", "C0ALL") == "C0ALL"
    with pytest.raises(ValidationError):
        Policy.model_validate({"namespaces": {"pay": {"mode": "yolo"}}})
    with pytest.raises(ValidationError):
        Policy.model_validate({"namespaces": {"pay": {"channel": "C0"}}})  # extra="forbid"
