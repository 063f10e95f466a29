"""JSON from outside (request bodies, alert files), bounded before the parser can run away.

The nesting depth is measured on the raw text, strings left out, before `json.loads` sees it
(`DRKUBE_MAX_JSON_DEPTH`); numbers longer than `DRKUBE_MAX_JSON_NUMBER_CHARS` stop the parse as
they are met, before Python turns them into an int; `NaN` and `Infinity` are not JSON. Every
refusal is a `JsonInputError` (an `InputError`) whose message is one line.
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
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class JsonInputError(InputError):
    """A JSON text that is malformed or over a limit."""


def nesting(text: str) -> int:
    """The deepest nesting of objects and arrays in `text`, brackets inside strings left out."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_DELTA.__getitem__, brackets)), default=0)


def loads(raw: bytes | str, allow_surrogates: bool = False) -> Any:
    """The decoded value; a lone UTF-16 surrogate (`"\\ud800"`) is refused too unless
    `allow_surrogates`, for callers that refuse it item by item (`has_lone_surrogate`)."""
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
    if not allow_surrogates and _SURROGATE_ESCAPE.search(text) and has_lone_surrogate(value):
        raise JsonInputError("a JSON string holds a lone UTF-16 surrogate (not Unicode text)")
    return value


def has_lone_surrogate(value: Any) -> bool:
    """Whether a string anywhere in `value` holds a lone surrogate, which no UTF-8 store takes."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


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
