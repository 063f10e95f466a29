"""Redaction: one planted secret of each kind, the structured form, and stable placeholders."""

from __future__ import annotations

import pytest

from dr_kube.redact import looks_secret_name, placeholder, redact, redact_data

CASES = [
    (
        "private-key",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEsecretKEYbody\n-----END RSA PRIVATE KEY-----",
        "MIIEsecretKEYbody",
    ),
    (
        "jwt",
        "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4eXoifQ.c2lnbmF0dXJlMTIz seen",
        "eyJzdWIiOiJ4eXoifQ",
    ),
    ("aws-key", "using AKIAABCDEFGHIJKLMNOP for s3", "AKIAABCDEFGHIJKLMNOP"),
    (
        "gcp-key",
        "key AIzaSyA1234567890abcdefghijklmnopqrstuv loaded",
        "AIzaSyA1234567890abcdefghijklmnopqrstuv",
    ),
    (
        "github-token",
        "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    ),
    ("slack-token", "xoxb-1234567890-abcdefghij", "xoxb-1234567890-abcdefghij"),
    ("bearer", "Authorization: Bearer abc.def-ghi_jkl012345", "abc.def-ghi_jkl012345"),
    ("basic-auth", "Authorization: Basic dXNlcjpodW50ZXIy", "dXNlcjpodW50ZXIy"),
    ("url-password", "dsn postgres://app:hunter2pw@db:5432/shop", "hunter2pw"),
    ("url-password", "redis://:redispass99@redis-cart:6379", "redispass99"),
    ("secret-assignment", "DB_PASSWORD=s3cr3tvalue started", "s3cr3tvalue"),
    ("secret-assignment", '{"client_secret": "abcd-efgh-ijkl"}', "abcd-efgh-ijkl"),
    ("secret-assignment", "Server=db;User Id=sa;Pwd=ConnPw42;", "ConnPw42"),
    (
        "azure-key",
        "AccountName=x;AccountKey=QWxhZGRpbjpvcGVuIHNlc2FtZQ0123456==",
        "QWxhZGRpbjpvcGVuIHNlc2FtZQ0123456==",
    ),
    (
        "k8s-secret",
        '{"apiVersion":"v1","kind":"Secret","data":{"tls.key":"c2VjcmV0a2V5"}}',
        "c2VjcmV0a2V5",
    ),
    (
        "k8s-secret",
        r'{"msg":"got {\"kind\":\"Secret\",\"data\":{\"ca\":\"Y2FjZXJ0\"}}"}',
        "Y2FjZXJ0",
    ),
]


@pytest.mark.parametrize(
    ("kind", "text", "secret"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_each_kind_of_secret_is_masked(kind: str, text: str, secret: str) -> None:
    masked = redact(text)
    assert secret not in masked
    assert f"[REDACTED:{kind}:" in masked


def test_known_secret_values_are_masked_wherever_they_appear() -> None:
    masked = redact("loaded session key tr0ub4dor&3 ok", ["tr0ub4dor&3"])
    assert "tr0ub4dor&3" not in masked and placeholder("secret", "tr0ub4dor&3") in masked


def test_placeholders_are_stable_and_not_masked_twice() -> None:
    text = "postgres://app:hunter2pw@db/x and again postgres://app:hunter2pw@db/x"
    once = redact(text)
    assert redact(once) == once
    assert once.count(placeholder("url-password", "hunter2pw")) == 2


def test_ordinary_text_is_left_alone() -> None:
    text = (
        'container server OOMKilled, limits memory=128Mi, "severity":"info" image frontend:v0.10.2'
    )
    assert redact(text) == text


def test_structured_values_mask_secret_keys_env_entries_and_secret_objects() -> None:
    data = {
        "frontend": {
            "env": [
                {"name": "DATABASE_PASSWORD", "value": "envpw-123"},
                {"name": "PORT", "value": "8080"},
            ],
            "apiToken": "tok-98765",
            "auth": {"enabled": True},
            "resources": {"limits": {"memory": "128Mi"}},
            "note": "dsn postgres://u:inlinepw1@db/x",
        },
        "secret": {"kind": "Secret", "data": {"anything": "YWJj"}},
    }
    masked = redact_data(data)
    text = repr(masked)
    for secret in ("envpw-123", "tok-98765", "inlinepw1", "YWJj"):
        assert secret not in text
    assert masked["frontend"]["env"][1]["value"] == "8080"
    assert masked["frontend"]["auth"] == {"enabled": True}
    assert masked["frontend"]["resources"]["limits"]["memory"] == "128Mi"
    assert data["frontend"]["apiToken"] == "tok-98765"  # a copy: the input is untouched


@pytest.mark.parametrize(
    "name", ["DB_PASSWORD", "api_key", "GITHUB_TOKEN", "clientSecret", "SENTRY_DSN"]
)
def test_secret_names(name: str) -> None:
    assert looks_secret_name(name)


@pytest.mark.parametrize("name", ["PORT", "CART_SERVICE_ADDR", "memory", "replicaCount"])
def test_ordinary_names(name: str) -> None:
    assert not looks_secret_name(name)
