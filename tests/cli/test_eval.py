"""`dr-kube eval`: exit codes, JSON output, --compare and --baseline, on a small real corpus."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dr_kube.cli.main import main

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO / "eval" / "scenarios"
PICK = [
    "dev/oom-go-checkoutservice",
    "test/cpu-throttling-productcatalogservice",
    "dev/crashloop-app-bug-python",
]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "scenarios"
    for name in PICK:
        shutil.copytree(SOURCE / name, root / name)
    return root


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["eval", *args])
    return result.exit_code, result.stdout, result.stderr


def test_runs_and_prints_the_table(corpus: Path) -> None:
    code, out, _ = invoke(str(corpus))
    assert code == 0
    assert "SCENARIO" in out and "dev/oom-go-checkoutservice" in out and "PASS" in out
    assert "3/3 passed" in out and "p95" in out


def test_json_output(corpus: Path) -> None:
    code, out, _ = invoke(str(corpus), "--output", "json")
    assert code == 0
    report = json.loads(out)
    assert report["schema"] == "dr-kube/eval@1"
    assert report["totals"]["pass_rate"] == 1.0
    first = report["scenarios"][0]
    assert {"name", "passed", "failures", "incidents", "seconds", "category"} <= set(first)
    assert first["incidents"][0]["tokens_in"] == 0


def test_missing_directory_exits_2_with_one_line(tmp_path: Path) -> None:
    code, _, err = invoke(str(tmp_path / "nope"))
    assert code == 2
    assert err.strip().count("\n") == 0 and "no such scenario directory" in err


def test_no_directory_and_no_compare_exits_2() -> None:
    code, _, err = invoke()
    assert code == 2 and "--compare" in err


def test_malformed_expect_exits_2(corpus: Path) -> None:
    (corpus / PICK[0] / "expect.yaml").write_text("categories: [oom\n")
    code, _, err = invoke(str(corpus))
    assert code == 2
    assert "expect.yaml" in err and err.strip().count("\n") == 0


def test_scenario_without_gitops_exits_2(corpus: Path) -> None:
    shutil.rmtree(corpus / PICK[0] / "gitops")
    code, _, err = invoke(str(corpus))
    assert code == 2 and "no gitops" in err


def test_baseline_regression_exits_4(corpus: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    code, _, _ = invoke(str(corpus), "--write-baseline", str(baseline))
    assert code == 0 and json.loads(baseline.read_text())["pass_rate"] == 1.0
    assert invoke(str(corpus), "--baseline", str(baseline))[0] == 0
    expect = corpus / PICK[0] / "expect.yaml"
    expect.write_text(expect.read_text().replace("- oom", "- crashloop", 1))
    code, _, err = invoke(str(corpus), "--baseline", str(baseline))
    assert code == 4
    assert "below the baseline" in err and f"regression: {PICK[0]}" in err


def test_baseline_of_another_provider_is_a_problem(corpus: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps({"provider": "gemini", "pass_rate": 0.5, "passing": []}))
    code, _, err = invoke(str(corpus), "--baseline", str(baseline))
    assert code == 4 and "provider gemini" in err


def test_bad_baseline_file_exits_2(corpus: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text("{}")
    assert invoke(str(corpus), "--baseline", str(baseline))[0] == 2


def test_compare_shows_per_scenario_differences(corpus: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert invoke(str(corpus), "-o", "json")[0] == 0
    a.write_text(invoke(str(corpus), "-o", "json")[1])
    expect = corpus / PICK[0] / "expect.yaml"
    expect.write_text(expect.read_text().replace("max: 256Mi", "max: 192Mi"))
    b.write_text(invoke(str(corpus), "-o", "json")[1])
    code, out, _ = invoke("--compare", str(a), str(b))
    assert code == 0
    assert f"- {PICK[0]}" in out and "regressed" in out and "-33.3 points" in out
    code, out, _ = invoke("--compare", str(a), str(b), "-o", "json")
    diffs = json.loads(out)["differences"]
    assert [d["scenario"] for d in diffs] == [PICK[0]]
    assert invoke("--compare", str(a), str(a))[1].rstrip().endswith("No per-scenario differences.")


def test_compare_with_a_file_that_is_not_a_report_exits_2(tmp_path: Path) -> None:
    bogus = tmp_path / "x.json"
    bogus.write_text('{"hello": 1}')
    code, _, err = invoke("--compare", str(bogus), str(bogus))
    assert code == 2 and "not a dr-kube eval report" in err


def test_filter_with_no_match_exits_2(corpus: Path) -> None:
    assert invoke(str(corpus), "-k", "zzz")[0] == 2
