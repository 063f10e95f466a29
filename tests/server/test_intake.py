"""Intake: authentication, validation, durability before 202, incidents not alerts."""

from __future__ import annotations

import base64
import json
from typing import Any

from tests.support.service import TOKEN, alert, am_headers, payload, signed, wait_for

URL = "/webhooks/alertmanager"


def test_unauthenticated_and_wrong_credentials_get_401_and_store_nothing(make_client: Any) -> None:
    client, store, _ = make_client(workers=False)
    body = json.dumps(payload(alert()))
    for headers in (
        {"Content-Type": "application/json"},
        {"Content-Type": "application/json", "Authorization": "Bearer wrong"},
        {"Content-Type": "application/json", "Authorization": f"Token {TOKEN}"},
        {
            "Content-Type": "application/json",
            "Authorization": "Basic " + base64.b64encode(b"am:nope").decode(),
        },
    ):
        r = client.post(URL, content=body, headers=headers)
        assert r.status_code == 401, r.text
    assert store.count("alerts") == 0
    assert client.get("/api/v1/incidents").status_code == 401


def test_bearer_and_basic_auth_store_before_202(make_client: Any) -> None:
    client, store, _ = make_client(workers=False)
    r = client.post(URL, content=json.dumps(payload(alert())), headers=am_headers())
    assert r.status_code == 202
    assert r.json()["incidents"][0]["action"] == "created"
    basic = "Basic " + base64.b64encode(b"am:am-password").decode()
    r = client.post(
        URL,
        content=json.dumps(payload(alert(pod_suffix="x2"))),
        headers={"Authorization": basic, "Content-Type": "application/json"},
    )
    assert r.status_code == 202
    assert r.json()["incidents"][0]["action"] == "joined"
    assert store.count("alerts") == 2
    assert store.count("incidents") == 1


def test_malformed_oversized_and_wrong_content_type_are_4xx(make_client: Any) -> None:
    client, store, _ = make_client(workers=False)
    cases = [
        (b"{not json", am_headers(), 400, "not valid JSON"),
        (b"[1, 2]", am_headers(), 422, "expected a JSON object"),
        (json.dumps({"version": "4", "alerts": []}).encode(), am_headers(), 422, "no alerts"),
        (
            json.dumps(payload({**alert(), "labels": {"namespace": "x"}})).encode(),
            am_headers(),
            422,
            "alertname",
        ),
        (b"x" * 70000, am_headers(), 413, "limit"),
        (
            json.dumps(payload(alert())).encode(),
            {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/plain"},
            415,
            "application/json",
        ),
    ]
    for body, headers, code, words in cases:
        r = client.post(URL, content=body, headers=headers)
        assert r.status_code == code, (code, r.text)
        assert words in r.json()["detail"]
    assert store.count("alerts") == 0


def test_repeats_join_one_incident_and_it_resolves_with_its_last_alert(make_client: Any) -> None:
    client, store, _ = make_client(workers=False)
    actions = []
    for n in range(5):  # repeat_interval re-sends and a second pod of the same workload
        r = client.post(
            URL, content=json.dumps(payload(alert(pod_suffix=f"p{n % 2}"))), headers=am_headers()
        )
        assert r.status_code == 202
        actions.append(r.json()["incidents"][0]["action"])
    # the re-sends are acknowledged without a write of their own, and counted within a second
    assert actions == ["created", "joined", "repeated", "repeated", "repeated"]
    assert store.count("alerts") == 2
    items = wait_for(
        lambda: [
            i
            for i in client.get("/api/v1/incidents", headers=am_headers()).json()["items"]
            if i["alert_count"] == 5
        ],
        10,
    )
    assert len(items) == 1
    r = client.post(
        URL,
        content=json.dumps(payload(alert(status="resolved", pod_suffix="p0"))),
        headers=am_headers(),
    )
    assert r.json()["incidents"][0]["action"] == "alert-resolved"  # p1 still fires
    r = client.post(
        URL,
        content=json.dumps(payload(alert(status="resolved", pod_suffix="p1"))),
        headers=am_headers(),
    )
    assert r.json()["incidents"][0]["action"] == "resolved"  # all its alerts resolved
    detail = client.get(f"/api/v1/incidents/{items[0]['id']}", headers=am_headers()).json()
    assert detail["status"] == "resolved"
    assert detail["outcome"] == "resolved on its own"
    # a new firing after resolution is a new incident
    client.post(URL, content=json.dumps(payload(alert())), headers=am_headers())
    assert store.count("incidents") == 2


def test_incident_api_404_and_metrics(make_client: Any) -> None:
    client, _, _ = make_client(workers=False)
    assert client.get("/api/v1/incidents/nope", headers=am_headers()).status_code == 404
    client.post(URL, content=json.dumps(payload(alert())), headers=am_headers())
    text = client.get("/metrics").text
    assert 'drkube_alerts_received_total{status="firing"} 1.0' in text
    assert 'drkube_incidents{status="queued"} 1.0' in text
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/docs").status_code == 200


def test_github_signature_required(make_client: Any) -> None:
    client, _, _ = make_client(workers=False)
    raw, headers = signed("ping", {"zen": "Keep it logically awesome.", "hook_id": 1})
    assert client.post("/webhooks/github", content=raw, headers=headers).status_code == 200
    bad = {**headers, "X-Hub-Signature-256": "sha256=" + "0" * 64}
    assert client.post("/webhooks/github", content=raw, headers=bad).status_code == 401
    del headers["X-Hub-Signature-256"]
    assert client.post("/webhooks/github", content=raw, headers=headers).status_code == 401
