"""Every input form hands on its incidents masked: labels, annotations and texts."""

from __future__ import annotations

from dr_kube.alerts import parse_incidents
from dr_kube.incidents.masking import masked


def test_labels_annotations_and_texts_are_masked_at_parse() -> None:
    incident = parse_incidents(
        {
            "labels": {
                "alertname": "ContainerOOMKilled",
                "namespace": "shop",
                "deployment": "frontend",
                "api_token": "plain-looking-value",
                "dsn": "postgres://admin:Pa55word@db/x",
            },
            "annotations": {"description": "Authorization: Bearer abcdef123456789"},
            "status": "firing",
        }
    )[0]
    assert incident.labels["api_token"].startswith("[REDACTED:")
    assert "Pa55word" not in incident.labels["dsn"]
    assert "abcdef123456789" not in incident.annotations["description"]
    assert incident.labels["deployment"] == "frontend" and incident.workload is not None
    assert masked(incident) is incident, "masking twice changes nothing"
