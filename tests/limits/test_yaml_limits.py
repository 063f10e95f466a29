"""The YAML budget: aliases counted as expanded without expanding them, every loader bounded."""

from __future__ import annotations

import pytest

from dr_kube.gitops.patch import rt_load
from dr_kube.yamlio import YamlLimitError, expanded_nodes, load_all, load_one


def bomb(levels: int, width: int = 9) -> str:
    lines = ["a0: &a0 [" + ", ".join(['"x"'] * width) + "]"]
    for n in range(1, levels):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_the_count_is_the_expanded_size_without_expanding() -> None:
    data = load_one(bomb(3, width=3))
    # a0 = 1 + 3; a1 = 1 + 3 * 4; a2 = 1 + 3 * 13; root = 1 + 3 keys + (4 + 13 + 40)
    assert expanded_nodes(data, 10**9) == 1 + 3 + 4 + 13 + 40
    assert expanded_nodes({"k": [1, 2], "m": {"n": None}}, 100) == 1 + 2 + 3 + 3


def test_a_bomb_is_refused_by_every_loader_and_plain_aliases_pass() -> None:
    text = bomb(9)
    for load in (load_one, load_all, rt_load):
        with pytest.raises(YamlLimitError, match="DRKUBE_MAX_YAML_NODES"):
            load(text)
    merged = "base: &b {cpu: 1m, memory: 2Mi}\nweb: {<<: *b, memory: 4Mi}\nlist: [*b, *b]\n"
    assert load_one(merged)["web"] == {"cpu": "1m", "memory": "4Mi"}
    assert rt_load(merged)["list"][1]["memory"] == "2Mi"


def test_a_self_referencing_alias_is_refused() -> None:
    loop: list[object] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="contains it"):
        expanded_nodes({"a": loop}, 100)
    with pytest.raises(YamlLimitError, match="contains it"):
        load_one("a: &a [1, *a]\n")


def test_the_budget_and_the_size_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRKUBE_MAX_YAML_NODES", "20")
    with pytest.raises(YamlLimitError, match="over 20 nodes"):
        load_one(bomb(2))
    assert load_one("a: [1, 2, 3]\n") == {"a": [1, 2, 3]}  # no alias: not walked
    monkeypatch.setenv("DRKUBE_MAX_YAML_BYTES", "10")
    with pytest.raises(YamlLimitError, match="over the 10-byte limit"):
        load_one("key: a value longer than ten\n")
