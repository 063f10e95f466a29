"""Kubernetes resource quantities: parse, compare, scale and format the way users write them."""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

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
QUANTITY_RE = re.compile(
    r"^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]?)$"
)


class QuantityError(ValueError):
    pass


def parse_quantity(value: object) -> Decimal:
    """Parse `128Mi`, `0.5`, `250m`, `1e3`, or a number, into a Decimal of base units."""
    if isinstance(value, bool):
        raise QuantityError(f"{value!r} is not a quantity")
    if isinstance(value, int | float):
        return Decimal(str(value))
    if not isinstance(value, str):
        raise QuantityError(f"{value!r} is not a quantity")
    match = QUANTITY_RE.match(value.strip())
    if not match:
        raise QuantityError(f"{value!r} is not a valid Kubernetes quantity")
    number, suffix = match.groups()
    try:
        base = Decimal(number)
    except InvalidOperation:
        raise QuantityError(f"{value!r} is not a valid Kubernetes quantity") from None
    if suffix in BINARY:
        return base * BINARY[suffix]
    return base * DECIMAL[suffix]


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
            return f"{int(amount / factor)}{suffix}"
    # Not a whole number of any unit: round up to whole Mi (or M).
    mega = DECIMAL["M"] if units[0][0] == "E" else Decimal(BINARY["Mi"])
    suffix = "M" if units[0][0] == "E" else "Mi"
    return f"{math.ceil(amount / mega)}{suffix}"


def format_cpu(cores: Decimal | int | float, like: object = None) -> str:
    """Format CPU as millicores (`600m`) or cores (`2`) following the style of `like`."""
    amount = Decimal(cores)
    millis = int((amount * 1000).to_integral_value(rounding="ROUND_CEILING"))
    if suffix_of(like) == "m" or millis % 1000:
        return f"{millis}m"
    if isinstance(like, int | float) and not isinstance(like, bool):
        return str(millis // 1000)
    return str(millis // 1000)


def suffix_of(value: object) -> str | None:
    if isinstance(value, str):
        match = QUANTITY_RE.match(value.strip())
        if match:
            return match.group(2)
    return None


def round_memory_up(num_bytes: Decimal) -> Decimal:
    """Round up to a tidy step: 16Mi under 256Mi, 64Mi under 2Gi, else 256Mi."""
    mi = Decimal(BINARY["Mi"])
    step = 16 * mi if num_bytes < 256 * mi else 64 * mi if num_bytes < 2048 * mi else 256 * mi
    return (num_bytes / step).to_integral_value(rounding="ROUND_CEILING") * step


def round_cpu_up(cores: Decimal) -> Decimal:
    """Round up to 50m steps (100m steps above 1 core)."""
    step = Decimal("0.05") if cores < 1 else Decimal("0.1")
    return (cores / step).to_integral_value(rounding="ROUND_CEILING") * step
