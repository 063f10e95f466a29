"""Apply path-level changes to a values file so that the diff moves only the changed lines.

The file is parsed with ruamel.yaml's round-trip loader, which records where every key and value
sits. Each change then edits the text at that spot: a scalar is replaced in place (its quoting
kept), a missing key is inserted as a block at the end of its parent mapping, and a value that
cannot be edited in place (an alias, a flow mapping) is replaced by a block of its own. Comments,
key order, quotes, anchors, indentation and blank lines elsewhere never move. The result is parsed
again and compared with the intended data; any mismatch is an error, never a silent rewrite.
"""

from __future__ import annotations

import copy
import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from dr_kube.models import Change, PathKey
from dr_kube.values_model import get_path
from dr_kube.yamlio import check_expansion, check_size, dump_block, load_one, yaml_problem


class PatchError(ValueError):
    pass


@dataclass
class Patched:
    text: str
    diff: str


@lru_cache(maxsize=32)
def rt_load(text: str) -> Any:
    """Round-trip parse (positions of every key and value); cached per text, never mutated."""
    check_size(len(text))
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    try:
        root = yaml.load(text)
    except YAMLError as exc:
        raise PatchError(f"invalid YAML: {yaml_problem(exc)}") from None
    check_expansion(root, text)  # an alias bomb is refused before the patch walks it
    return root


def detect_indent(text: str) -> int:
    """The mapping indentation step the file uses (2 when it cannot tell)."""
    previous = 0
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#") or stripped.startswith("- "):
            continue
        indent = len(line) - len(stripped)
        if indent > previous:
            return indent - previous
        previous = indent
    return 2


def format_scalar(new: Any, old_token: str) -> str:
    """Write `new` in the quoting style of the token it replaces."""
    if isinstance(new, bool):
        return "true" if new else "false"
    if isinstance(new, int | float):
        return str(new)
    text = str(new)
    quote = old_token[:1]
    if quote == '"':
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if quote == "'":
        return "'" + text.replace("'", "''") + "'"
    if plain_safe(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def plain_safe(text: str) -> bool:
    """A plain scalar that reads back as this exact string."""
    if not text or text != text.strip() or any(c in text for c in ":#{}[],&*!|>'\"%@`\n"):
        return False
    try:
        return bool(load_one(f"k: {text}\n") == {"k": text})
    except YAMLError:
        return False


def token_end(line: str, start: int, in_flow: bool) -> int:
    """Index just past the scalar token that starts at `start`."""
    if start >= len(line):
        return start
    quote = line[start]
    if quote in "\"'":
        i = start + 1
        while i < len(line):
            if quote == "'" and line[i] == "'":
                if i + 1 < len(line) and line[i + 1] == "'":
                    i += 2
                    continue
                return i + 1
            if quote == '"' and line[i] == "\\":
                i += 2
                continue
            if quote == '"' and line[i] == '"':
                return i + 1
            i += 1
        raise PatchError("multi-line quoted scalars are not edited in place")
    end = len(line)
    comment = re.search(r"\s#", line[start:])
    if comment:
        end = start + comment.start()
    if in_flow:
        stop = re.search(r",|\}|\]", line[start:end])
        if stop:
            end = start + stop.start()
    return start + len(line[start:end].rstrip())


class TextEditor:
    def __init__(self, text: str) -> None:
        self.lines = text.splitlines(keepends=True)
        self.indent = detect_indent(text)

    def text(self) -> str:
        return "".join(self.lines)

    def replace_span(self, line: int, start: int, end: int, new: str) -> None:
        row = self.lines[line]
        self.lines[line] = row[:start] + new + row[end:]

    def block_end(self, key_line: int, key_col: int) -> int:
        """Index of the line after the last content line that belongs to the entry at key_line."""
        last = key_line
        for i in range(key_line + 1, len(self.lines)):
            stripped = self.lines[i].strip()
            if not stripped or stripped.startswith("#"):
                continue
            indent = len(self.lines[i]) - len(self.lines[i].lstrip(" "))
            if stripped in ("---", "...") or indent <= key_col:
                break
            last = i
        return last + 1

    def insert_lines(self, at: int, block: str) -> None:
        if at > 0 and not self.lines[at - 1].endswith("\n"):
            self.lines[at - 1] += "\n"
        self.lines[at:at] = block.splitlines(keepends=True)


def render_entry(key: PathKey, value: Any, column: int, indent: int) -> str:
    body = dump_block({key: value}, indent=indent)
    pad = " " * column
    return "".join(pad + line if line.strip() else line for line in body.splitlines(keepends=True))


def to_plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: to_plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [to_plain(v) for v in node]
    return node


def nest(path: list[PathKey], value: Any) -> Any:
    for key in reversed(path):
        value = {key: value}
    return value


def set_plain(data: Any, path: list[PathKey], value: Any) -> Any:
    data = copy.deepcopy(data) if data is not None else {}
    if not path:
        return value
    node = data
    for key in path[:-1]:
        if isinstance(node, dict):
            if not isinstance(node.get(key), dict | list):
                node[key] = {}
            node = node[key]
        else:
            node = node[key]
    node[path[-1]] = value
    return data


def own_keys(node: CommentedMap) -> set[Any]:
    """Keys written in this mapping itself (not brought in by a `<<:` merge)."""
    own = getattr(node, "_ok", None)
    return set(own) if own is not None else set(node.keys())


def inline_token(editor: TextEditor, node: CommentedMap, key: PathKey) -> tuple[int, int, str]:
    """(line, column, first char) of what follows `key:` on the key's own line ("" if nothing).

    ruamel reports an alias's value at its anchor, so the text after the colon is what tells an
    alias (`*`), a flow collection (`{`, `[`) or a scalar on the same line apart.
    """
    key_line, key_col = node.lc.key(key)
    row = editor.lines[key_line].rstrip("\n")
    match = re.compile(r":(?:\s+|$)").search(row, key_col)
    if match is None:
        raise PatchError(f"cannot find the value of {key!r} on line {key_line + 1}")
    col = match.end()
    while row.startswith("&", col):  # an anchor: the value follows it
        anchor_end = row.find(" ", col)
        if anchor_end < 0:
            return key_line, len(row), ""
        col = anchor_end + 1
        while col < len(row) and row[col] == " ":
            col += 1
    first = row[col : col + 1]
    return key_line, col, "" if first == "#" else first


def apply_one(editor: TextEditor, text: str, change: Change) -> None:
    root = rt_load(text)
    if root is None:
        root = CommentedMap()
    path = list(change.path)
    if not path:
        raise PatchError("an empty path cannot be patched")
    node: Any = root
    for depth, key in enumerate(path):
        rest = path[depth + 1 :]
        if isinstance(node, CommentedSeq):
            if not isinstance(key, int) or not -len(node) <= key < len(node):
                raise PatchError(f"{change.dotted()}: no list item {key}")
            if not rest:
                line, col = node.lc.item(key)
                _replace_scalar(editor, line, col, change.new, in_flow=_in_flow(editor, line, col))
                return
            node = node[key]
            continue
        if not isinstance(node, CommentedMap):
            where = ".".join(map(str, path[:depth])) or "the document"
            raise PatchError(f"{change.dotted()}: {where} is not a mapping")
        if key not in own_keys(node):
            value = nest(rest, change.new)
            if key in node:  # brought in by a `<<:` merge: override it with a changed copy
                value = set_plain(to_plain(node[key]), rest, change.new)
            _insert_key(editor, node, key, value, is_root=node is root)
            return
        child = node[key]
        line, col, first = inline_token(editor, node, key)
        if first == "*" or (first in ("{", "[") and not get_path(to_plain(child), rest)[0]):
            # An alias (editing its anchor would change every user) or a flow collection that
            # lacks the key: write this value out as a block of its own.
            _replace_value_with_block(
                editor, line, col, set_plain(to_plain(child), rest, change.new)
            )
            return
        if not rest:
            if isinstance(child, CommentedMap | CommentedSeq):
                raise PatchError(f"{change.dotted()} is a collection, not a scalar")
            line, col = node.lc.value(key)
            _replace_scalar(editor, line, col, change.new, in_flow=_in_flow(editor, line, col))
            return
        if child is None:
            _replace_value_with_block(editor, line, col, nest(rest, change.new))
            return
        node = child


def _in_flow(editor: TextEditor, line: int, col: int) -> bool:
    """Whether the token at (line, col) sits inside a flow collection on that line."""
    before = editor.lines[line][:col]
    return before.count("{") + before.count("[") > before.count("}") + before.count("]")


def _replace_scalar(editor: TextEditor, line: int, col: int, new: Any, in_flow: bool) -> None:
    row = editor.lines[line]
    if row[col : col + 1] in ("|", ">"):
        raise PatchError("block scalars are not edited in place")
    end = token_end(row.rstrip("\n"), col, in_flow)
    editor.replace_span(line, col, end, format_scalar(new, row[col:end]))


def _insert_key(
    editor: TextEditor, node: CommentedMap, key: PathKey, value: Any, is_root: bool
) -> None:
    own = [k for k in node.lc.data if k in own_keys(node)] if node.lc.data else []
    if not own:
        if is_root:
            editor.insert_lines(len(editor.lines), render_entry(key, value, 0, editor.indent))
            return
        raise PatchError(f"cannot add key {key!r} to an empty mapping in place")
    if _in_flow(editor, *node.lc.key(own[0])):
        raise PatchError(f"cannot add key {key!r} to a flow-style mapping in place")
    col = int(node.lc.key(own[0])[1])
    last_key_line = max(node.lc.key(k)[0] for k in own)
    at = editor.block_end(last_key_line, col)
    editor.insert_lines(at, render_entry(key, value, col, editor.indent))


def _replace_value_with_block(editor: TextEditor, line: int, col: int, value: Any) -> None:
    """Replace the inline value starting at (line, col) by `value` written as an indented block."""
    row = editor.lines[line].rstrip("\n")
    key_col = len(row) - len(row.lstrip(" "))
    if row.lstrip(" ").startswith("- "):
        key_col += 2
    rest = row[col:]
    if rest[:1] in ("{", "["):
        depth = 0
        end = col
        for i, char in enumerate(rest):
            depth += (char in "{[" and 1) or (char in "}]" and -1) or 0
            if depth == 0:
                end = col + i + 1
                break
    else:
        end = token_end(row, col, in_flow=False)
    comment = row[end:].strip()
    head = row[:col].rstrip()
    editor.lines[line] = head + (" " + comment if comment.startswith("#") else "") + "\n"
    body = dump_block(value, indent=editor.indent)
    pad = " " * (key_col + editor.indent)
    block = "".join(pad + ln if ln.strip() else ln for ln in body.splitlines(keepends=True))
    editor.insert_lines(line + 1, block)


def apply_changes(text: str, changes: list[Change]) -> str:
    """Return the text with every change applied; raises PatchError if it cannot be done exactly."""
    editor = TextEditor(text)
    try:
        expected = to_plain(load_one(text)) or {}
    except YAMLError as exc:
        raise PatchError(f"invalid YAML: {yaml_problem(exc)}") from None
    for change in changes:
        apply_one(editor, editor.text(), change)
        expected = set_plain(expected, list(change.path), change.new)
    result = editor.text()
    if text.endswith("\n") and not result.endswith("\n"):
        result += "\n"
    try:
        actual = to_plain(load_one(result))
    except YAMLError as exc:
        raise PatchError(f"patched file does not parse: {exc}") from None
    if actual != expected:
        raise PatchError("patched file does not read back as intended")
    return result


def unified_diff(old: str, new: str, filename: str) -> str:
    """A `git diff`-style unified diff, with git's marker for a missing final newline."""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"a/{filename}",
        tofile=f"b/{filename}",
    )
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )


def patch_text(text: str, changes: list[Change], filename: str) -> Patched:
    new = apply_changes(text, changes)
    return Patched(text=new, diff=unified_diff(text, new, filename))
