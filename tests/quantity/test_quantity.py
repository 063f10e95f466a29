from __future__ import annotations

from decimal import Decimal

import pytest

from dr_kube.quantity import (
    QuantityError,
    format_cpu,
    format_memory,
    parse_quantity,
    round_memory_up,
    suffix_of,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("128Mi", 128 * 2**20),
        ("1Gi", 2**30),
        ("500M", 500 * 10**6),
        ("250m", Decimal("0.25")),
        ("2", 2),
        ("0.5", Decimal("0.5")),
        ("1e3", 1000),
        (3, 3),
        ("129e6", 129 * 10**6),
        ("1.5e-3", Decimal("0.0015")),
        ("1e3Mi", 1000 * 2**20),
        ("100n", Decimal("1e-7")),
        ("5u", Decimal("5e-6")),
        ("1k", 1000),
        ("2G", 2 * 10**9),
        ("1E", 10**18),
        ("1Ki", 2**10),
        ("1.5Gi", 3 * 2**29),
        ("1Ti", 2**40),
        ("1Pi", 2**50),
        ("1Ei", 2**60),
        (" 64Mi ", 64 * 2**20),
        ("+1", 1),
        (".5", Decimal("0.5")),
        (0.1, Decimal("0.1")),
    ],
)
def test_parse(text: object, value: object) -> None:
    assert parse_quantity(text) == Decimal(str(value))


@pytest.mark.parametrize(
    "bad",
    [
        *("", "12 Mi", "Mi", "1.2.3", "12mi", True, None, [1]),
        # the kubernetes client lets these through; the API server would refuse them
        *("1K", "1_000", "NaN", "Infinity", float("inf"), "1e", "0x10", "1ki", "1Zi"),
    ],
)
def test_parse_rejects(bad: object) -> None:
    with pytest.raises(QuantityError):
        parse_quantity(bad)


def test_format_follows_the_users_style() -> None:
    assert format_memory(256 * 2**20, like="128Mi") == "256Mi"
    assert format_memory(2**31, like="1Gi") == "2Gi"
    assert format_memory(512 * 10**6, like="256M") == "512M"
    assert format_cpu(Decimal("0.6"), like="300m") == "600m"
    assert format_cpu(Decimal(2), like="1") == "2"


def test_format_writes_whole_units_whatever_the_decimal_exponent() -> None:
    assert format_memory(parse_quantity("0.25Gi"), like="1Gi") == "256Mi"
    assert format_memory(parse_quantity("129e6"), like="1M") == "129M"
    assert format_memory(300 * 2**20 + 5) == "301Mi"
    assert format_cpu(parse_quantity("1e-1")) == "100m"
    assert format_cpu(Decimal("1.0001"), like="1") == "1001m"


def test_suffix_of_names_the_unit_the_user_wrote() -> None:
    assert [suffix_of(v) for v in ("128Mi", "250m", "2", "1E", "1e3")] == ["Mi", "m", "", "E", ""]
    assert suffix_of("12 Mi") is None and suffix_of(3) is None


def test_round_memory_up_to_tidy_steps() -> None:
    assert round_memory_up(Decimal(200 * 2**20)) == 208 * 2**20
    assert round_memory_up(Decimal(1000 * 2**20)) == 1024 * 2**20
