"""Kubernetes resource quantities: parse, compare, scale and format the way users write them."""

from __future__ import annotations

import math
from decimal import Decimal

BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
DECIMAL = {
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "": Decimal(1),
    "k": Decimal("1e3"),
    "M": Decimal("1e6"),
    "G": Decimal("1e9"),
    "T": Decimal("1e12"),
    "P": Decimal("1e15"),
    "E": Decimal("1e18"),
}


class QuantityError(ValueError):
    pass


def parse_quantity(value: object) -> Decimal:
    """Parse `128Mi`, `0.5`, `250m`, `1e3`, or a number, into a Decimal of base units.

    The kubernetes client does the parsing. It is laxer than the API server, which would refuse
    what it lets through (`12 Mi`, `1_000`, `NaN`, the suffix `K`), so those are refused here.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise QuantityError(f"{value!r} is not a quantity")
    text = value.strip() if isinstance(value, str) else str(value)  # str(): 0.1 stays 0.1
    if isinstance(value, str) and (not _kubernetes_spelling(text)):
        raise QuantityError(f"{value!r} is not a valid Kubernetes quantity")
    # imported here: the kubernetes package costs ~0.3 s to import, and `--help` or intake never parse
    from kubernetes.utils.quantity import parse_quantity as kube_parse_quantity

    try:
        parsed: Decimal = kube_parse_quantity(text)  # type: ignore[no-untyped-call]
    except ValueError:
        raise QuantityError(f"{value!r} is not a valid Kubernetes quantity") from None
    if not parsed.is_finite():
        raise QuantityError(f"{value!r} is not a finite quantity")
    return parsed


def _kubernetes_spelling(text: str) -> bool:
    """Only what a Kubernetes quantity may contain: digits, sign, point, exponent, a known suffix."""
    number = text.removesuffix(_written_suffix(text))
    return bool(number) and all(c in "0123456789+-.eE" for c in number)


def _written_suffix(text: str) -> str:
    for suffix in (*BINARY, *DECIMAL):
        if suffix and text.endswith(suffix):
            return suffix
    return ""


def format_memory(num_bytes: Decimal | int | float, like: object = None) -> str:
    """Format bytes in the unit style of `like` (Mi/Gi or M/G); whole numbers only."""
    amount = Decimal(num_bytes)
    style = suffix_of(like)
    if style in DECIMAL and style not in ("", "m", "n", "u"):
        units = [
            ("E", DECIMAL["E"]),
            ("P", DECIMAL["P"]),
            ("T", DECIMAL["T"]),
            ("G", DECIMAL["G"]),
            ("M", DECIMAL["M"]),
            ("k", DECIMAL["k"]),
        ]
    else:
        units = [(s, Decimal(f)) for s, f in sorted(BINARY.items(), key=lambda i: -i[1])]
    for suffix, factor in units:
        if amount >= factor and (amount / factor) == (amount / factor).to_integral_value():
            return _whole(amount, suffix)
    # Not a whole number of any unit: round up to whole Mi (or M).
    mega = DECIMAL["M"] if units[0][0] == "E" else Decimal(BINARY["Mi"])
    suffix = "M" if units[0][0] == "E" else "Mi"
    return _whole(math.ceil(amount / mega) * mega, suffix)


def format_cpu(cores: Decimal | int | float, like: object = None) -> str:
    """Format CPU as millicores (`600m`) or cores (`2`) following the style of `like`."""
    amount = Decimal(cores)
    millis = int((amount * 1000).to_integral_value(rounding="ROUND_CEILING"))
    if suffix_of(like) == "m" or millis % 1000:
        return _whole(Decimal(millis) / 1000, "m")
    return _whole(Decimal(millis) / 1000, "")


def _whole(amount: Decimal, suffix: str) -> str:
    """`amount` (base units, a whole number of `suffix`) written the canonical way: `256Mi`, `2`."""
    from kubernetes.utils.quantity import format_quantity

    text: str = format_quantity(amount, suffix, quantize=Decimal(1))
    return text if suffix else format(amount.quantize(Decimal(1)), "f")


def suffix_of(value: object) -> str | None:
    """The unit a user wrote (`Mi`, `m`, `""` for none), or None when `value` is no quantity string."""
    if not isinstance(value, str):
        return None
    try:
        parse_quantity(value)
    except QuantityError:
        return None
    return _written_suffix(value.strip())


def round_memory_up(num_bytes: Decimal) -> Decimal:
    """Round up to a tidy step: 16Mi under 256Mi, 64Mi under 2Gi, else 256Mi."""
    mi = Decimal(BINARY["Mi"])
    step = 16 * mi if num_bytes < 256 * mi else 64 * mi if num_bytes < 2048 * mi else 256 * mi
    return (num_bytes / step).to_integral_value(rounding="ROUND_CEILING") * step


def round_cpu_up(cores: Decimal) -> Decimal:
    """Round up to 50m steps (100m steps above 1 core)."""
    step = Decimal("0.05") if cores < 1 else Decimal("0.1")
    return (cores / step).to_integral_value(rounding="ROUND_CEILING") * step
