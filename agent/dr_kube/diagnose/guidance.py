"""Reviewer guidance for the deterministic provider: turn PR comments into edits of a proposal.

Understood forms (case-insensitive, one per sentence):
- "use 384Mi", "set the memory request to 256Mi", "try 500m" → set that value on the proposed key;
- "raise requests too", "also bump the request" → raise the matching request with its limit;
- "don't touch cpu", "leave memory alone", "no cpu changes" → drop (and forbid) such changes.
Anything else is reported back as not understood; the proposal is then left as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from dr_kube.models import Change, PathKey, Proposal
from dr_kube.policy import field_kind
from dr_kube.quantity import QuantityError, format_cpu, format_memory, parse_quantity
from dr_kube.values_model import get_path

Kind = Literal["memory", "cpu", "replicas", "probe", "image"]
KIND_WORDS: dict[str, Kind] = {
    "memory": "memory",
    "mem": "memory",
    "ram": "memory",
    "cpu": "cpu",
    "cpus": "cpu",
    "replica": "replicas",
    "replicas": "replicas",
    "probe": "probe",
    "probes": "probe",
    "image": "image",
    "tag": "image",
}
QUANTITY = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|ki|mi|gi|ti|m|k|M|G)?(?![\w.])")
FORBID = re.compile(
    r"\b(?:don'?t|do not|never|no|without|leave|keep|not)\b.*?\b(" + "|".join(KIND_WORDS) + r")\b"
)
RAISE_REQUESTS = re.compile(
    r"\b(?:raise|increase|bump|also|too|as well)\b.*\brequests?\b|\brequests?\b.*\b(?:too|as well)\b"
)
SET_VALUE = re.compile(r"\b(?:use|set|make|try|go with|change|raise|increase|lower|bump)\b")


@dataclass
class Directives:
    """What a set of guidance texts asks for, and the sentences that were not understood."""

    values: list[tuple[Kind | None, str | None, str]] = field(default_factory=list)
    raise_requests: bool = False
    forbidden: set[Kind] = field(default_factory=set)
    understood: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def sentences(text: str) -> list[str]:
    parts = re.split(r"[\n;!?]+|\.(?=\s|$)|,\s*(?:and\s+)?|\s+and\s+", text)
    return [p.strip() for p in parts if p and p.strip() and not p.strip().startswith("/")]


def interpret(guidance: list[str]) -> Directives:
    found = Directives()
    for text in guidance:
        for sentence in sentences(text):
            if parse_sentence(sentence, found):
                found.understood.append(sentence)
            else:
                found.unknown.append(sentence)
    return found


def parse_sentence(sentence: str, found: Directives) -> bool:
    forbid = FORBID.search(sentence.lower())
    if forbid and not QUANTITY.search(sentence):
        found.forbidden.add(KIND_WORDS[forbid.group(1)])
        return True
    if RAISE_REQUESTS.search(sentence.lower()) and not QUANTITY.search(sentence):
        found.raise_requests = True
        return True
    quantity = QUANTITY.search(sentence)
    if quantity and SET_VALUE.search(sentence.lower()):
        number, unit = quantity.group(1), quantity.group(2) or ""
        if unit in ("ki", "mi", "gi", "ti"):
            unit = unit.capitalize()
        kind = kind_of(sentence, unit)
        target = ("requests" if re.search(r"\brequests?\b", sentence, re.I) else None) or (
            "limits" if re.search(r"\blimits?\b", sentence, re.I) else None
        )
        found.values.append((kind, target, f"{number}{unit}"))
        if RAISE_REQUESTS.search(sentence.lower()) and target is None:
            found.raise_requests = True
        return True
    return False


def kind_of(sentence: str, unit: str) -> Kind | None:
    if unit in ("Ki", "Mi", "Gi", "Ti", "k", "M", "G"):
        return "memory"
    if unit == "m":
        return "cpu"
    for word in re.findall(r"[a-z]+", sentence.lower()):
        if word in KIND_WORDS:
            return KIND_WORDS[word]
    return None


def apply_guidance(proposal: Proposal, guidance: list[str], values: Any) -> Proposal:
    """The proposal with the reviewers' guidance applied; unchanged when nothing applies."""
    if not guidance or not proposal.changes:
        return proposal
    found = interpret(guidance)
    changes = [c.model_copy(deep=True) for c in proposal.changes]
    for kind, target, value in found.values:
        changes = set_value(changes, kind, target, value, values)
    if found.raise_requests:
        changes = raise_requests(changes, values)
    kept = [c for c in changes if field_kind(c.path) not in found.forbidden]
    update: dict[str, Any] = {"changes": kept}
    if not kept:
        update["no_fix_reason"] = (
            "the review guidance rules out every change the analyzers proposed ("
            + ", ".join(sorted(found.forbidden))
            + ")"
        )
    return proposal.model_copy(update=update)


def set_value(
    changes: list[Change], kind: Kind | None, target: str | None, value: str, values: Any
) -> list[Change]:
    def matches(change: Change, want_target: str | None) -> bool:
        ck = field_kind(change.path)
        if kind is not None and ck != kind:
            return False
        if kind is None and ck not in ("replicas", "probe"):
            return False
        return want_target is None or str(change.path[-2]) == want_target

    hits = [c for c in changes if matches(c, target)]
    if not hits and target is None:
        hits = [c for c in changes if matches(c, "limits")]
    if hits:
        for change in hits if target else hits[:1]:
            change.new = typed(value, change.new)
        return changes
    if target is not None and kind in ("memory", "cpu"):
        sibling = next((c for c in changes if field_kind(c.path) == kind), None)
        if sibling is not None:
            path: list[PathKey] = [*sibling.path[:-2], target, sibling.path[-1]]
            found, old = get_path(values, path) if values is not None else (False, None)
            return [
                *changes,
                Change(file=sibling.file, path=path, old=old if found else None, new=value),
            ]
    return changes


def typed(value: str, like: Any) -> Any:
    """`3` for an int key, the quantity string otherwise."""
    if isinstance(like, int) and not isinstance(like, bool) and value.isdigit():
        return int(value)
    return value


def raise_requests(changes: list[Change], values: Any) -> list[Change]:
    out = list(changes)
    have = {tuple(c.path) for c in changes}
    for change in changes:
        kind = field_kind(change.path)
        if kind not in ("memory", "cpu") or str(change.path[-2]) != "limits":
            continue
        path: list[PathKey] = [*change.path[:-2], "requests", change.path[-1]]
        if tuple(path) in have or values is None:
            continue
        found, old_request = get_path(values, path)
        if not found or old_request is None:
            continue
        try:
            old_limit, new_limit = parse_quantity(change.old), parse_quantity(change.new)
            request = parse_quantity(old_request)
        except QuantityError:
            continue
        if old_limit <= 0 or new_limit <= old_limit:
            continue
        raised = min(request * (new_limit / old_limit), new_limit)
        new = (
            format_memory(raised, old_request)
            if kind == "memory"
            else format_cpu(raised, old_request)
        )
        if parse_quantity(new) > request:
            out.append(Change(file=change.file, path=path, old=old_request, new=new))
    return out


def describe(found: Directives) -> list[str]:
    """Plain words for what was understood, for the reply on the PR."""
    lines = [f"set {k or 'the value'}{' ' + t if t else ''} to {v}" for k, t, v in found.values]
    if found.raise_requests:
        lines.append("raise the matching requests with their limits")
    lines += [f"leave {k} unchanged" for k in sorted(found.forbidden)]
    return lines


def as_decimal(value: Any) -> Decimal | None:
    try:
        return parse_quantity(value)
    except QuantityError:
        return None
