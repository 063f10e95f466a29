"""Issue 14 over the webhook, against a real `dr-kube serve` process: a legacy alert naming a values
file outside the repository, a protected namespace spelled around, a name that climbs out of the
dump and an `exploded` status are each a 422 naming the field; nothing outside the repository
changes, and the worker still acts on the good alert sent after them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.hostile import Outside
from tests.support.paths import SAMPLES
from tests.support.repos import git
from tests.support.service import Serve, alert, am_headers, branches, payload, wait_for

pytestmark = pytest.mark.slow


def legacy(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / "sample_oom.json").read_text())
    return {**data, **fields}


def with_labels(**labels: str) -> dict[str, Any]:
    one = alert("frontend")
    one["labels"].update(labels)
    return payload(one)


def test_hostile_alerts_get_a_422_naming_the_field_and_change_nothing_outside(
    tmp_path: Path, gitops_with_origin: tuple[Path, Path]
) -> None:
    clone, origin = gitops_with_origin
    outside = Outside(tmp_path / "outside")
    serve = Serve(clone, tmp_path / "db" / "dr-kube.db").start()
    hook = f"{serve.url}/webhooks/alertmanager"
    try:
        hostile = [
            (legacy(values_file=str(outside.file)), ["values_file", "relative"]),
            (legacy(values_file="../outside/outside.yaml"), ["values_file", "'..'"]),
            (legacy(namespace="../../x"), ["namespace", "'../../x'"]),
            (with_labels(namespace="kube-system/"), ["label namespace", "'kube-system/'"]),
            (with_labels(namespace="./kube-system"), ["label namespace", "DNS-1123"]),
            (with_labels(namespace="kube-system/."), ["label namespace", "DNS-1123"]),
            (with_labels(pod="../../etc"), ["label pod", "DNS-1123 subdomain"]),
            ({**payload(alert("frontend")), "status": "exploded"}, ["status", "'firing'"]),
            (payload({**alert("frontend"), "status": "exploded"}), ["alerts.0.status"]),
        ]
        for body, words in hostile:
            r = httpx.post(hook, content=json.dumps(body), headers=am_headers(), timeout=10)
            assert r.status_code == 422, (r.status_code, r.text)
            detail = r.json()["detail"]
            assert all(w in detail for w in words), detail
        assert serve.incidents() == []  # none of them was stored
        # the service is alive and acts on a good alert: the barrier for "nothing else happened"
        good = httpx.post(
            hook, content=json.dumps(payload(alert("frontend"))), headers=am_headers(), timeout=10
        )
        assert good.status_code == 202, good.text
        wait_for(lambda: branches(origin) == ["dr-kube/online-boutique/frontend/oom"], 60)
        wait_for(lambda: [i for i in serve.incidents() if i["status"] != "queued"], 60)
    finally:
        serve.stop()
    assert outside.changed() == []
    assert branches(origin) == ["dr-kube/online-boutique/frontend/oom"]


def test_an_application_pointing_outside_fails_the_incident_with_the_reason(
    tmp_path: Path, gitops_with_origin: tuple[Path, Path]
) -> None:
    clone, origin = gitops_with_origin
    outside = Outside(tmp_path / "outside")
    app = clone / "applications" / "online-boutique.yaml"
    app.write_text(
        app.read_text().replace("$values/values/online-boutique.yaml", f"$values/{outside.file}")
    )
    git(clone, "commit", "--quiet", "-am", "valueFiles by absolute path")
    git(clone, "push", "--quiet", "origin", "HEAD:main")
    serve = Serve(clone, tmp_path / "db" / "dr-kube.db").start()
    try:
        r = httpx.post(
            f"{serve.url}/webhooks/alertmanager",
            content=json.dumps(payload(alert("frontend"))),
            headers=am_headers(),
            timeout=10,
        )
        assert r.status_code == 202, r.text
        (failed,) = wait_for(lambda: [i for i in serve.incidents() if i["status"] == "failed"], 60)
        detail = httpx.get(
            f"{serve.url}/api/v1/incidents/{failed['id']}", headers=am_headers(), timeout=10
        ).json()
        assert "PathEscapeError" in detail["error"] and "absolute path" in detail["error"]
    finally:
        serve.stop()
    assert outside.changed() == []
    assert branches(origin) == []
