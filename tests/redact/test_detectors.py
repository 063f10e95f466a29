"""The widened detection: detect-secrets' plugins, base64 runs, literal env values."""

from __future__ import annotations

import base64

import pytest

from dr_kube.redact import decode_base64, redact, redact_data
from dr_kube.secret_plugins import SKIPPED, anchors_of, plugin_patterns
from dr_kube.secret_values import clearly_not_secret

STRIPE = "sk_live_51Hx9bQK4mYc2VdT8fZ0aW3eRnJ7uLpSxyz"  # longer than the plugin's 24 characters


@pytest.mark.parametrize(
    "secret",
    [
        STRIPE,
        "rk_live_" + "a1B2c3D4" * 4,
        "SG." + "a" * 22 + "." + "b" * 43,  # SendGrid
        "glpat-" + "x1y2z3" * 4,  # GitLab
        "sq0csp-" + "q" * 43,  # Square
        "AKC" + "p" * 12,  # Artifactory
    ],
)
def test_a_plugin_token_is_masked_whole(secret: str) -> None:
    line = f"loaded {secret} from the environment"
    out = redact(line)
    assert secret not in out and secret[-6:] not in out, out
    assert out.startswith("loaded [REDACTED:") and out.endswith("] from the environment")


def test_every_plugin_but_the_skipped_is_used() -> None:
    kinds = {p.kind for p in plugin_patterns()}
    assert {"stripe-access-key", "sendgrid-api-key", "gitlab-token", "twilio-api-key"} <= kinds
    assert "public-ip-ipv4" not in kinds and "IPPublicDetector" in SKIPPED


def test_most_plugin_regexes_are_tried_only_near_their_literal() -> None:
    stripe = next(p for p in plugin_patterns() if p.kind == "stripe-access-key")
    assert stripe.anchors == ("rk_live_", "sk_live_") and stripe.reach == 0
    unanchored = [p.kind for p in plugin_patterns() if not p.anchors]
    assert len(unanchored) <= 2, unanchored  # AWS' A3T… alternation, Discord's [MNO]…


def test_anchors_are_read_from_the_regex() -> None:
    import re

    assert anchors_of(re.compile(r"(?:\s|=|^)AKC[a-z]{3}")) == (("AKC",), 1)
    assert anchors_of(re.compile(r"(?i)(?:\s|=|^)AKC[a-z]{3}")) == (("akc",), 1)
    assert anchors_of(re.compile(r"[0-9a-z]{32}-us[0-9]")) == (("-us",), 32)
    assert anchors_of(re.compile(r"\d{8}:[a-z]{35}")) == ((), 0)


def test_a_base64_secret_is_masked_and_plain_base64_is_not() -> None:
    hidden = base64.b64encode(STRIPE.encode()).decode()
    assignment = base64.b64encode(b"password=hunter2hunter2").decode()
    harmless = base64.b64encode(b"just a configuration checksum").decode()
    out = redact(f"a={hidden} b={assignment} c={harmless}")
    assert hidden not in out and assignment not in out
    assert out.count("[REDACTED:base64:") == 2 and harmless in out
    known = base64.urlsafe_b64encode(b"value Zk3j9aL0qPw7TnE2xR!").decode()
    assert known not in redact(f"blob {known}", ["Zk3j9aL0qPw7TnE2xR"])


@pytest.mark.parametrize(
    "text",
    [
        "checkoutservice-7d9c5b8f6-x2x9z",
        "sha256:" + "ab12" * 16,
        "/api/v1/products/OLJCESPC7Z/reviews",
        "4bf92f3577b34da6a3ce929d0e0e4736",
    ],
)
def test_names_digests_and_paths_are_left_alone(text: str) -> None:
    assert redact(f"saw {text} here") == f"saw {text} here"
    assert decode_base64(text.split(":")[-1]) is None


@pytest.mark.parametrize(
    "value",
    [
        "8080",
        "1.5",
        "512Mi",
        "30s",
        "true",
        "OFF",
        "info",
        "us-east-1",
        "PRODUCTION",
        "redis-master",
        "cartservice:7070",
        "redis.default.svc.cluster.local",
        "10.0.0.12:6379",
        "http://productcatalogservice:3550/v1",
        "/var/run/app.sock",
        "-Xmx512m -XX:+UseG1GC",
        "",
    ],
)
def test_clearly_not_secret(value: str) -> None:
    assert clearly_not_secret(value)


@pytest.mark.parametrize(
    "value",
    [
        STRIPE,
        "Zk3j9aL0qPw7TnE2xR",
        "s3cr3t",
        "hunter2",
        "https://user:pw@db/x",
        "https://api.example.com/v1?key=abc123",
        "dGhpcyBpcyBzZWNyZXQ=",
    ],
)
def test_a_literal_env_value_is_secret_unless_clearly_not(value: str) -> None:
    assert not clearly_not_secret(value)


def test_env_entries_are_masked_by_value_whatever_their_name() -> None:
    env = [
        {"name": "STRIPE_KEY", "value": STRIPE},
        {"name": "PAYMENTS_BLOB", "value": "Zk3j9aL0qPw7TnE2xR"},
        {"name": "PORT", "value": "8080"},
        {"name": "LOG_LEVEL", "value": "info"},
    ]
    out = redact_data({"env": env})["env"]
    assert [e["value"].startswith("[REDACTED:") for e in out] == [True, True, False, False]
    yaml_diff = "   env:\n-    - name: PAYMENTS_BLOB\n-      value: Zk3j9aL0qPw7TnE2xR\n"
    assert "Zk3j9aL0qPw7TnE2xR" not in redact(yaml_diff)
    as_json = '{"name":"PAYMENTS_BLOB","value":"Zk3j9aL0qPw7TnE2xR"},{"name":"PORT","value":"80"}'
    assert redact(as_json).endswith('{"name":"PORT","value":"80"}')
    assert "Zk3j9aL0qPw7TnE2xR" not in redact(as_json)
