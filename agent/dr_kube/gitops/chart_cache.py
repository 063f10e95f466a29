"""The on-disk chart cache: one unpacked chart per (repository, chart, version), with where it came
from and its digest, so a second run needs no network."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from pydantic import BaseModel, ValidationError

from dr_kube.gitops.chart_archive import ChartError, chart_from_dir, write_chart
from dr_kube.paths import contained
from dr_kube.values_model import Chart

SOURCE_FILE = "source.json"


class CachedSource(BaseModel):
    repo_url: str
    chart: str
    version: str
    digest: str


def repo_key(repo_url: str) -> str:
    """A folder name for a repository: readable, and unique through a short hash of the URL."""
    readable = re.sub(r"[^A-Za-z0-9.-]+", "_", re.sub(r"^[a-z]+://", "", repo_url)).strip("_")
    return f"{readable[:80]}-{hashlib.sha256(repo_url.encode()).hexdigest()[:10]}"


class ChartCache:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _folder(self, repo_url: str, chart: str, version: str) -> Path:
        return contained(
            self.root, f"{repo_key(repo_url)}/{chart}/{version}", what="chart cache entry"
        )

    def versions(self, repo_url: str, chart: str) -> list[str]:
        base = contained(self.root, f"{repo_key(repo_url)}/{chart}", what="chart cache entry")
        if not base.is_dir():
            return []
        return sorted(p.name for p in base.iterdir() if (p / SOURCE_FILE).is_file())

    def get(self, repo_url: str, chart: str, version: str) -> Chart | None:
        folder = self._folder(repo_url, chart, version)
        try:
            source = CachedSource.model_validate_json((folder / SOURCE_FILE).read_text("utf-8"))
        except (OSError, ValidationError):
            return None
        found = chart_from_dir(folder / "chart")
        if found is None:
            return None
        return found.model_copy(update={"digest": source.digest, "source": repo_url})

    def put(self, source: CachedSource, files: dict[str, bytes]) -> Chart:
        """Store checked chart files; the entry appears whole (its source file last) or not at all."""
        folder = self._folder(source.repo_url, source.chart, source.version)
        write_chart(files, folder / "chart")
        (folder / f".{SOURCE_FILE}.partial").write_text(json.dumps(source.model_dump()), "utf-8")
        (folder / f".{SOURCE_FILE}.partial").rename(folder / SOURCE_FILE)
        cached = self.get(source.repo_url, source.chart, source.version)
        if cached is None:
            raise ChartError(f"chart cache {folder}: the entry just written cannot be read")
        return cached
