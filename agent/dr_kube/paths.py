"""Containment: every path DR-Kube reads or writes stays inside the folder it belongs to.

A path named by data (a values file from an Application, an annotation or an alert; a dump file
built from a namespace and a pod name; a chart cache folder built from a chart's name) is checked
before anything opens it: first as text (no absolute path, no `..` climbing out), then resolved with
its symlinks, and refused unless it lands inside its root. One function for every case, so the rule
cannot drift between readers and writers.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path, PurePosixPath

from dr_kube.errors import PathEscapeError


def contained(root: Path, candidate: str | Path, *, what: str = "path") -> Path:
    """`root / candidate` resolved (symlinks followed) when it lies inside `root` (resolved too),
    else `PathEscapeError` naming `what`. `candidate` is relative to `root`: an absolute one is refused
    even when it happens to point inside (data never names a file by an absolute path)."""
    text = str(candidate)
    if not text or "\0" in text:
        raise PathEscapeError(f"{what}: {text!r} is not a file name")
    if PurePosixPath(text).is_absolute() or text.startswith("\\"):
        raise PathEscapeError(f"{what}: {text} is an absolute path; it must be relative to {root}")
    base = _resolved(root)
    if not Path(os.path.normpath(base / text)).is_relative_to(base):
        raise PathEscapeError(f"{what}: {text} points outside {root}; refused")
    try:
        resolved = (base / text).resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise PathEscapeError(f"{what}: {text} cannot be resolved inside {root} ({exc})") from None
    if not resolved.is_relative_to(base):
        raise PathEscapeError(f"{what}: {text} is a link that resolves outside {root}; refused")
    return resolved


@lru_cache(maxsize=64)  # the few roots of a process: the repository, the dump, the chart cache
def _resolved(root: Path) -> Path:
    return root.resolve()


def plain_file(root: Path, candidate: str | Path, *, what: str = "path") -> Path:
    """`contained`, and no link on the way: the file written is the file git commits."""
    resolved = contained(root, candidate, what=what)
    if resolved != Path(os.path.normpath(_resolved(root) / str(candidate))):
        raise PathEscapeError(f"{what}: {candidate} is (or lies below) a symbolic link; refused")
    return resolved


def links_inside(root: Path, folder: Path, *, what: str = "path") -> Path:
    """`folder` (inside `root`) when no symbolic link below it resolves outside `root`: a chart
    folder of the GitOps repository, whose files Helm reads (following links) when it renders."""
    base = root.resolve()
    for top, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in (*dirs, *files):
            path = Path(top) / name
            if path.is_symlink():
                contained(base, os.path.relpath(path, base), what=f"{what}: {name}")
    return folder
