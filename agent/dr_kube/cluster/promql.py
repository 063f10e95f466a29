"""The one Prometheus client: PromQL instant queries over prometheus-api-client's PrometheusConnect.

Certificates are checked (a private CA goes in DRKUBE_PROMETHEUS_CA_BUNDLE), each request has a timeout,
and a server that is not there fails at once with one short error naming its URL, instead of
urllib3's retry warnings and requests' long "Max retries exceeded" text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests
from prometheus_api_client import PrometheusConnect
from prometheus_api_client.exceptions import PrometheusApiClientException
from urllib3.util.retry import Retry

from dr_kube.errors import ConfigError

QUERY_TIMEOUT = 10.0
# One retry on a gateway's 5xx (Prometheus restarting behind a proxy); none on a refused or timed
# out connection: a Prometheus that is down must not hold a diagnosis up, and urllib3 warns at
# length on every connection retry.
RETRY = Retry(
    total=1, connect=0, read=0, status=1, backoff_factor=0.2, status_forcelist=(502, 503, 504)
)


class PrometheusError(Exception):
    """Prometheus answered, but not with a result: a bad query, an error status, not its JSON."""


class PrometheusUnreachableError(PrometheusError):
    """No answer at all: refused, timed out, a TLS certificate refused, a bad URL."""


class Prometheus:
    """One Prometheus server at `url`."""

    def __init__(
        self, url: str, timeout: float = QUERY_TIMEOUT, ca_bundle: Path | None = None
    ) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.ca_bundle = ca_bundle
        self._client: PrometheusConnect | None = None

    def values(self, query: str, at: float) -> list[float]:
        """The values of an instant query at `at` (Unix seconds), NaN dropped; [] without series."""
        try:
            result: list[dict[str, Any]] = self.client().custom_query(
                query, params={"time": f"{at:.3f}"}
            )
        except PrometheusApiClientException as exc:
            raise PrometheusError(f"Prometheus at {self.url}: {exc}") from None
        except (
            requests.JSONDecodeError,
            KeyError,
            TypeError,
        ) as exc:  # 200, but not Prometheus' JSON
            raise PrometheusError(
                f"Prometheus at {self.url}: not an API answer ({exc!r})"
            ) from None
        except requests.RequestException as exc:
            raise PrometheusUnreachableError(
                f"Prometheus at {self.url} unreachable ({type(exc).__name__})"
            ) from None
        values = [float(r["value"][1]) for r in result if "value" in r]
        return [v for v in values if v == v]

    def value(self, query: str, at: float) -> float | None:
        """The largest value of an instant query, None when there are no series."""
        values = self.values(query, at)
        return max(values) if values else None

    def client(self) -> PrometheusConnect:
        if self._client is None:
            session = requests.Session()
            session.verify = self.verify()
            self._client = PrometheusConnect(
                url=self.url, disable_ssl=False, retry=RETRY, timeout=self.timeout, session=session
            )
        return self._client

    def verify(self) -> str | bool:
        """What certificates are checked against: DRKUBE_PROMETHEUS_CA_BUNDLE, else requests'
        default (the system's store or REQUESTS_CA_BUNDLE). Never off."""
        from dr_kube.config.cli import ClusterSettings

        bundle = self.ca_bundle or ClusterSettings.load().prometheus_ca_bundle
        if bundle is None:
            return True
        if not bundle.is_file():
            raise ConfigError(f"DRKUBE_PROMETHEUS_CA_BUNDLE {bundle}: no such file")
        return str(bundle)
