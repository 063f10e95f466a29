"""Bounded JSON: nesting measured on the raw text (strings left out), numbers stopped as met."""

from __future__ import annotations

import pytest

from dr_kube.safejson import JsonInputError, loads, nesting, text_problem


def test_nesting_leaves_out_brackets_inside_strings() -> None:
    assert nesting('{"a": [1, {"b": []}]}') == 4
    assert nesting('{"a": "[[[[{{{{", "b": "\\"[[[["}') == 1
    assert nesting("[]" * 1000) == 1
    assert nesting("") == 0


def test_the_limits_refuse_before_python_does(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(JsonInputError, match="nested 65 deep"):
        loads("[" * 65 + "]" * 65)
    assert loads("[" * 64 + "]" * 64) is not None
    with pytest.raises(JsonInputError, match="number of 101 characters"):
        loads("[" + "7" * 101 + "]")
    assert loads('{"n": ' + "7" * 100 + "}")["n"] > 0
    monkeypatch.setenv("DRKUBE_MAX_JSON_DEPTH", "3")
    with pytest.raises(JsonInputError, match="over the limit of 3"):
        loads('{"a": {"b": {"c": {}}}}')


def test_text_no_store_takes_is_refused_and_pairs_kept() -> None:
    assert loads('{"e": "\\ud83d\\ude00"}') == {"e": "\U0001f600"}
    with pytest.raises(JsonInputError, match="lone UTF-16 surrogate"):
        loads('{"e": "\\ud800"}')
    with pytest.raises(JsonInputError, match="NUL character"):
        loads('{"e": {"k\\u0000": 1}}')
    assert loads('{"e": "\\\\u0000 and \\\\ud800 as plain text"}')["e"].startswith("\\u0000")
    value = loads('{"e": ["ok", "\\udfff"]}', check_text=False)
    assert text_problem(value) == "holds a lone UTF-16 surrogate (not Unicode text)"
    assert text_problem({"e": "\\ud800", "n": [1, None, "é"]}) is None
