"""Earlier image tags of a workload, read from its values file's Git history."""

from __future__ import annotations

from pathlib import Path

from dr_kube.cluster.evidence import Evidence
from dr_kube.errors import DrKubeError
from dr_kube.gitops.repo import GitRepo
from dr_kube.incidents.model import Incident
from dr_kube.models import PathKey
from dr_kube.values_model import Location, get_path
from dr_kube.yamlio import load_one


def may_need_image_history(incident: Incident, evidence: Evidence) -> bool:
    """Git history is read only for image-pull failures (it costs a git call per commit)."""
    pulling = any(
        c.waiting_reason in ("ErrImagePull", "ImagePullBackOff", "InvalidImageName")
        for pod in evidence.pods
        for c in pod.containers + pod.init_containers
    )
    return pulling or incident.category_hint == "image-pull"


def image_tag_history(repo: Path, location: Location | None) -> list[tuple[str, str]]:
    """Earlier image tags of this workload in the values file's Git history, newest first."""
    if location is None:
        return []
    try:
        history = GitRepo(repo).file_history(location.values_file)
    except DrKubeError:
        return []
    tags: list[tuple[str, str]] = []
    for commit, text in history:
        data = load_one(text)
        image_paths: list[list[PathKey]] = [
            [*location.base_path, "image", "tag"],
            ["image", "tag"],
            ["images", "tag"],
        ]
        for path in image_paths:
            found, tag = get_path(data, path)
            if found and tag:
                if not tags or tags[-1][1] != str(tag):
                    tags.append((commit, str(tag)))
                break
    return tags[1:] if tags else []  # the newest entry is the current (failing) tag
