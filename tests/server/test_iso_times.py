"""The API's times as ISO 8601 (UTC) beside the Unix-time numbers it always had."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from tests.support.service import alert, am_headers, only_incident, payload


def same_instant(number: float, text: str) -> bool:
    assert text.endswith("Z"), text
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed.tzinfo is not None and abs(parsed.timestamp() - number) < 0.001


def test_incidents_and_the_audit_trail_carry_iso_times(make_client: Any) -> None:
    client, store, _ = make_client(workers=False)
    sent = client.post(
        "/webhooks/alertmanager", content=json.dumps(payload(alert())), headers=am_headers()
    )
    assert sent.status_code == 202
    summary = client.get("/api/v1/incidents", headers=am_headers()).json()["items"][0]
    for name in ("created_at", "updated_at"):
        assert same_instant(summary[name], summary[f"{name}_iso"])
    detail = only_incident(client)
    assert same_instant(detail["created_at"], detail["created_at_iso"])
    delivery = detail["alerts"][0]
    assert same_instant(delivery["received_at"], delivery["received_at_iso"])
    store.event(detail["id"], "test", "a record")
    records = client.get("/api/v1/audit", headers=am_headers()).json()["items"]
    assert records and all(same_instant(r["ts"], r["ts_iso"]) for r in records)
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert "created_at_iso" in schema["IncidentSummary"]["properties"]
