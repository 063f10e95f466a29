"""The chart version a targetRevision selects, as Argo CD (Helm's semver constraints) picks it."""

from __future__ import annotations

import pytest

from dr_kube.gitops.chart_versions import is_exact, pick_version

AVAILABLE = ["0.2.3", "0.2.9", "0.3.0", "1.0.0", "1.2.0", "1.2.5", "1.3.0", "2.0.0", "2.1.0-rc.1"]


@pytest.mark.parametrize(
    ("revision", "picked"),
    [
        ("1.2.0", "1.2.0"),
        ("v1.2.0", "1.2.0"),
        ("1.2.*", "1.2.5"),
        ("1.2.x", "1.2.5"),
        ("1.2", "1.2.5"),
        ("^1.2", "1.3.0"),
        ("^0.2.3", "0.2.9"),
        ("~1.2.0", "1.2.5"),
        (">=1.0 <2.0", "1.3.0"),
        (">=1.0, <2.0", "1.3.0"),
        (">= 1.0.0 < 1.3.0", "1.2.5"),
        ("1.0.0 - 1.2.0", "1.2.0"),
        ("0.2.x || 1.0.x", "1.0.0"),
        ("*", "2.0.0"),
        ("", "2.0.0"),
        (">=2.1.0-rc.0", "2.1.0-rc.1"),
        ("!=2.0.0", "1.3.0"),
        ("9.9.9", None),
        ("^3", None),
    ],
)
def test_the_highest_matching_version_is_pinned(revision: str, picked: str | None) -> None:
    assert pick_version(revision, AVAILABLE) == picked


def test_a_repository_spelling_versions_with_v_keeps_its_spelling() -> None:
    assert pick_version("^1.0", ["v1.0.0", "v1.4.0", "v2.0.0"]) == "v1.4.0"


def test_exact_versions_are_told_from_constraints() -> None:
    assert is_exact("1.2.3") and is_exact("v1.2.3-rc.1")
    assert not any(is_exact(r) for r in ("1.2", "1.2.*", "^1.2.3", ">=1.0 <2.0", ""))


def test_a_malformed_constraint_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="not a version constraint"):
        pick_version(">=banana", AVAILABLE)
