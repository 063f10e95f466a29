"""JSON from outside (request bodies, alert files), bounded before the parser can run away.

The nesting depth is measured on the raw text, strings left out, before `json.loads` sees it
(`DRKUBE_MAX_JSON_DEPTH`); numbers longer than `DRKUBE_MAX_JSON_NUMBER_CHARS` stop the parse as
they are met, before Python turns them into an int; `NaN` and `Infinity` are not JSON. Strings
must be text a store takes: a lone UTF-16 surrogate (`"\\ud800"`) or a NUL character is refused
(`text_problem`). Every refusal is a `JsonInputError` (an `InputError`) whose message is one line.
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from typing import Any

from dr_kube.config.limits import limits
from dr_kube.errors import InputError

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_DELTA = {"[": 1, "{": 1, "]": -1, "}": -1}
_SUSPECT_ESCAPE = re.compile(r"\\u(?:[dD][89a-fA-F][0-9a-fA-F]{2}|0000)")


class JsonInputError(InputError):
    """A JSON text that is malformed or over a limit."""


def nesting(text: str) -> int:
    """The deepest nesting of objects and arrays in `text`, brackets inside strings left out."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_DELTA.__getitem__, brackets)), default=0)


def loads(raw: bytes | str, check_text: bool = True) -> Any:
    """The decoded value; a string that is not storable text (`text_problem`) is refused too
    unless `check_text` is off, for callers that refuse it item by item."""
    bounds = limits()
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JsonInputError(f"not valid JSON: not UTF-8 at byte {exc.start}") from None
    else:
        text = raw
    deepest = nesting(text)
    if deepest > bounds.json_depth:
        raise JsonInputError(
            f"JSON nested {deepest} deep is over the limit of {bounds.json_depth} "
            "(DRKUBE_MAX_JSON_DEPTH)"
        )
    number = _number(bounds.json_number_chars)
    try:
        value = json.loads(
            text, parse_int=number(int), parse_float=number(float), parse_constant=_constant
        )
    except json.JSONDecodeError as exc:
        raise JsonInputError(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise JsonInputError("JSON nested too deep") from None
    if check_text and _SUSPECT_ESCAPE.search(text):
        problem = text_problem(value)
        if problem is not None:
            raise JsonInputError(f"a JSON string {problem}")
    return value


def text_problem(value: Any) -> str | None:
    """What makes a string anywhere in `value` (keys included) unstorable: a lone UTF-16
    surrogate (no UTF-8 store takes it) or a NUL character (PostgreSQL's text takes none)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return "holds a NUL character"
            if not item.isascii():
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    return "holds a lone UTF-16 surrogate (not Unicode text)"
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _number(limit: int) -> Any:
    def convert(kind: Any) -> Any:
        def parse(token: str) -> Any:
            if len(token) > limit:
                raise JsonInputError(
                    f"a JSON number of {len(token)} characters is over the limit of {limit} "
                    "(DRKUBE_MAX_JSON_NUMBER_CHARS)"
                )
            value = kind(token)
            if isinstance(value, float) and math.isinf(value):
                raise JsonInputError(f"the JSON number {token[:20]} is out of range")
            return value

        return parse

    return convert


def _constant(token: str) -> Any:
    raise JsonInputError(f"not valid JSON: {token} is not a JSON number")
