"""Hostile inputs for the containment tests: files outside every folder DR-Kube owns (and which of
them a run changed), a copy of the sample dump to edit, and alert files built from the samples."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.support.paths import REPO_ROOT, SAMPLE_CLUSTER, SAMPLES

VALUES = REPO_ROOT / "values" / "online-boutique.yaml"


class Outside:
    """A folder outside the GitOps repository, the dump and the chart cache, holding a values file
    DR-Kube would gladly patch (a copy of the shop's), and what a run changed in it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.file = root / "outside.yaml"
        self.file.write_text(VALUES.read_text())
        self.before = self.snapshot()

    def snapshot(self) -> dict[str, tuple[bytes, int]]:
        return {
            str(p.relative_to(self.root)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(self.root.rglob("*"))
            if p.is_file()
        }

    def changed(self) -> list[str]:
        """Files written, created or removed since the folder was made (the goal: none)."""
        after = self.snapshot()
        return sorted(
            n for n in self.before.keys() | after.keys() if self.before.get(n) != after.get(n)
        )


def write_json(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2))
    return path


def legacy_oom(path: Path, **fields: Any) -> Path:
    """The sample OOM incident (legacy form) without its `values_file` hint, `fields` changed."""
    data = json.loads((SAMPLES / "sample_oom.json").read_text())
    data.pop("values_file")
    data.update(fields)
    return write_json(path, data)


def oom_alert(path: Path, status: str = "firing", **labels: str) -> Path:
    """A single Alertmanager alert about the sample frontend's OOM, `labels` changed."""
    return write_json(
        path,
        {
            "status": status,
            "labels": {
                "alertname": "ContainerOOMKilled",
                "namespace": "online-boutique",
                "pod": "frontend-7d9c8b6f5b-x2x9k",
                "container": "server",
                "deployment": "frontend",
                "reason": "OOMKilled",
                "severity": "critical",
                **labels,
            },
            "annotations": {"summary": "frontend was OOMKilled"},
            "startsAt": "2026-11-24T21:04:12Z",
        },
    )


def copy_dump(dest: Path) -> Path:
    """A writable copy of the sample `kubectl cluster-info dump`."""
    shutil.copytree(SAMPLE_CLUSTER, dest)
    return dest


def edit_items(path: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    """Apply `edit` to every item of a dump list file, written back in kubectl's layout."""
    data = json.loads(path.read_text())
    for item in data["items"]:
        edit(item)
    path.write_text(json.dumps(data, indent=4))
