"""Kubernetes' name rules (`dr_kube.k8s_names`) and the branch names made from such names, checked
with git itself (`git check-ref-format --branch`)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from dr_kube.errors import InvalidNameError
from dr_kube.gitops.repo import branch_name, ref_component
from dr_kube.k8s_names import dns1123_label, dns1123_subdomain, is_dns1123_label
from dr_kube.policy import Policy, check_namespace
from tests.support.hostile import copy_dump, edit_items

LABELS_OK = ["a", "kube-system", "online-boutique", "0", "a" * 63, "9lives"]
LABELS_BAD = [
    "",
    "kube-system/",
    "./kube-system",
    "kube-system/.",
    "../../x",
    "Kube-System",
    "-a",
    "a-",
    "a.b",
    "a_b",
    "a" * 64,
    "a\n",
    "a b",
]
SUBDOMAINS_OK = ["frontend", "frontend.lock", "a.b-c.d", "frontend-7d9c8b6f5b-x2x9k", "a" * 253]
SUBDOMAINS_BAD = ["", "..", "a..b", ".a", "a.", "a.-b", "a/b", "A", "a" * 254, "frontend\n"]


def test_dns1123_labels() -> None:
    assert [dns1123_label(v, "namespace") for v in LABELS_OK] == LABELS_OK
    for value in LABELS_BAD:
        with pytest.raises(InvalidNameError, match=r"namespace .* DNS-1123 label"):
            dns1123_label(value, "namespace")


def test_dns1123_subdomains() -> None:
    assert [dns1123_subdomain(v, "pod") for v in SUBDOMAINS_OK] == SUBDOMAINS_OK
    for value in SUBDOMAINS_BAD:
        with pytest.raises(InvalidNameError, match=r"pod .* DNS-1123 subdomain"):
            dns1123_subdomain(value, "pod")


def test_an_invalid_name_is_both_bad_input_and_a_value_error() -> None:
    with pytest.raises(InvalidNameError) as caught:
        dns1123_label("kube-system/", "namespace")
    assert isinstance(caught.value, ValueError) and caught.value.exit_code == 2


def test_protected_namespaces_compare_valid_names_only() -> None:
    policy = Policy(protected_namespaces=["kube-system"])
    assert [i.code for i in check_namespace("kube-system", policy)] == ["protected-namespace"]
    assert check_namespace("default", policy) == []
    for spelled in ("kube-system/", "./kube-system", "kube-system/.", "KUBE-SYSTEM"):
        assert [i.code for i in check_namespace(spelled, policy)] == ["invalid-namespace"]
    with pytest.raises(ValueError, match="protected namespace"):
        Policy(protected_namespaces=["kube-system/"])
    assert is_dns1123_label("kube-system")


def valid_branch(name: str) -> bool:
    proc = subprocess.run(["git", "check-ref-format", "--branch", name], capture_output=True)
    return proc.returncode == 0


HOSTILE_PARTS = [
    "frontend.lock",
    "frontend.lock.lock",
    "a..b",
    ".hidden",
    "trailing.",
    "trailing/",
    "@",
    "a@{b",
    "a~b^c:d",
    "a?b*c[d",
    "back\\slash",
    "ctl\x01\x7f",
    "sp ace",
    "//",
    "-",
    "",
    "ünïcode",
    "a" * 300,
    "x.lock/",
]


@pytest.mark.parametrize("part", HOSTILE_PARTS)
def test_every_branch_is_one_git_accepts(part: str) -> None:
    for args in ((part, "frontend", "oom"), ("ns", part, "oom"), ("ns", "frontend", part)):
        name = branch_name(*args)
        assert valid_branch(name), name
        assert name == branch_name(*args)  # deterministic
        assert all(len(p) <= 210 for p in name.split("/"))


def test_valid_kubernetes_names_keep_their_own_branch() -> None:
    """No two valid names share a branch: `.lock` gets a `_`, which no Kubernetes name holds."""
    names = ["frontend.lock", "frontend-lock", "frontend", "frontend.lock.lock", "a.b", "a-b"]
    parts = [ref_component(n) for n in names]
    assert len(set(parts)) == len(parts)
    assert branch_name("online-boutique", "frontend.lock", "oom") == (
        "dr-kube/online-boutique/frontend.lock_/oom"
    )
    assert (
        branch_name("online-boutique", "frontend", "oom") == "dr-kube/online-boutique/frontend/oom"
    )


def test_an_owner_name_from_a_dump_that_kubernetes_would_refuse_is_not_taken(
    tmp_path: Path,
) -> None:
    from dr_kube.alerts import parse_incidents
    from dr_kube.cluster.dump import DumpSource
    from dr_kube.cluster.owners import OwnerResolver

    dump = copy_dump(tmp_path / "dump")

    def forge(item: dict[str, Any]) -> None:
        for ref in item["metadata"].get("ownerReferences") or []:
            if ref["name"] == "frontend":
                ref["name"] = "../../evil"

    edit_items(dump / "online-boutique" / "replicasets.json", forge)
    (incident,) = parse_incidents(
        {
            "labels": {
                "alertname": "ContainerOOMKilled",
                "namespace": "online-boutique",
                "pod": "frontend-7d9c8b6f5b-x2x9k",
                "container": "server",
            }
        }
    )
    resolved = OwnerResolver(DumpSource(dump)).resolve(incident)
    assert resolved.workload is not None
    assert resolved.workload.name == "frontend"  # from the pod's name, not the forged owner
