"""Shared YAML helpers: fast safe loading for reading, round-trip loading for editing."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from dr_kube.errors import InputError


def safe_yaml() -> YAML:
    return YAML(typ="safe", pure=True)


def load_all(text: str) -> list[Any]:
    return [doc for doc in safe_yaml().load_all(text) if doc is not None]


def load_one(text: str) -> Any:
    docs = list(safe_yaml().load_all(text))
    return docs[0] if docs else None


def load_file(path: Path) -> Any:
    try:
        return load_one(path.read_text(encoding="utf-8"))
    except YAMLError as exc:
        raise InputError(f"{path}: invalid YAML: {exc}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None


def dump_block(data: Any, indent: int = 2) -> str:
    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    yaml.indent(mapping=indent, sequence=indent + 2, offset=indent)
    yaml.width = 4096
    out = StringIO()
    yaml.dump(data, out)
    return out.getvalue()


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
