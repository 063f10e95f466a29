"""Settings of the web console at `/ui`: sign-in (proxy header or the API token), who may act."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any

from pydantic import AfterValidator, Field, SecretStr

from dr_kube.config.env import CommaSet, EnvSection, LowerCommaSet, OneMeansOn, env


def _networks(value: frozenset[str]) -> frozenset[str]:
    for item in value:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValueError(f"{item!r} is not an IP address or CIDR") from None
    return value


def _secret(value: SecretStr | None) -> SecretStr | None:
    if value is not None and len(value.get_secret_value()) < 32:
        raise ValueError("must be at least 32 characters")
    return value


class ConsoleSettings(EnvSection):
    enabled: OneMeansOn = env(
        "DRKUBE_CONSOLE",
        "`1` serves the web console at `/ui`; `0` turns it off",
        default=True,
        shown="`1`",
    )
    secret: Annotated[SecretStr | None, AfterValidator(_secret)] = env(
        "DRKUBE_CONSOLE_SECRET",
        "key (32+ characters) that signs console sessions; unset, a random key per process "
        "(sign-ins end at a restart and do not carry to other replicas)",
        default=None,
    )
    user_header: str = env(
        "DRKUBE_CONSOLE_USER_HEADER",
        "header naming the user that an OIDC-aware proxy signed in",
        default="X-Forwarded-User",
        min_length=1,
    )
    trusted_proxies: Annotated[CommaSet, AfterValidator(_networks)] = env(
        "DRKUBE_CONSOLE_TRUSTED_PROXIES",
        "comma-separated addresses or CIDRs of that proxy; the header is trusted only from them",
        default=frozenset(),
    )
    approvers: LowerCommaSet = env(
        "DRKUBE_CONSOLE_APPROVERS",
        "console users who may approve, ask for a change or ignore (proxy user names; `token` "
        "for a sign-in with the API token); everyone else reads only",
        default=frozenset(),
    )
    session_hours: float = env(
        "DRKUBE_CONSOLE_SESSION_HOURS", "hours a console sign-in lasts", default=12.0, gt=0
    )
    page_size: int = Field(default=50, ge=1, le=500)

    @classmethod
    def from_env(cls, **overrides: Any) -> ConsoleSettings:
        return cls.load(**overrides)
