"""Every input form parses into the same Incident; bad input names the problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dr_kube.alerts import load_incidents, parse_delivery, parse_incidents
from dr_kube.errors import InputError
from dr_kube.incidents.model import WorkloadRef

ALERT = {
    "status": "firing",
    "labels": {
        "alertname": "ContainerOOMKilled",
        "namespace": "online-boutique",
        "pod": "frontend-7d9c8b6f5b-x2x9k",
        "container": "server",
        "workload": "frontend",
        "workload_type": "deployment",
        "severity": "critical",
    },
    "annotations": {"summary": "OOMKilled", "description": "frontend was OOMKilled"},
    "startsAt": "2026-11-24T21:04:12.123Z",
    "endsAt": "0001-01-01T00:00:00Z",
    "generatorURL": "http://prometheus/graph",
    "fingerprint": "a1b2c3d4e5f60718",
}


def test_webhook_payload() -> None:
    payload = {
        "version": "4",
        "status": "firing",
        "receiver": "dr-kube",
        "groupKey": "{}",
        "alerts": [ALERT],
    }
    [incident] = parse_incidents(payload)
    assert incident.id == "a1b2c3d4e5f60718"
    assert incident.workload == WorkloadRef(kind="Deployment", name="frontend")
    assert incident.category_hint == "oom"
    assert incident.container == "server"
    assert incident.key() == "online-boutique/Deployment/frontend/oom"


def test_single_alert_object() -> None:
    [incident] = parse_incidents(ALERT)
    assert incident.pod == "frontend-7d9c8b6f5b-x2x9k"
    assert incident.severity == "critical"


def test_legacy_sample_issue() -> None:
    [incident] = parse_incidents(
        {
            "id": "oom-1",
            "type": "oom",
            "namespace": "online-boutique",
            "resource": "deployment/frontend",
            "error_message": "OOMKilled",
            "logs": ["fatal error: runtime: out of memory"],
            "timestamp": "2026-11-24T21:04:12Z",
            "values_file": "values/online-boutique.yaml",
        }
    )
    assert incident.workload == WorkloadRef(kind="Deployment", name="frontend")
    assert incident.category_hint == "oom"
    assert incident.values_file == "values/online-boutique.yaml"
    assert incident.logs == ["fatal error: runtime: out of memory"]


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (
            {"deployment": "ingress-nginx-controller"},
            WorkloadRef(kind="Deployment", name="ingress-nginx-controller"),
        ),
        ({"statefulset": "redis-master"}, WorkloadRef(kind="StatefulSet", name="redis-master")),
        (
            {"workload": "node-exporter", "workload_type": "daemonset"},
            WorkloadRef(kind="DaemonSet", name="node-exporter"),
        ),
        ({"pod": "frontend-7d9c8b6f5b-x2x9k"}, None),
    ],
)
def test_workload_from_labels(labels: dict[str, str], expected: WorkloadRef | None) -> None:
    [incident] = parse_incidents({"labels": {"alertname": "X", "namespace": "ns", **labels}})
    assert incident.workload == expected


def test_waiting_reason_label_sets_the_category() -> None:
    [incident] = parse_incidents(
        {
            "labels": {
                "alertname": "ContainerWaiting",
                "namespace": "n",
                "pod": "p",
                "reason": "ImagePullBackOff",
            }
        }
    )
    assert incident.category_hint == "image-pull"


def test_grouped_payload_gives_one_incident_per_alert() -> None:
    second = {
        **ALERT,
        "labels": {**ALERT["labels"], "workload": "cartservice", "pod": "cartservice-1"},
        "fingerprint": "ffffffffffffffff",
    }
    incidents = parse_incidents({"version": "4", "alerts": [ALERT, second]})
    assert [i.workload.name for i in incidents if i.workload] == ["frontend", "cartservice"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "expected a JSON object"),
        ({"foo": 1}, "not an alert"),
        ({"version": "4", "alerts": []}, "no alerts"),
        ({"labels": {"namespace": "x"}}, "alertname"),
        ({"labels": {"alertname": "X"}}, "namespace"),
        ({"version": "4", "alerts": [{"labels": "oops"}]}, "alerts.0.labels"),
        ({"id": "1", "type": "oom", "namespace": "n", "resource": "cronjob/x"}, "unknown kind"),
    ],
)
def test_bad_input_names_the_problem(data: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_incidents(data)


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_incidents(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(InputError, match=r"broken\.json: not valid JSON"):
        load_incidents(broken)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(ALERT))
    assert len(load_incidents(good)) == 1


def test_a_delivery_keeps_its_good_alerts_names_the_bad_and_counts_the_dropped() -> None:
    bad = {"labels": {"namespace": "x"}}
    parsed = parse_delivery({"version": "4", "alerts": [ALERT, bad, "nope", ALERT, ALERT]}, 4)
    assert len(parsed.incidents) == 2 and parsed.dropped == 1
    assert [(r.index, r.reason.split(":")[0]) for r in parsed.rejected] == [
        (1, "alerts.1"),
        (2, "alerts.2"),
    ]
    with pytest.raises(InputError, match=r"alerts\.1: .*\(and 1 more bad alerts\)"):
        parse_incidents({"version": "4", "alerts": [ALERT, bad, "nope"]})
