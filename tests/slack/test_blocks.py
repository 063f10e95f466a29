"""The Slack proposal lists every alert one incident holds (and a node incident's workloads)."""

from __future__ import annotations

import json

from dr_kube.slack.blocks import proposal


def result(alerts: list[dict[str, str]], workloads: list[str] | None = None) -> dict[str, object]:
    return {
        "incident": {
            "key": "online-boutique/Deployment/checkoutservice/oom",
            "alerts": alerts,
            "workloads": workloads or [],
        },
        "diagnosis": {"category": "oom", "root_cause": "killed at its 128Mi limit"},
        "fix": {"status": "no-fix", "reason": "no values file"},
    }


def test_the_root_message_lists_the_incidents_alerts() -> None:
    alerts = [
        {
            "alertname": "ContainerOOMKilled",
            "pod": f"checkoutservice-5fd8b8c6c7-p{n}",
            "status": "firing",
        }
        for n in range(12)
    ] + [
        {
            "alertname": "KubeDeploymentReplicasMismatch",
            "workload": "Deployment/checkoutservice",
            "status": "firing",
        }
    ]
    incident = {"id": "i1", "namespace": "online-boutique", "workload": "checkoutservice"}
    _, blocks = proposal(incident, result(alerts), "auto", buttons=False)
    text = json.dumps(blocks, ensure_ascii=False)
    assert "*Alerts (13)*: one incident" in text
    assert "checkoutservice-5fd8b8c6c7-p0" in text and "… and 3 more" in text


def test_a_single_alert_needs_no_list_and_a_node_lists_its_workloads() -> None:
    incident = {"id": "i2", "namespace": "", "workload": "worker-2"}
    one = [{"alertname": "ContainerOOMKilled", "pod": "x", "status": "firing"}]
    _, blocks = proposal(incident, result(one), "auto", buttons=False)
    assert "Alerts (" not in json.dumps(blocks, ensure_ascii=False)
    _, blocks = proposal(incident, result(one, ["Deployment/cartservice"]), "auto", buttons=False)
    assert "*Workloads hit*: `Deployment/cartservice`" in json.dumps(blocks, ensure_ascii=False)
