"""Argo CD Applications in the GitOps repository, and the values files they deploy."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from ruamel.yaml.error import YAMLError

from dr_kube.paths import contained
from dr_kube.yamlio import YamlLimitError, load_all_file

log = logging.getLogger(__name__)
APPLICATION_DIRS = ("applications", "apps", "argocd", "manifests")


class HelmParameter(BaseModel):
    name: str
    value: str = ""
    force_string: bool = False


class AppSource(BaseModel):
    repo_url: str = ""
    chart: str | None = None
    path: str | None = None
    target_revision: str | None = None
    ref: str | None = None
    release_name: str | None = None
    value_files: list[str] = Field(default_factory=list)
    ignore_missing_value_files: bool = False
    values: str | None = None  # helm.values: a YAML string
    values_object: dict[str, Any] | None = None  # helm.valuesObject: wins over helm.values
    parameters: list[HelmParameter] = Field(default_factory=list)


class Application(BaseModel):
    name: str
    file: str
    namespace: str | None = None  # destination namespace
    sources: list[AppSource] = Field(default_factory=list)

    @property
    def chart_source(self) -> AppSource | None:
        return next((s for s in self.sources if s.chart or (s.path and not s.ref)), None)

    @property
    def release_name(self) -> str:
        source = self.chart_source
        return (source.release_name if source else None) or self.name


def parse_source(raw: dict[str, Any]) -> AppSource:
    helm = raw.get("helm") or {}
    return AppSource(
        repo_url=str(raw.get("repoURL", "")),
        chart=raw.get("chart"),
        path=raw.get("path"),
        target_revision=str(raw["targetRevision"]) if raw.get("targetRevision") else None,
        ref=raw.get("ref"),
        release_name=helm.get("releaseName"),
        value_files=[str(v) for v in helm.get("valueFiles") or []],
        ignore_missing_value_files=bool(helm.get("ignoreMissingValueFiles", False)),
        values=helm["values"] if isinstance(helm.get("values"), str) else None,
        values_object=helm["valuesObject"] if isinstance(helm.get("valuesObject"), dict) else None,
        parameters=[
            HelmParameter(
                name=str(p["name"]),
                value=str(p.get("value", "")),
                force_string=bool(p.get("forceString", False)),
            )
            for p in helm.get("parameters") or []
            if isinstance(p, dict) and p.get("name")
        ],
    )


def load_applications(repo: Path) -> list[Application]:
    """Every Argo CD Application found in the repository's application folders."""
    apps: list[Application] = []
    for folder in APPLICATION_DIRS:
        base = repo / folder
        if not base.is_dir():
            continue
        for found in sorted([*base.rglob("*.yaml"), *base.rglob("*.yml")]):
            path = contained(repo, found.relative_to(repo), what="Application file")
            try:
                docs = load_all_file(path)
            except (YAMLError, OSError, UnicodeDecodeError):
                continue
            except YamlLimitError as exc:  # a hostile file costs only itself
                log.warning("skipping %s", exc)
                continue
            for doc in docs:
                if not isinstance(doc, dict) or doc.get("kind") != "Application":
                    continue
                spec = doc.get("spec") or {}
                raw_sources = spec.get("sources") or (
                    [spec["source"]] if spec.get("source") else []
                )
                apps.append(
                    Application(
                        name=str((doc.get("metadata") or {}).get("name", "")),
                        file=str(found.relative_to(repo)),
                        namespace=(spec.get("destination") or {}).get("namespace"),
                        sources=[parse_source(s) for s in raw_sources if isinstance(s, dict)],
                    )
                )
    return apps


def resolve_value_file(app: Application, entry: str) -> str:
    """Map a `helm.valueFiles` entry to a path relative to the GitOps repository root.

    `$values/values/x.yaml` points into the source with `ref: values` — this repository.
    A plain entry is relative to the chart's `path` in this repository.
    """
    if entry.startswith("$"):
        _, _, rest = entry.partition("/")
        return rest
    source = app.chart_source
    if source and source.path:
        return str(Path(source.path) / entry)
    return entry


def value_files(app: Application) -> list[str]:
    files: list[str] = []
    for source in app.sources:
        files += [resolve_value_file(app, v) for v in source.value_files]
    return files
