from __future__ import annotations

from decimal import Decimal

import pytest

from dr_kube.quantity import (
    QuantityError,
    format_cpu,
    format_memory,
    parse_quantity,
    round_memory_up,
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
    ],
)
def test_parse(text: object, value: object) -> None:
    assert parse_quantity(text) == Decimal(str(value))


@pytest.mark.parametrize("bad", ["", "12 Mi", "Mi", "1.2.3", "12mi", True, None, [1]])
def test_parse_rejects(bad: object) -> None:
    with pytest.raises(QuantityError):
        parse_quantity(bad)


def test_format_follows_the_users_style() -> None:
    assert format_memory(256 * 2**20, like="128Mi") == "256Mi"
    assert format_memory(2**31, like="1Gi") == "2Gi"
    assert format_memory(512 * 10**6, like="256M") == "512M"
    assert format_cpu(Decimal("0.6"), like="300m") == "600m"
    assert format_cpu(Decimal(2), like="1") == "2"


def test_round_memory_up_to_tidy_steps() -> None:
    assert round_memory_up(Decimal(200 * 2**20)) == 208 * 2**20
    assert round_memory_up(Decimal(1000 * 2**20)) == 1024 * 2**20
