"""Request authentication: bearer or basic for Alertmanager and the API, HMAC for GitHub."""

from __future__ import annotations

import base64
import hashlib
import hmac

from dr_kube.config.service import Settings


def bearer_or_basic_ok(settings: Settings, authorization: str | None) -> bool:
    if settings.insecure_no_auth:
        return True
    if not authorization:
        return False
    scheme, _, credentials = authorization.strip().partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer" and settings.alertmanager_token is not None:
        expected = settings.alertmanager_token.get_secret_value().encode()
        return hmac.compare_digest(credentials.encode(), expected)
    if (
        scheme.lower() == "basic"
        and settings.basic_user is not None
        and settings.basic_password is not None
    ):
        try:
            decoded = base64.b64decode(credentials, validate=True)
        except ValueError:
            return False
        expected = f"{settings.basic_user}:{settings.basic_password.get_secret_value()}".encode()
        return hmac.compare_digest(decoded, expected)
    return False


def github_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def github_signature_ok(settings: Settings, body: bytes, signature: str | None) -> bool:
    if settings.github_secret is None:
        return settings.insecure_no_auth
    if not signature:
        return False
    expected = github_signature(settings.github_secret.get_secret_value(), body)
    return hmac.compare_digest(signature.strip().encode(), expected.encode())
