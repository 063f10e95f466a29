"""Shared YAML helpers: fast safe loading for reading, round-trip loading for editing."""

from __future__ import annotations

import copy
from functools import lru_cache
from io import StringIO
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from dr_kube.errors import InputError


def safe_yaml() -> YAML:
    # The C loader (ruamel.yaml.clib) when present: reading is most of a run's time.
    return YAML(typ="safe", pure=False)


def load_all(text: str) -> list[Any]:
    return [doc for doc in safe_yaml().load_all(text) if doc is not None]


def load_one(text: str) -> Any:
    docs = list(safe_yaml().load_all(text))
    return docs[0] if docs else None


def load_file(path: Path) -> Any:
    try:
        stat = path.stat()
        return copy.deepcopy(_load_cached(path, stat.st_mtime_ns, stat.st_size))
    except YAMLError as exc:
        raise InputError(f"{path}: invalid YAML: {exc}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None


def load_all_file(path: Path) -> list[Any]:
    """Every document of a file; parsed once per version of the file (path, mtime, size)."""
    stat = path.stat()
    return copy.deepcopy(_load_all_cached(path, stat.st_mtime_ns, stat.st_size))


@lru_cache(maxsize=256)
def _load_cached(path: Path, mtime_ns: int, size: int) -> Any:
    return load_one(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=256)
def _load_all_cached(path: Path, mtime_ns: int, size: int) -> list[Any]:
    return load_all(path.read_text(encoding="utf-8"))


def dump_block(data: Any, indent: int = 2) -> str:
    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    yaml.indent(mapping=indent, sequence=indent + 2, offset=indent)
    yaml.width = 4096
    out = StringIO()
    yaml.dump(data, out)
    return out.getvalue()
