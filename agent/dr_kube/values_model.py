"""Helm values as data: where a workload's values live (Location), the chart that reads them, and
plain path access. Diagnosis reads these; only gitops/ reads or writes files."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field

from dr_kube.models import PathKey


class Chart(BaseModel):
    name: str
    version: str | None = None
    where: str
    defaults: dict[str, Any]
    schema_: dict[str, Any] | None = None
    digest: str | None = None  # sha256 of the archive, when fetched from a repository
    source: str | None = None  # the repository or registry it was fetched from


class Location(BaseModel):
    app: str | None = None
    app_file: str | None = None
    values_file: str
    base_path: list[PathKey] = Field(default_factory=list)
    release_name: str | None = None
    chart: Chart | None = None
    chart_missing: str | None = None  # why no chart could be had, one line
    how: list[str] = Field(default_factory=list)

    def path_for(self, *rest: PathKey) -> list[PathKey]:
        return [*self.base_path, *rest]


def normalize(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def get_path(data: Any, path: list[str | int]) -> tuple[bool, Any]:
    """(found, value) at `path` in plain YAML data."""
    node = data
    for key in path:
        if isinstance(key, int):
            if isinstance(node, list) and -len(node) <= key < len(node):
                node = node[key]
                continue
            return False, None
        if isinstance(node, dict) and key in node:
            node = node[key]
            continue
        return False, None
    return True, node
