"""Pick a chart version the way Argo CD does: an exact `targetRevision` pins it; a constraint
(`1.2.*`, `^1.2`, `~1.2.3`, `>=1.0 <2.0`, `>=1.0, <2.0`, `1.x || 2.x`, `*`, empty) picks the highest
matching version, as Helm's Masterminds semver constraints read them. Missing parts are wildcards
(`1.2` is `1.2.*`); pre-releases count only when the constraint names one."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from semver import Version

Check = Callable[[Version], bool]
WILDCARDS = {"x", "X", "*"}
TERM = re.compile(
    r"^(=|==|!=|>=|<=|>|<|\^|~>|~)?\s*v?([0-9xX*]+(?:\.[0-9xX*]+){0,2})(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$"
)


def parse_version(text: str) -> Version | None:
    """A chart version as semver (`v1.2.3` too, and `1.2` padded), None when it is not one."""
    text = text.strip().removeprefix("v")
    try:
        return Version.parse(text, optional_minor_and_patch=True)
    except ValueError:
        return None


def is_exact(revision: str) -> bool:
    """A plain version, not a constraint: Argo CD pins it without reading ranges."""
    text = revision.strip().removeprefix("v")
    return bool(re.fullmatch(r"\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?", text))


def _term(text: str) -> tuple[Check, bool]:
    """One comparison as a check, and whether it names a pre-release."""
    match = TERM.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a version constraint")
    op, core, pre = match.group(1) or "=", match.group(2), match.group(3) or ""
    parts = core.split(".")
    fixed: list[int] = []
    for part in parts:
        if part in WILDCARDS:
            break
        fixed.append(int(part))
    wild = len(fixed) < 3
    major, minor, patch = [*fixed, 0, 0, 0][:3]
    base = Version(major, minor, patch, prerelease=pre[1:] or None)

    def upper(level: int) -> Version:
        """The first version past `base` at `level` (0 major, 1 minor, 2 patch)."""
        return [base.bump_major, base.bump_minor, base.bump_patch][level]().replace(prerelease=None)

    if op in ("=", "=="):
        if not wild:
            return (lambda v: v == base), bool(pre)
        if not fixed:
            return (lambda v: True), False
        top = upper(len(fixed) - 1)
        return (lambda v: base <= v < top), bool(pre)
    if op == "!=":
        if not wild:
            return (lambda v: v != base), bool(pre)
        top = upper(len(fixed) - 1) if fixed else base
        return (lambda v: not (base <= v < top)) if fixed else (lambda v: False), bool(pre)
    if op in ("~", "~>"):
        top = upper(0 if len(fixed) <= 1 else 1)
        return (lambda v: base <= v < top), bool(pre)
    if op == "^":
        # The first non-zero part is fixed: ^1.2.3 < 2.0.0, ^0.2.3 < 0.3.0, ^0.0.3 < 0.0.4.
        level = next((i for i, n in enumerate(fixed) if n != 0), max(len(fixed) - 1, 0))
        level = min(level, max(len(fixed) - 1, 0)) if wild else level
        top = upper(level)
        return (lambda v: base <= v < top), bool(pre)
    if op == ">":
        floor = upper(len(fixed) - 1) if wild and fixed else base
        return ((lambda v: v >= floor) if wild and fixed else (lambda v: v > base)), bool(pre)
    if op == ">=":
        return (lambda v: v >= base), bool(pre)
    if op == "<":
        return (lambda v: v < base), bool(pre)
    # "<=": with a wildcard, anything below the next step.
    ceiling = upper(len(fixed) - 1) if wild and fixed else None
    if ceiling is not None:
        return (lambda v: v < ceiling), bool(pre)
    return (lambda v: v <= base), bool(pre)


def _hyphen(text: str) -> str:
    """`1.2 - 1.4.5` → `>=1.2 <=1.4.5`."""
    return re.sub(r"(\S+)\s+-\s+(\S+)", r">=\1 <=\2", text)


def constraint(text: str) -> Check:
    """The whole constraint: `||` alternatives of terms that must all hold."""
    alternatives: list[tuple[list[Check], bool]] = []
    for alternative in (text.strip() or "*").split("||"):
        spaced = re.sub(r"(=|==|!=|>=|<=|>|<|\^|~>|~)\s+", r"\1", _hyphen(alternative.strip()))
        terms = [t for t in re.split(r"[\s,]+", spaced) if t]
        checks = [_term(t) for t in terms or ["*"]]
        alternatives.append(([c for c, _ in checks], any(p for _, p in checks)))

    def check(version: Version) -> bool:
        for checks, allows_pre in alternatives:
            if version.prerelease and not allows_pre:
                continue
            if all(c(version) for c in checks):
                return True
        return False

    return check


def pick_version(revision: str | None, available: Iterable[str]) -> str | None:
    """The version string (as the repository spells it) that `revision` selects, or None."""
    parsed = [(text, v) for text in available if (v := parse_version(text)) is not None]
    wanted = (revision or "").strip()
    if wanted and is_exact(wanted):
        exact = parse_version(wanted)
        return next((text for text, v in parsed if v == exact), None)
    check = constraint(wanted)
    matching = [(v, text) for text, v in parsed if check(v)]
    return max(matching)[1] if matching else None
