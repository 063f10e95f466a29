"""Each expectation kind of expect.yaml can fail, with a line that says why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dr_kube.errors import InputError
from dr_kube.evaluate.checks import check_scenario
from dr_kube.evaluate.outcome import IncidentOutcome
from dr_kube.evaluate.scenario import Expect, load_expect
from dr_kube.models import Change

FILE = "values/online-boutique.yaml"


def run(**over: Any) -> IncidentOutcome:
    data: dict[str, Any] = {
        "key": "online-boutique/Deployment/frontend/oom",
        "workload": "frontend",
        "pod": "frontend-7d9c8b6f5b-x2x9k",
        "category": "oom",
        "status": "proposed",
        "exit_code": 0,
        "attempts": 1,
        "changes": [
            Change(
                file=FILE,
                path=["frontend", "resources", "limits", "memory"],
                old="128Mi",
                new="256Mi",
            )
        ],
    }
    data.update(over)
    return IncidentOutcome.model_validate(data)


def check(
    expect: dict[str, Any],
    outcome: IncidentOutcome | None = None,
    code: int = 0,
    texts: list[str] | None = None,
) -> list[str]:
    runs = [outcome or run()]
    return check_scenario(Expect.model_validate(expect), runs, code, texts or [])


REQUIRED = {
    "path": "frontend.resources.limits.memory",
    "direction": "up",
    "min": "160Mi",
    "max": "256Mi",
}


def test_a_good_answer_passes_every_kind() -> None:
    expect = {
        "categories": ["oom"],
        "status": ["proposed"],
        "exit_codes": [0],
        "required_changes": [{**REQUIRED, "file": FILE}],
        "forbidden_changes": [{"path": "cartService"}],
        "max_attempts": 1,
        "never_in_output": ["hunter2"],
        "incidents_count": 1,
    }
    assert check(expect, texts=["all clean"]) == []


@pytest.mark.parametrize(
    ("expect", "outcome", "code", "texts", "wanted"),
    [
        ({"categories": ["crashloop"]}, run(), 0, [], "category oom, expected crashloop"),
        ({"status": ["no-fix"]}, run(), 0, [], "fix status proposed"),
        ({"exit_codes": [3]}, run(), 0, [], "exit code 0, expected 3"),
        ({"incidents_count": 2}, run(), 0, [], "1 incidents handled, expected 2"),
        (
            {"required_changes": [{"path": "frontend.resources.limits.cpu"}]},
            run(),
            0,
            [],
            "missing change",
        ),
        (
            {"required_changes": [{**REQUIRED, "direction": "down"}]},
            run(),
            0,
            [],
            "does not go down",
        ),
        (
            {"required_changes": [{**REQUIRED, "max": "192Mi"}]},
            run(),
            0,
            [],
            "above the accepted 192Mi",
        ),
        (
            {"required_changes": [{**REQUIRED, "min": "512Mi", "max": None}]},
            run(),
            0,
            [],
            "below the accepted 512Mi",
        ),
        (
            {"required_changes": [{**REQUIRED, "file": "values/other.yaml"}]},
            run(),
            0,
            [],
            "missing change",
        ),
        (
            {
                "required_changes": [
                    {"path": "frontend.resources.limits.memory", "direction": "set", "value": "1Gi"}
                ]
            },
            run(),
            0,
            [],
            "expected '1Gi'",
        ),
        ({"forbidden_changes": [{"path": "frontend.resources"}]}, run(), 0, [], "forbidden change"),
        ({"forbidden_changes": [{}]}, run(), 0, [], "forbidden change"),
        ({"no_changes": True}, run(), 0, [], "expected no change"),
        ({"max_attempts": 1}, run(attempts=2), 0, [], "2 attempts, at most 1"),
        (
            {"never_in_output": ["hunter2x"]},
            run(),
            0,
            ["password=hunter2x"],
            "leaked secret hun… in the output",
        ),
        (
            {"incidents": [{"workload": "cartservice", "categories": ["oom"]}]},
            run(),
            0,
            [],
            "no incident about cartservice",
        ),
        (
            {"incidents": [{"workload": "frontend", "categories": ["cpu-throttling"]}]},
            run(),
            0,
            [],
            "category oom",
        ),
    ],
)
def test_each_expectation_kind_can_fail(
    expect: dict[str, Any], outcome: IncidentOutcome, code: int, texts: list[str], wanted: str
) -> None:
    failures = check(expect, outcome, code, texts)
    assert any(wanted in f for f in failures), failures


def test_changes_of_a_rejected_proposal_do_not_count() -> None:
    rejected = run(status="rejected", exit_code=3)
    assert (
        check({"forbidden_changes": [{"path": "frontend"}], "no_changes": True}, rejected, 3) == []
    )
    assert "missing change" in check({"required_changes": [REQUIRED]}, rejected, 3)[0]


def test_a_secret_in_the_evidence_for_a_provider_fails() -> None:
    failures = check_scenario(
        Expect.model_validate({"never_in_output": ["hunter2x"]}),
        [run()],
        0,
        ["clean"],
        ["pw hunter2x"],
    )
    assert failures == ["leaked secret hun… in the evidence a provider sees"]


def test_incident_entries_match_by_pod_name_prefix() -> None:
    outcome = run(workload=None, pod="frontend-7d9c8b6f5b-x2x9k")
    assert check({"incidents": [{"workload": "frontend", "categories": ["oom"]}]}, outcome) == []


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("categories: [oomkilled]\n", "unknown categories"),
        (
            "required_changes:\n  - path: a.b\n    direction: sideways\n",
            "required_changes.0.direction",
        ),
        ("required_changes:\n  - path: a.b\n    min: lots\n", "not a valid Kubernetes quantity"),
        ("exit_codes: [7]\n", "exit codes [7]"),
        ("surprise: 1\n", "surprise"),
        ("- a list\n", "expected a mapping"),
        ("categories: [oom\n", "invalid YAML"),
    ],
)
def test_malformed_expect_is_bad_input(tmp_path: Path, text: str, wanted: str) -> None:
    path = tmp_path / "expect.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        load_expect(path)
    assert wanted in str(info.value)
    assert "\n" not in str(info.value)
