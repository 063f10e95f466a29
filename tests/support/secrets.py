"""Planted secrets: an alert and a cluster dump that carry them, and where to look for them after.

Each secret is planted where issue 14 found one leaking: alert labels and annotations, a literal env
value under an innocuous name (`STRIPE_KEY=sk_live_…`, an opaque `PAYMENTS_BLOB`), and the base64
form of a secret in a log line. `CANARY` is no secret: a label value that the checkpoint database
must not hold in plain text either, which only encryption achieves.
"""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path
from typing import Any

from tests.support.paths import SAMPLE_CLUSTER

POD = "frontend-7d9c8b6f5b-x2x9k"
STRIPE = "sk_live_51PlantedStripeKey0x9bQK4mYc2VdT8f"
BLOB = "Zk3j9aL0qPw7TnE2xR"  # an opaque literal env value under an innocuous name
B64_PASSWORD = "PlantedB64Passw0rd"
B64_LINE = base64.b64encode(f"password={B64_PASSWORD}".encode()).decode()
LABEL_TOKEN = "PlantedLabelTok9x"
URL_PASSWORD = "PlantedUrlPassw0rd"
BEARER = "PlantedBearerTok12345"
GITHUB_TOKEN = "ghp_" + "PlantedGithubToken" + "x" * 18
CANARY = "canaryplaintext42"
# Every planted secret, by where it was planted.
PLANTED = {
    "label api_token": LABEL_TOKEN,
    "label dsn (url password)": URL_PASSWORD,
    "annotation description (bearer)": BEARER,
    "annotation runbook (github token)": GITHUB_TOKEN,
    "env STRIPE_KEY literal (sk_live_)": STRIPE,
    "env PAYMENTS_BLOB literal (opaque)": BLOB,
    "log line base64 of a password": B64_PASSWORD,
    "log line base64 run itself": B64_LINE,
}


def planted_alert() -> dict[str, Any]:
    """A firing OOM alert about the sample frontend pod, secrets in its labels and annotations."""
    return {
        "status": "firing",
        "labels": {
            "alertname": "ContainerOOMKilled",
            "namespace": "online-boutique",
            "deployment": "frontend",
            "pod": POD,
            "container": "server",
            "reason": "OOMKilled",
            "severity": "warning",
            "api_token": LABEL_TOKEN,
            "dsn": f"postgres://admin:{URL_PASSWORD}@db:5432/shop",
            "canary": CANARY,
        },
        "annotations": {
            "summary": "frontend was OOMKilled",
            "description": f"probe answered 401 with Authorization: Bearer {BEARER}",
            "runbook": f"see the runbook, token {GITHUB_TOKEN}",
        },
        "startsAt": "2026-11-24T21:00:00Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus/graph",
        "fingerprint": "5ec7e75ec7e75ec7",
    }


def planted_dump(target: Path) -> Path:
    """The sample dump, its frontend pod given literal env secrets that its log prints."""
    shutil.copytree(SAMPLE_CLUSTER, target)
    for name in ("pods.json", "deployments.json"):
        path = target / "online-boutique" / name
        doc = json.loads(path.read_text())
        for item in doc["items"]:
            if item["metadata"]["name"] not in (POD, "frontend"):
                continue
            spec = item["spec"] if name == "pods.json" else item["spec"]["template"]["spec"]
            spec["containers"][0].setdefault("env", []).extend(
                [{"name": "STRIPE_KEY", "value": STRIPE}, {"name": "PAYMENTS_BLOB", "value": BLOB}]
            )
        path.write_text(json.dumps(doc))
    # heap errors: the OOM analyzer quotes such lines as evidence (result, text output, PR body)
    pod = target / "online-boutique" / POD
    lines = [
        f"fatal error: runtime: out of memory while caching STRIPE_KEY={STRIPE}",
        f"fatal error: runtime: out of memory decoding payments blob {BLOB} of {B64_LINE}",
    ]
    for log in (pod / "logs.txt", pod / "server" / "logs.previous.txt"):
        log.write_text(log.read_text() + "\n".join(lines) + "\n")
    return target


def found_in(data: bytes | str) -> dict[str, str]:
    """The planted secrets `data` holds (by where they were planted)."""
    raw = data if isinstance(data, bytes) else data.encode()
    return {where: s for where, s in PLANTED.items() if s.encode() in raw}


def files_bytes(folder: Path, pattern: str = "*") -> bytes:
    """Every file under `folder` matching `pattern`, concatenated (SQLite files, WAL included)."""
    return b"".join(p.read_bytes() for p in sorted(folder.rglob(pattern)) if p.is_file())
