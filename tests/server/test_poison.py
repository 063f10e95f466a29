"""Poison bodies against a real `dr-kube serve`: every malformed body is a 4xx naming the problem,
never a 5xx (Alertmanager retries those forever), and a delivery's good alerts are stored while its
bad ones are named in the reply."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.paths import SAMPLE_CLUSTER
from tests.support.repos import git, init_gitops_repo
from tests.support.service import (
    SECRET,
    TOKEN,
    Serve,
    alert,
    am_headers,
    payload,
    wait_for,
)

pytestmark = pytest.mark.slow

MAX_ALERTS = 50
DEEP = 50_000


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serve]:
    tmp = tmp_path_factory.mktemp("poison")
    server = Serve(
        init_gitops_repo(tmp / "gitops"),
        tmp / "db" / "dr-kube.db",
        env={"DRKUBE_INTAKE_ONLY": "1", "DRKUBE_MAX_ALERTS": str(MAX_ALERTS)},
    ).start()
    yield server
    server.stop()


def post(serve: Serve, body: bytes, path: str = "/webhooks/alertmanager", **headers: str) -> Any:
    return httpx.post(
        f"{serve.url}{path}", content=body, headers={**am_headers(), **headers}, timeout=60
    )


def with_label(value_json: str, workload: str = "frontend") -> bytes:
    """A one-alert delivery whose label `x` holds `value_json` verbatim (raw JSON text)."""
    one = alert(workload)
    one["labels"]["x"] = "@@X@@"
    return json.dumps(payload(one)).replace('"@@X@@"', value_json).encode()


def keys(serve: Serve) -> set[str]:
    return {i["key"] for i in serve.incidents()}


POISON: dict[str, tuple[bytes, int, str]] = {
    "object nested 50,000 deep": (
        b'{"a":' * DEEP + b"1" + b"}" * DEEP,
        400,
        "DRKUBE_MAX_JSON_DEPTH",
    ),
    "array nested 50,000 deep": (b"[" * DEEP + b"]" * DEEP, 400, "DRKUBE_MAX_JSON_DEPTH"),
    "deep nesting inside an alert": (
        with_label("[" * DEEP + "]" * DEEP),
        400,
        "DRKUBE_MAX_JSON_DEPTH",
    ),
    "100,000-digit number": (
        with_label("1" * 100_000),
        400,
        "DRKUBE_MAX_JSON_NUMBER_CHARS",
    ),
    "100,000-digit float": (
        with_label("1." + "5" * 100_000),
        400,
        "DRKUBE_MAX_JSON_NUMBER_CHARS",
    ),
    "number out of range": (with_label("1e999"), 400, "out of range"),
    "NaN": (with_label("NaN"), 400, "NaN"),
    "lone surrogate in a label": (with_label('"\\ud800"'), 422, "surrogate"),
    "lone low surrogate in a label": (with_label('"a\\udc00b"'), 422, "surrogate"),
    "NUL in a label": (with_label('"a\\u0000b"'), 422, "NUL character"),
    "not UTF-8": (b'{"version": "4", "alerts": ["\xff\xfe"]}', 400, "not UTF-8"),
    "truncated": (json.dumps(payload(alert()))[:-7].encode(), 400, "not valid JSON"),
    "alerts not a list": (b'{"version": "4", "alerts": {"a": 1}}', 422, "alerts"),
    "alert not an object": (b'{"version": "4", "alerts": [5]}', 422, "alerts.0"),
    "label not a string": (with_label("[1, 2]"), 422, "alerts.0.labels.x"),
}


@pytest.mark.parametrize("name", list(POISON))
def test_a_poison_body_is_a_4xx_naming_the_problem_and_stores_nothing(
    serve: Serve, name: str
) -> None:
    body, code, words = POISON[name]
    before = keys(serve)
    r = post(serve, body)
    assert r.status_code == code, (name, r.status_code, r.text[:300])
    assert words in r.json()["detail"], r.text[:300]
    assert "\n" not in r.json()["detail"]
    assert keys(serve) == before


def test_the_other_endpoints_refuse_poison_with_a_4xx_too(serve: Serve) -> None:
    deep = b'{"a":' * DEEP + b"1" + b"}" * DEEP
    surrogate = b'{"app": "\\ud800", "revision": "abc"}'
    for body in (deep, surrogate, b'{"n": ' + b"9" * 100_000 + b"}"):
        r = post(serve, body, "/webhooks/argocd")
        assert 400 <= r.status_code < 500, r.text[:300]
        r = post(serve, body, "/mcp", Accept="application/json, text/event-stream")
        assert 400 <= r.status_code < 500, r.text[:300]
        signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        r = post(
            serve,
            body,
            "/webhooks/github",
            **{"X-GitHub-Event": "issue_comment", "X-Hub-Signature-256": signature},
        )
        assert r.status_code == 400, r.text[:300]


def test_good_alerts_are_stored_and_bad_ones_named_in_the_reply(serve: Serve) -> None:
    surrogate = alert("cartservice")
    surrogate["labels"]["x"] = "@@X@@"
    no_name = alert("emailservice")
    del no_name["labels"]["alertname"]
    int_label = alert("paymentservice")
    int_label["labels"]["x"] = 5
    good = [alert("adservice"), alert("shippingservice")]
    body = json.dumps(payload(good[0], surrogate, no_name, 7, int_label, good[1]))
    r = post(serve, body.replace('"@@X@@"', '"\\ud800"').encode())
    assert r.status_code == 202, r.text
    reply = r.json()
    assert reply["accepted"] == 2 and reply["dropped"] == 0
    assert [x["index"] for x in reply["rejected"]] == [1, 2, 3, 4]
    reasons = [x["reason"] for x in reply["rejected"]]
    assert "alerts.1" in reasons[0] and "surrogate" in reasons[0]
    assert "alerts.2" in reasons[1] and "alertname" in reasons[1]
    assert reasons[2].startswith("alerts.3")
    assert reasons[3].startswith("alerts.4.labels.x")
    stored = keys(serve)
    assert {
        "online-boutique/Deployment/adservice/oom",
        "online-boutique/Deployment/shippingservice/oom",
    } <= stored
    assert not any(w in k for k in stored for w in ("cartservice", "emailservice", "payment"))


def test_a_delivery_without_one_good_alert_is_422_and_stores_nothing(serve: Serve) -> None:
    bad = alert("recommendationservice")
    del bad["labels"]["namespace"]
    before = keys(serve)
    r = post(serve, json.dumps(payload(bad, bad)).encode())
    assert r.status_code == 422
    assert "namespace" in r.json()["detail"] and "1 more" in r.json()["detail"]
    assert keys(serve) == before


def test_alerts_beyond_the_limit_are_counted_not_stored(serve: Serve) -> None:
    alerts = [alert("currencyservice", pod_suffix=f"p{n}") for n in range(MAX_ALERTS + 10)]
    r = post(serve, json.dumps(payload(*alerts)).encode())
    assert r.status_code == 202, r.text[:300]
    assert r.json()["accepted"] == MAX_ALERTS and r.json()["dropped"] == 10
    metrics = httpx.get(f"{serve.url}/metrics", timeout=10).text
    assert 'drkube_limit_hits_total{limit="alerts-per-delivery"} 1.0' in metrics
    detail = httpx.get(
        f"{serve.url}/api/v1/incidents",
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    ).json()["items"]
    [currency] = [i for i in detail if "currencyservice" in i["key"]]
    assert currency["alert_count"] == MAX_ALERTS


def test_an_alias_bomb_in_the_values_file_fails_the_incident_with_the_reason(
    tmp_path: Path,
) -> None:
    repo = init_gitops_repo(tmp_path / "gitops")
    anchors = ["a: &a [" + ", ".join(['"lol"'] * 9) + "]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        anchors.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    with (repo / "values" / "online-boutique.yaml").open("a") as handle:
        handle.write("lol:\n" + "".join(f"  {line}\n" for line in anchors))
    git(repo, "commit", "--quiet", "-am", "alias bomb")
    server = Serve(
        repo, tmp_path / "db" / "dr-kube.db", args=["--cluster", str(SAMPLE_CLUSTER)]
    ).start()
    try:
        r = post(server, json.dumps(payload(alert("frontend"))).encode())
        assert r.status_code == 202
        [failed] = wait_for(lambda: [i for i in server.incidents() if i["status"] == "failed"])
        assert "refused, over 1000000 nodes with its aliases expanded" in failed["error"]
        assert "DRKUBE_MAX_YAML_NODES" in failed["error"]
    finally:
        server.stop()


def test_text_postgresql_cannot_store_costs_only_its_alert(
    tmp_path: Path, postgres_url: str
) -> None:
    """A NUL in an alert's fingerprint was a 500 with PostgreSQL (its text takes no NUL)."""
    server = Serve(
        init_gitops_repo(tmp_path / "gitops"),
        tmp_path / "db" / "dr-kube.db",
        env={"DRKUBE_INTAKE_ONLY": "1", "DRKUBE_DATABASE_URL": postgres_url},
    ).start()
    try:
        nul = alert("cartservice")
        nul["fingerprint"] = "ab\u0000cd"
        r = post(server, json.dumps(payload(alert("adservice"), nul)).encode())
        assert r.status_code == 202, r.text[:300]
        assert r.json()["accepted"] == 1
        assert "NUL character" in r.json()["rejected"][0]["reason"]
        r = post(server, json.dumps(payload(nul)).encode())
        assert r.status_code == 422 and "NUL character" in r.json()["detail"]
        assert keys(server) == {"online-boutique/Deployment/adservice/oom"}
    finally:
        server.stop()
