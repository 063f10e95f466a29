"""A chart's dependencies as Helm resolves them: `Chart.yaml` dependencies (aliases, conditions),
a vendored `charts/` folder (folders and .tgz), and `Chart.lock`.

A dependency missing from `charts/` is fetched like any chart (gitops/chart_fetch.py: the same
credentials, offline mode, timeouts, digest checks and cache) at the version `Chart.lock` pins, else
the highest one its `version` range allows, and the chart is assembled with it in a folder of the
chart cache: the GitOps repository's working tree and the `--charts` seeds are never written. Helm's
engine applies aliases and conditions itself when it renders the assembled chart. The chart's
defaults gain each sub-chart's defaults under its alias (or name), as Helm coalesces them, so that
`grafana.resources` of an umbrella chart is a key the chart has.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ruamel.yaml.error import YAMLError

from dr_kube.gitops.chart_archive import (
    MAX_CHART_BYTES,
    ChartError,
    chart_from_dir,
    read_archive,
)
from dr_kube.gitops.chart_fetch import ChartFetcher, ChartRef
from dr_kube.gitops.render import chart_identity
from dr_kube.paths import contained
from dr_kube.values_model import Chart
from dr_kube.yamlio import YamlLimitError, load_one

MAX_DEPTH = 5  # sub-charts of sub-charts...
BUILT = "built"
BUILT_CACHE_SIZE = 32
_BUILT: dict[tuple[str, str], Chart] = {}
_BUILT_LOCK = threading.Lock()


@dataclass(frozen=True)
class Dependency:
    name: str
    version: str | None
    repository: str
    alias: str | None = None

    @property
    def key(self) -> str:
        """Where its values live in the parent's values."""
        return self.alias or self.name


def _yaml(files: dict[str, bytes], name: str, where: str) -> Any:
    content = files.get(name)
    if content is None:
        return None
    try:
        return load_one(content.decode("utf-8"))
    except (YAMLError, UnicodeDecodeError, YamlLimitError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ChartError(f"{where}: unreadable {name} ({first})") from None


def declared(files: dict[str, bytes], where: str) -> list[Dependency]:
    """Chart.yaml's dependencies (requirements.yaml's for apiVersion v1 charts)."""
    meta = _yaml(files, "Chart.yaml", where)
    raws = meta.get("dependencies") if isinstance(meta, dict) else None
    if not raws:
        requirements = _yaml(files, "requirements.yaml", where)
        raws = requirements.get("dependencies") if isinstance(requirements, dict) else None
    found = []
    for raw in raws if isinstance(raws, list) else []:
        if not isinstance(raw, dict) or not raw.get("name"):
            raise ChartError(f"{where}: a Chart.yaml dependency has no name")
        version = raw.get("version")
        found.append(
            Dependency(
                name=str(raw["name"]),
                version=str(version) if version is not None else None,
                repository=str(raw.get("repository") or ""),
                alias=str(raw["alias"]) if raw.get("alias") else None,
            )
        )
    return found


def locked(files: dict[str, bytes], where: str) -> dict[tuple[str, str], str] | None:
    """(name, repository) → version from Chart.lock (requirements.lock for apiVersion v1)."""
    for name in ("Chart.lock", "requirements.lock"):
        lock = _yaml(files, name, where)
        if isinstance(lock, dict):
            return {
                (str(d.get("name")), str(d.get("repository") or "")): str(d.get("version"))
                for d in lock.get("dependencies") or []
                if isinstance(d, dict)
            }
    return None


def chart_files(folder: Path) -> dict[str, bytes]:
    """What dependency resolution reads of a chart folder: its metadata, values, lock and
    everything under charts/ (bounded like an archive)."""
    files: dict[str, bytes] = {}
    names = ("Chart.yaml", "values.yaml", "Chart.lock", "requirements.yaml", "requirements.lock")
    for name in names:
        if (folder / name).is_file():
            files[name] = (folder / name).read_bytes()
    total = 0
    vendored = folder / "charts"
    for path in sorted(vendored.rglob("*")) if vendored.is_dir() else []:
        if path.is_symlink() or not path.is_file():
            continue
        total += path.stat().st_size
        if total > MAX_CHART_BYTES:
            raise ChartError(f"{folder}: charts/ is over {MAX_CHART_BYTES} bytes")
        files[str(PurePosixPath(*path.relative_to(folder).parts))] = path.read_bytes()
    return files


def subcharts(files: dict[str, bytes], where: str) -> dict[str, dict[str, bytes]]:
    """Vendored sub-charts by chart name: folders and archives under charts/."""
    folders: dict[str, dict[str, bytes]] = {}
    found: dict[str, dict[str, bytes]] = {}
    for name, content in files.items():
        parts = PurePosixPath(name).parts
        if len(parts) < 2 or parts[0] != "charts":
            continue
        if len(parts) == 2 and parts[1].endswith(".tgz"):
            sub = read_archive(content, f"{where}/{name}")
            meta = _yaml(sub, "Chart.yaml", f"{where}/{name}") or {}
            found[str(meta.get("name", ""))] = sub
        elif len(parts) > 2:
            folders.setdefault(parts[1], {})[str(PurePosixPath(*parts[2:]))] = content
    for folder, sub in folders.items():
        if "Chart.yaml" in sub:
            meta = _yaml(sub, "Chart.yaml", f"{where}/charts/{folder}") or {}
            found[str(meta.get("name", folder))] = sub
    return found


def coalesce(defaults: Any, override: Any) -> Any:
    """Helm's coalescing for one key: the parent's values win, maps merge, null deletes."""
    if not isinstance(defaults, dict) or not isinstance(override, dict):
        return defaults if override is None else override
    merged = dict(defaults)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = coalesce(defaults.get(key), value)
    return merged


def defaults_with_subcharts(
    files: dict[str, bytes], where: str, depth: int = 0, own: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The chart's defaults (`own` when already read) with every sub-chart's defaults under its
    alias or name."""
    own = own if own is not None else _yaml(files, "values.yaml", where) or {}
    own = own if isinstance(own, dict) else {}
    if depth > MAX_DEPTH:
        return own
    present = subcharts(files, where)
    merged = dict(own)
    for dep in declared(files, where):
        sub = present.get(dep.name)
        if sub is None:
            continue
        sub_defaults = defaults_with_subcharts(sub, f"{where}/charts/{dep.name}", depth + 1)
        merged[dep.key] = coalesce(sub_defaults, own.get(dep.key))
    return merged


def missing(files: dict[str, bytes], where: str) -> list[Dependency]:
    """Declared dependencies that charts/ does not hold (Helm checks names only)."""
    present = subcharts(files, where)
    return [d for d in declared(files, where) if d.name not in present]


def content_key(folder: Path, files: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


class DependencyBuilder:
    """Assembles charts with their dependencies in the chart cache."""

    def __init__(self, fetcher: ChartFetcher) -> None:
        self.fetcher = fetcher
        self.root = fetcher.settings.cache / BUILT

    def build(self, chart: Chart, depth: int = 0) -> Chart:
        """`chart` with every dependency in its charts/ and sub-chart defaults in its defaults;
        built once per chart identity in this process."""
        key = (chart_identity(chart), str(self.root))
        with _BUILT_LOCK:
            if key in _BUILT:
                return _BUILT[key]
        built = self._build(chart, depth)
        with _BUILT_LOCK:
            _BUILT[key] = built
            while len(_BUILT) > BUILT_CACHE_SIZE:
                _BUILT.pop(next(iter(_BUILT)))
        return built

    def _build(self, chart: Chart, depth: int) -> Chart:
        folder = Path(chart.where)
        if not folder.is_dir():
            return chart
        label = f"{chart.name} {chart.version or ''}".strip()
        files = chart_files(folder)
        if not declared(files, label):
            return chart
        absent = missing(files, label)
        if absent:
            if depth >= MAX_DEPTH:
                raise ChartError(f"{label}: dependencies nested deeper than {MAX_DEPTH}")
            folder = self._assemble(chart, folder, files, absent, depth)
            files = chart_files(folder)
            still = missing(files, label)
            if still:
                raise ChartError(f"{label}: dependency {still[0].name} is missing from charts/")
        defaults = defaults_with_subcharts(files, label, own=chart.defaults)
        return chart.model_copy(update={"where": str(folder), "defaults": defaults})

    def _assemble(
        self,
        chart: Chart,
        folder: Path,
        files: dict[str, bytes],
        absent: list[Dependency],
        depth: int,
    ) -> Path:
        label = f"{chart.name} {chart.version or ''}".strip()
        lock = locked(files, label)
        fetched = [self._fetch(dep, lock, folder, label, depth) for dep in absent]
        key = hashlib.sha256(
            "\n".join(
                [chart.digest or content_key(folder, files)]
                + [f"{c.name}:{c.version}:{c.digest or c.where}" for c in fetched]
            ).encode()
        ).hexdigest()[:32]
        target = contained(self.root, f"{key}/{chart.name or 'chart'}", what="chart cache entry")
        if (target / "Chart.yaml").is_file():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".partial-", dir=target.parent))
        try:
            shutil.copytree(folder, staging / "chart", ignore=_links_and_git)
            for sub in {(c.name, c.version): c for c in fetched}.values():
                into = f"chart/charts/{sub.name}-{sub.version}"
                shutil.copytree(sub.where, contained(staging, into, what=f"{label}: dependency"))
            (staging / "chart").rename(target)
        except FileExistsError:
            pass  # another run assembled the same chart first
        except OSError as exc:
            raise ChartError(f"{label}: cannot assemble its dependencies ({exc})") from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return target

    def _fetch(
        self,
        dep: Dependency,
        lock: dict[tuple[str, str], str] | None,
        folder: Path,
        label: str,
        depth: int,
    ) -> Chart:
        what = f"{label}: dependency {dep.name}"
        if lock is not None:
            version = lock.get((dep.name, dep.repository))
            if version is None:
                raise ChartError(f"{what} is not in Chart.lock (out of sync with Chart.yaml)")
        else:
            version = dep.version
        ref = dependency_ref(dep, version, what)
        if ref is None:
            sub = self._local(dep, folder, what)
        else:
            try:
                sub = self.fetcher.fetch(ref)
            except ChartError as exc:
                raise ChartError(f"{what}: {exc}") from None
        return self.build(sub, depth + 1)

    @staticmethod
    def _local(dep: Dependency, folder: Path, what: str) -> Chart:
        """A `file://` dependency: a folder next to the chart, inside the chart's own tree."""
        relative = dep.repository.removeprefix("file://")
        base = folder.parent.resolve()
        path = (folder / relative).resolve()
        if not path.is_relative_to(base):
            raise ChartError(f"{what}: {dep.repository} points outside the chart's folder")
        found = chart_from_dir(path)
        if found is None or found.name != dep.name:
            raise ChartError(f"{what}: {dep.repository} holds no chart {dep.name!r}")
        return found


def _links_and_git(folder: str, names: list[str]) -> set[str]:
    """Links are not copied out of the GitOps repository (they may point anywhere), nor .git."""
    return {n for n in names if n == ".git" or (Path(folder) / n).is_symlink()}


def dependency_ref(dep: Dependency, version: str | None, what: str) -> ChartRef | None:
    """The repository chart a dependency names; None for `file://`."""
    repo = dep.repository.strip().rstrip("/")
    if repo.startswith("file://"):
        return None
    if repo.startswith(("http://", "https://")):
        return ChartRef("http", repo, dep.name, version)
    if repo.startswith("oci://"):
        return ChartRef("oci", repo, dep.name, version)
    if repo.startswith(("@", "alias:")):
        raise ChartError(
            f"{what} names a repository by its local Helm name ({repo}); write its URL in "
            "Chart.yaml, as Argo CD needs too"
        )
    raise ChartError(f"{what} has no repository to fetch it from ({repo or 'none'})")
