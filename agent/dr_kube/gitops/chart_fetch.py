"""Fetch the chart an Argo CD Application source names, as Argo CD's repo-server would: from a Helm
repository (`repoURL` http(s) + `chart` + `targetRevision`, an exact version or a range) or an OCI
registry (`oci://host/path`, or `host/path` without a scheme), through Helm's own code. The archive's
sha256 is checked against the repository index, the archive is read safely, and the chart lands in
the cache, which is read first."""

from __future__ import annotations

import hashlib
import re
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import urlsplit

from dr_kube.config.charts import ChartSettings
from dr_kube.gitops.apps import AppSource
from dr_kube.gitops.chart_archive import ChartError, chart_from_files, read_archive_file
from dr_kube.gitops.chart_cache import CachedSource, ChartCache
from dr_kube.gitops.chart_versions import is_exact, pick_version
from dr_kube.values_model import Chart

if TYPE_CHECKING:
    from helm_python.registry import RegistryClient

T = TypeVar("T")
CHART_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*")


@dataclass(frozen=True)
class ChartRef:
    """A chart in a repository: `kind` http (a Helm repository) or oci (a registry)."""

    kind: Literal["http", "oci"]
    repo_url: str  # https://charts.example.com/stable, or oci://registry.example.com/charts
    chart: str
    revision: str | None

    @property
    def host(self) -> str:
        return urlsplit(self.repo_url).netloc

    @property
    def oci_ref(self) -> str:
        return f"{self.repo_url}/{self.chart}"


def chart_ref(source: AppSource) -> ChartRef | None:
    """The repository chart a source names; None for a path in the GitOps repository."""
    if not source.chart or not source.repo_url:
        return None
    url = source.repo_url.strip().rstrip("/")
    if url.startswith(("http://", "https://")):
        return ChartRef("http", url, source.chart, source.target_revision)
    if url.startswith("oci://"):
        return ChartRef("oci", url, source.chart, source.target_revision)
    if "://" in url:
        return None  # git@, ssh:// and the like are Git repositories, not chart sources
    # Argo CD takes a registry host without a scheme as OCI.
    return ChartRef("oci", f"oci://{url}", source.chart, source.target_revision)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _bounded(what: str, timeout: float, call: Callable[[], T]) -> T:
    """`call()` within `timeout` seconds: Helm's native calls cannot be cancelled, so a call that
    hangs is left behind in a daemon thread and reported as a timeout."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:
            box["error"] = exc

    worker = threading.Thread(target=run, name=f"chart-fetch {what}", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise ChartError(f"{what}: no answer within {timeout:g}s")
    if "error" in box:
        error = box["error"]
        if isinstance(error, ChartError):
            raise error
        from helm_python.errors import HelmError

        if isinstance(error, HelmError | OSError | ValueError):
            raise ChartError(f"{what}: {_first_line(error)}") from None
        raise error
    value: T = box["value"]
    return value


def helm_registry() -> ModuleType:
    """Helm's repository and registry code, imported on first use (it loads a native library)."""
    from helm_python import registry

    return registry


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


class ChartFetcher:
    def __init__(self, settings: ChartSettings) -> None:
        self.settings = settings
        self.cache = ChartCache(settings.cache)

    def fetch(self, ref: ChartRef) -> Chart:
        """The chart `ref` names: from the cache, else downloaded, checked and cached."""
        try:
            return self._fetch(ref)
        except ValueError as exc:  # a targetRevision that is no version or constraint
            raise ChartError(f"{ref.chart} from {ref.repo_url}: {exc}") from None

    def _fetch(self, ref: ChartRef) -> Chart:
        # The name becomes a cache folder: OCI names may have folders, never `..` or a root.
        if not CHART_NAME.fullmatch(ref.chart) or ".." in ref.chart.split("/"):
            raise ChartError(f"{ref.chart!r} from {ref.repo_url} is not a chart name")
        if ref.revision and is_exact(ref.revision):
            cached = self._cached(ref, ref.revision)
            if cached is not None:
                return cached
        if self.settings.offline:
            raise ChartError(
                f"{ref.chart} {ref.revision or ''} from {ref.repo_url} is not in the chart cache "
                "and DRKUBE_CHART_OFFLINE=1".replace("  ", " ")
            )
        try:
            version, digest = self._resolve(ref)
        except ChartError:
            # Unreachable: a range is still met by the highest matching version already cached.
            offline = pick_version(ref.revision, self.cache.versions(ref.repo_url, ref.chart))
            cached = self._cached(ref, offline) if offline else None
            if cached is None:
                raise
            return cached
        return self._cached(ref, version) or self._download(ref, version, digest)

    def _cached(self, ref: ChartRef, version: str) -> Chart | None:
        found = self.cache.get(ref.repo_url, ref.chart, version)
        if found is None:
            # The repository may spell the version with a leading v (or without it).
            other = version[1:] if version.startswith("v") else f"v{version}"
            found = self.cache.get(ref.repo_url, ref.chart, other)
        return found

    def _login(self, ref: ChartRef) -> tuple[str | None, str | None]:
        login = self.settings.login_for(ref.host)
        return login if login else (None, None)

    def _resolve(self, ref: ChartRef) -> tuple[str, str | None]:
        """(version, expected sha256 or None) that `ref.revision` selects."""
        if ref.kind == "http":
            username, password = self._login(ref)
            index = _bounded(
                f"Helm repository {ref.repo_url}",
                self.settings.timeout,
                lambda: helm_registry().repo_index(
                    ref.repo_url, username=username, password=password
                ),
            )
            entries = (index.get("entries") or {}).get(ref.chart) or []
            by_version = {str(e.get("version")): e for e in entries if isinstance(e, dict)}
            version = pick_version(ref.revision, by_version)
            if version is None:
                raise ChartError(self._no_version(ref, list(by_version)))
            digest = by_version[version].get("digest")
            return version, str(digest).removeprefix("sha256:") if digest else None
        tags = _bounded(
            f"OCI registry {ref.oci_ref}",
            self.settings.timeout,
            lambda: self._with_client(ref, lambda c: c.tags(ref.oci_ref.removeprefix("oci://"))),
        )
        version = pick_version(ref.revision, tags)
        if version is None:
            raise ChartError(self._no_version(ref, tags))
        return version, None  # the registry checks the layer's digest itself

    @staticmethod
    def _no_version(ref: ChartRef, available: list[str]) -> str:
        if not available:
            return f"{ref.repo_url} has no chart {ref.chart!r}"
        return (
            f"{ref.repo_url} has no version of {ref.chart} matching {ref.revision or '*'!r} "
            f"(has {', '.join(sorted(available)[-5:])})"
        )

    def _with_client(self, ref: ChartRef, use: Callable[[RegistryClient], T]) -> T:
        plain_http = ref.host in self.settings.plain_http
        # A private credentials file: the user's own Helm login state is neither read nor written.
        with (
            tempfile.TemporaryDirectory(prefix="dr-kube-oci-") as scratch,
            helm_registry().RegistryClient(
                plain_http=plain_http, credentials_file=Path(scratch) / "config.json"
            ) as client,
        ):
            login = self.settings.login_for(ref.host)
            if login is not None:
                client.login(ref.host, *login, plain_http=plain_http)
            return use(client)

    def _download(self, ref: ChartRef, version: str, expected: str | None) -> Chart:
        label = f"{ref.chart} {version} from {ref.repo_url}"
        with tempfile.TemporaryDirectory(prefix="dr-kube-chart-") as scratch:
            target = Path(scratch)
            if ref.kind == "http":
                username, password = self._login(ref)
                _bounded(
                    label,
                    self.settings.timeout,
                    lambda: helm_registry().pull(
                        ref.chart,
                        repo_url=ref.repo_url,
                        version=version,
                        destination=target,
                        username=username,
                        password=password,
                    ),
                )
            else:
                _bounded(
                    label,
                    self.settings.timeout,
                    lambda: self._with_client(
                        ref, lambda c: c.pull(ref.oci_ref, version=version, destination=target)
                    ),
                )
            archives = sorted(target.glob("*.tgz"))
            if len(archives) != 1:
                raise ChartError(f"{label}: Helm left {len(archives)} archives, expected one")
            digest = sha256_of(archives[0])
            if expected is not None and digest != expected.lower():
                raise ChartError(
                    f"{label}: digest mismatch (index says sha256:{expected}, "
                    f"archive is sha256:{digest})"
                )
            files = read_archive_file(archives[0])
        chart = chart_from_files(files, label)
        if chart.name != ref.chart.rsplit("/", 1)[-1]:
            raise ChartError(f"{label}: the archive holds chart {chart.name!r}")
        return self.cache.put(
            CachedSource(repo_url=ref.repo_url, chart=ref.chart, version=version, digest=digest),
            files,
        )
