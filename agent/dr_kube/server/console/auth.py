"""Who is looking at the console: a user named by a trusted proxy's header, or a signed session.

Sessions are cookies signed with HMAC-SHA256 (`DRKUBE_CONSOLE_SECRET`); each carries a random
nonce, and the session's CSRF token is the HMAC of that nonce. A user named by the proxy has no
cookie: their CSRF token is the HMAC of their name. Every action also checks that the request's
Origin (or Referer) is this host.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from fastapi import Request

from dr_kube.config.console import ConsoleSettings
from dr_kube.config.service import Settings

COOKIE = "drkube_session"
FAILURES, FAILURE_WINDOW = 10, 300.0  # wrong sign-ins from one address before a pause
Via = Literal["proxy", "token", "password", "insecure"]
MAX_NAME = 200


@dataclass(frozen=True)
class User:
    name: str
    via: Via
    nonce: str
    can_act: bool


class Sessions:
    def __init__(self, console: ConsoleSettings) -> None:
        secret = console.secret.get_secret_value().encode() if console.secret else None
        self.key = secret or secrets.token_bytes(32)
        self.lifetime = console.session_hours * 3600

    def _sign(self, data: bytes) -> str:
        return hmac.new(self.key, data, hashlib.sha256).hexdigest()

    def issue(self, name: str, via: Via) -> str:
        body = {
            "u": name,
            "v": via,
            "n": secrets.token_urlsafe(16),
            "e": time.time() + self.lifetime,
        }
        raw = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=")
        return f"{raw.decode()}.{self._sign(raw)}"

    def read(self, cookie: str | None) -> dict[str, str] | None:
        """The session's fields when the cookie is ours, unaltered and not expired."""
        if not cookie or "." not in cookie or len(cookie) > 4096:
            return None
        raw, _, signature = cookie.rpartition(".")
        if not hmac.compare_digest(signature.encode(), self._sign(raw.encode()).encode()):
            return None
        try:
            body = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        except ValueError:
            return None
        if not isinstance(body, dict) or float(body.get("e", 0)) < time.time():
            return None
        return {"u": str(body["u"]), "v": str(body["v"]), "n": str(body["n"])}

    def csrf(self, nonce: str) -> str:
        return self._sign(f"csrf:{nonce}".encode())


class Gate:
    """Sign-in, identity, permission and CSRF for the console's routes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.console = settings.console
        self.sessions = Sessions(settings.console)
        self.proxies = [ipaddress.ip_network(p, strict=False) for p in self.console.trusted_proxies]
        self._failed: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, peer: str, now: float) -> deque[float]:
        seen = self._failed.setdefault(peer, deque())
        while seen and seen[0] < now - FAILURE_WINDOW:
            seen.popleft()
        return seen

    def throttled(self, request: Request) -> bool:
        """Whether this address failed to sign in FAILURES times in the last FAILURE_WINDOW s."""
        peer = request.client.host if request.client else ""
        with self._lock:
            return len(self._recent(peer, time.monotonic())) >= FAILURES

    def failed(self, request: Request) -> None:
        peer = request.client.host if request.client else ""
        with self._lock:
            if len(self._failed) > 10_000:  # many addresses: forget the oldest
                self._failed.pop(next(iter(self._failed)))
            self._recent(peer, time.monotonic()).append(time.monotonic())

    def from_proxy(self, request: Request) -> bool:
        """Whether the peer (the TCP connection's address) is a configured proxy."""
        host = request.client.host if request.client else ""
        try:
            peer = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(peer in net for net in self.proxies)

    def user(self, request: Request) -> User | None:
        if self.proxies and self.from_proxy(request):
            name = (request.headers.get(self.console.user_header) or "").strip()
            if name and len(name) <= MAX_NAME and name.isprintable():
                return User(name, "proxy", f"proxy:{name}", self.may_act(name))
        session = self.sessions.read(request.cookies.get(COOKIE))
        if session is not None:
            via: Via = "password" if session["v"] == "password" else "token"
            return User(session["u"], via, session["n"], self.may_act(session["u"]))
        if self.settings.insecure_no_auth:
            return User("anonymous", "insecure", "insecure", False)
        return None

    def may_act(self, name: str) -> bool:
        return name.lower() in self.console.approvers

    def sign_in(self, name: str, secret: str) -> User | None:
        """The API token (no name: the user is `token`) or the basic user and password."""
        s = self.settings
        if not name:
            if s.alertmanager_token is None or not secret:
                return None
            if hmac.compare_digest(
                secret.encode(), s.alertmanager_token.get_secret_value().encode()
            ):
                return User("token", "token", "", self.may_act("token"))
            return None
        if s.basic_user is None or s.basic_password is None:
            return None
        same_user = hmac.compare_digest(name.encode(), s.basic_user.encode())
        same_password = hmac.compare_digest(
            secret.encode(), s.basic_password.get_secret_value().encode()
        )
        if same_user and same_password:
            return User(name, "password", "", self.may_act(name))
        return None

    def csrf_token(self, user: User) -> str:
        return self.sessions.csrf(user.nonce)

    def csrf_ok(self, user: User, given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(
            (given or "").encode(), self.csrf_token(user).encode()
        )

    def origin_problem(self, request: Request) -> str | None:
        """None when the request comes from a page of this host; else what is wrong."""
        origin = request.headers.get("origin") or request.headers.get("referer")
        if not origin or origin == "null":
            return "the request names no Origin"
        hosts = {request.headers.get("host", "")}
        if self.from_proxy(request) and request.headers.get("x-forwarded-host"):
            hosts.add(request.headers["x-forwarded-host"].split(",")[0].strip())
        if urlsplit(origin).netloc not in hosts:
            return f"the request comes from another origin ({urlsplit(origin).netloc or origin!r})"
        return None

    def secure(self, request: Request) -> bool:
        if request.url.scheme == "https":
            return True
        proto = request.headers.get("x-forwarded-proto", "")
        return self.from_proxy(request) and proto.split(",")[0].strip() == "https"
