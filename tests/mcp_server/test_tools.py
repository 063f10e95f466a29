"""The tools' redaction: every secret DR-Kube is configured with, in every string of a result."""

from __future__ import annotations

import pytest

from dr_kube.mcp.models import AuditTrail
from dr_kube.mcp.tools import scrub
from dr_kube.mcp.wiring import configured_secrets
from dr_kube.store.audit import AuditRecord


def test_the_configured_secrets_include_nested_sections(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRKUBE_ALERTMANAGER_TOKEN", "am-secret-1234")
    monkeypatch.setenv("GITHUB_TOKEN", "gh-secret-5678")
    monkeypatch.setenv("DRKUBE_SLACK_BOT_TOKEN", "slack-secret-9012")  # OperatorSettings, nested
    assert set(configured_secrets()) >= {"am-secret-1234", "gh-secret-5678", "slack-secret-9012"}


def test_scrub_masks_every_string_and_keeps_the_types() -> None:
    record = AuditRecord(
        seq=7,
        ts=1.5,
        incident_id="inc-1",
        kind="note",
        actor="alice",
        message="pasted am-secret-1234 by mistake",
        data={
            "lines": ["still am-secret-1234"],
            "tokens_in": 12,
            "nested": {"k": "am-secret-1234"},
        },
        prev_hash="0" * 64,
        hash="f" * 64,
    )
    masked = scrub(AuditTrail(items=[record], next_after=None), ("am-secret-1234",))
    (item,) = masked.items
    assert "am-secret-1234" not in masked.model_dump_json()
    assert item.message.startswith("pasted [REDACTED:secret:")
    assert item.data["tokens_in"] == 12 and item.seq == 7  # numbers stay numbers
    placeholder = item.message.split()[1]  # one secret, one placeholder, wherever it is
    assert (
        item.data["lines"] == [f"still {placeholder}"] and item.data["nested"]["k"] == placeholder
    )
