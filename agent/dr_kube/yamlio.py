"""Shared YAML helpers: fast safe loading for reading, round-trip loading for editing.

Every document read here is bounded (`DRKUBE_MAX_YAML_BYTES`, `DRKUBE_MAX_YAML_NODES`): a file over
the size limit is refused before it is read, and a document whose aliases would expand beyond the
node budget (an alias bomb) is refused right after loading, before anything walks it. Loading
itself is cheap for a bomb: an alias is the same object again, never a copy.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from io import StringIO
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from dr_kube.config.limits import limits
from dr_kube.errors import InputError


class YamlLimitError(InputError):
    """A YAML document over a limit (size, expanded nodes, nesting): refused, never walked."""


def safe_yaml() -> YAML:
    # The C loader (ruamel.yaml.clib) when present: reading is most of a run's time.
    return YAML(typ="safe", pure=False)


def check_size(size: int, where: str = "YAML document") -> None:
    limit = limits().yaml_bytes
    if size > limit:
        raise YamlLimitError(
            f"{where}: {size} bytes is over the {limit}-byte limit (DRKUBE_MAX_YAML_BYTES)"
        )


def expanded_nodes(root: Any, budget: int) -> int:
    """How many nodes `root` holds with every alias expanded, counted without expanding: each
    mapping or sequence is walked once and its size reused wherever an alias repeats it. Stops
    (ValueError) as soon as the count passes `budget` or an alias contains itself."""
    if not isinstance(root, (dict, list)):
        return 1
    sizes: dict[int, int] = {}
    total = 1
    active = {id(root)}
    stack: list[tuple[Any, Any, int]] = [(root, _children(root), total)]
    while stack:
        node, children, started = stack[-1]
        for child in children:
            if isinstance(child, (dict, list)):
                key = id(child)
                if key in sizes:
                    total += sizes[key]
                elif key in active:
                    raise ValueError("an alias refers to a node that contains it")
                else:
                    total += 1
                    active.add(key)
                    stack.append((child, _children(child), total))
                    break
            else:
                total += 1
            if total > budget:
                raise ValueError(f"over {budget} nodes with its aliases expanded")
        else:
            stack.pop()
            active.discard(id(node))
            sizes[id(node)] = total - started + 1
        if total > budget:
            raise ValueError(f"over {budget} nodes with its aliases expanded")
    return total


def _children(node: Any) -> Any:
    if isinstance(node, dict):
        return iter([*node.keys(), *node.values()])
    return iter(node)


def check_expansion(data: Any, text: str, where: str = "YAML document") -> None:
    """Refuse a loaded document whose aliases expand beyond the node budget; a text without an
    alias indicator (`*`) has nothing to expand and is not walked."""
    if "*" not in text:
        return
    try:
        expanded_nodes(data, limits().yaml_nodes)
    except ValueError as exc:
        raise YamlLimitError(f"{where}: refused, {exc} (DRKUBE_MAX_YAML_NODES)") from None


def load_all(text: str) -> list[Any]:
    check_size(len(text))
    try:
        docs = [doc for doc in safe_yaml().load_all(text) if doc is not None]
    except RecursionError:
        raise YamlLimitError("YAML document: nested too deeply") from None
    for doc in docs:
        check_expansion(doc, text)
    return docs


def load_one(text: str) -> Any:
    check_size(len(text))
    try:
        docs = list(safe_yaml().load_all(text))
    except RecursionError:
        raise YamlLimitError("YAML document: nested too deeply") from None
    doc = docs[0] if docs else None
    check_expansion(doc, text)
    return doc


def yaml_problem(exc: YAMLError) -> str:
    """A parser error in one line: `did not find expected ',' or ']' at line 161, column 1`."""
    problem = getattr(exc, "problem", None) or " ".join(str(exc).split()) or type(exc).__name__
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"{problem}{where}"


def load_file(path: Path) -> Any:
    try:
        stat = path.stat()
        check_size(stat.st_size, str(path))
        return copy.deepcopy(_load_cached(path, stat.st_mtime_ns, stat.st_size))
    except YamlLimitError as exc:
        raise YamlLimitError(_named(path, exc)) from None
    except YAMLError as exc:
        raise InputError(f"{path}: invalid YAML: {yaml_problem(exc)}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None


def load_all_file(path: Path) -> list[Any]:
    """Every document of a file; parsed once per version of the file (path, mtime, size)."""
    stat = path.stat()
    check_size(stat.st_size, str(path))
    try:
        return copy.deepcopy(_load_all_cached(path, stat.st_mtime_ns, stat.st_size))
    except YamlLimitError as exc:
        raise YamlLimitError(_named(path, exc)) from None


def _named(path: Path, exc: YamlLimitError) -> str:
    return str(exc).replace("YAML document", str(path), 1)


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
