"""Secrets planted in an alert and in the cluster reach nothing a real `dr-kube serve` keeps or
sends: the store and checkpoint files, the incident API, the PR on the (fake) GitHub, the log."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer

from tests.support.repos import git
from tests.support.secrets import (
    CANARY,
    PLANTED,
    files_bytes,
    found_in,
    planted_alert,
    planted_dump,
)
from tests.support.service import (
    CHECKPOINT_KEY,
    TOKEN,
    Serve,
    ServiceGitHub,
    am_headers,
    payload,
    wait_for,
)

pytestmark = pytest.mark.slow
# where a run stops: its PR open (awaiting review), or its branch pushed with PRs off
SETTLED = ("awaiting-review", "pushed")


def test_planted_secrets_are_found_nowhere_serve_keeps_or_sends(
    tmp_path: Path, gitops_with_origin: tuple[Path, Path], httpserver: HTTPServer
) -> None:
    clone, origin = gitops_with_origin
    dump = planted_dump(tmp_path / "dump")
    fake = ServiceGitHub(httpserver)
    httpserver.expect_request(re.compile(r"^/.*")).respond_with_handler(fake.handle)
    env = {"GITHUB_TOKEN": "test-token", "DRKUBE_GITHUB_API_URL": fake.api}
    args = ["--github-repo", "acme/gitops", "--cluster", str(dump)]
    db_dir = tmp_path / "db"
    serve = Serve(clone, db_dir / "dr-kube.db", env=env, args=args).start()
    try:
        r = httpx.post(
            f"{serve.url}/webhooks/alertmanager",
            content=json.dumps(payload(planted_alert())),
            headers=am_headers(),
        )
        assert r.status_code == 202, r.text
        items = wait_for(
            lambda: [i for i in serve.incidents() if i["status"] == "awaiting-review"], 60
        )
        auth = {"Authorization": f"Bearer {TOKEN}"}
        detail = httpx.get(f"{serve.url}/api/v1/incidents/{items[0]['id']}", headers=auth).text
        listing = httpx.get(f"{serve.url}/api/v1/incidents", headers=auth).text
        audit = httpx.get(f"{serve.url}/api/v1/audit", headers=auth)
    finally:
        serve.stop()
    assert len(fake.pulls) == 1, "the run opened its PR"
    outputs = {
        "store and checkpoint files": files_bytes(db_dir, "*.db*"),
        "incident API": (detail + listing + audit.text).encode(),
        "GitHub requests (PR body, comments)": json.dumps(fake.requests).encode(),
        "pushed branch": git(origin, "log", "-p", "--all").encode(),
        "server log": serve.log.read_bytes() if serve.log else b"",
    }
    found = {name: found_in(data) for name, data in outputs.items()}
    assert found == {name: {} for name in outputs}, f"planted {len(PLANTED)}, found: {found}"
    assert "[REDACTED:" in detail, "the planted labels are in the answer, masked"


def test_the_checkpoint_database_holds_no_plain_text(
    tmp_path: Path, gitops_with_origin: tuple[Path, Path]
) -> None:
    clone, _ = gitops_with_origin
    dump = planted_dump(tmp_path / "dump")
    db = tmp_path / "db" / "dr-kube.db"
    serve = Serve(clone, db, args=["--cluster", str(dump)]).start()
    try:
        r = httpx.post(
            f"{serve.url}/webhooks/alertmanager",
            content=json.dumps(payload(planted_alert())),
            headers=am_headers(),
        )
        assert r.status_code == 202
        wait_for(lambda: [i for i in serve.incidents() if i["status"] in SETTLED], 60)
    finally:
        serve.stop()
    checkpoints = db.with_name("dr-kube-checkpoints.db")
    with sqlite3.connect(checkpoints) as conn:
        rows = conn.execute("SELECT type, checkpoint FROM checkpoints").fetchall()
        writes = conn.execute("SELECT type, value FROM writes").fetchall()
    assert rows, "the paused run left checkpoints"
    assert all(t.endswith("+aes") for t, _ in rows + writes), "every blob is encrypted"
    raw = files_bytes(checkpoints.parent, checkpoints.name + "*")
    # not even what is no secret: the canary label, the alert's name, the workload's namespace
    for plain in (CANARY, "ContainerOOMKilled", "online-boutique", "frontend was OOMKilled"):
        assert plain.encode() not in raw, plain
    assert found_in(raw) == {}


def test_a_wrong_checkpoint_key_fails_at_start_and_the_old_key_list_reads_on(
    tmp_path: Path, gitops_with_origin: tuple[Path, Path]
) -> None:
    clone, _ = gitops_with_origin
    db = tmp_path / "db" / "dr-kube.db"
    serve = Serve(clone, db).start()
    try:
        r = httpx.post(
            f"{serve.url}/webhooks/alertmanager",
            content=json.dumps(payload(planted_alert())),
            headers=am_headers(),
        )
        assert r.status_code == 202
        wait_for(lambda: [i for i in serve.incidents() if i["status"] in SETTLED], 60)
    finally:
        serve.stop()
    other = "b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktMzI="  # base64 of 32 other bytes
    wrong = Serve(clone, db, env={"DRKUBE_CHECKPOINT_KEY": other})
    with pytest.raises(AssertionError, match="dr-kube serve exited") as failed:
        wrong.start()
    message = str(failed.value)
    assert "cannot be decrypted with DRKUBE_CHECKPOINT_KEY or DRKUBE_CHECKPOINT_OLD_KEYS" in message
    assert "Traceback" not in message and other not in message
    # rotation: the new key writes, the old one still reads what it wrote
    rotated = Serve(
        clone,
        db,
        env={"DRKUBE_CHECKPOINT_KEY": other, "DRKUBE_CHECKPOINT_OLD_KEYS": CHECKPOINT_KEY},
    ).start()
    rotated.stop()
    without = Serve(clone, db, env={"DRKUBE_CHECKPOINT_KEY": ""}, args=["--insecure-no-encryption"])
    with pytest.raises(AssertionError, match=r"encrypted .* but DRKUBE_CHECKPOINT_KEY is not set"):
        without.start()


def test_postgres_checkpoints_hold_no_plain_text_either(
    tmp_path: Path, gitops_with_origin: tuple[Path, Path], postgres_url: str
) -> None:
    import psycopg

    clone, _ = gitops_with_origin
    dump = planted_dump(tmp_path / "dump")
    env = {"DRKUBE_DATABASE_URL": postgres_url}
    serve = Serve(clone, tmp_path / "db" / "unused.db", env=env, args=["--cluster", str(dump)])
    serve.start()
    try:
        r = httpx.post(
            f"{serve.url}/webhooks/alertmanager",
            content=json.dumps(payload(planted_alert())),
            headers=am_headers(),
        )
        assert r.status_code == 202
        wait_for(lambda: [i for i in serve.incidents() if i["status"] in SETTLED], 60)
    finally:
        serve.stop()
    with psycopg.connect(postgres_url) as conn:
        checkpoints = conn.execute("SELECT checkpoint::text, metadata::text FROM checkpoints")
        text = "".join(a + b for a, b in checkpoints.fetchall())
        blobs = conn.execute("SELECT type, blob FROM checkpoint_blobs").fetchall()
        writes = conn.execute("SELECT type, blob FROM checkpoint_writes").fetchall()
        store = conn.execute("SELECT incident, labels FROM incidents JOIN alerts ON true")
        stored = "".join(str(row) for row in store.fetchall())
    assert blobs and all(t.endswith("+aes") or t == "empty" for t, _ in blobs + writes)
    raw = text.encode() + b"".join(bytes(b or b"") for _, b in blobs + writes)
    # the values file's text is a plain string in the state: sealed and encrypted too
    for plain in (CANARY, "ContainerOOMKilled", "frontend was OOMKilled", "limits:"):
        assert plain.encode() not in raw, plain
    assert found_in(raw) == {} and found_in(stored) == {}
    assert CANARY in stored, "the store itself is masked, not encrypted"
