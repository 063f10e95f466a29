"""The whole corpus with the rules provider: at or above the committed baseline, fast, fresh."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from dr_kube.cli.output import render_text
from dr_kube.evaluate.report import check_baseline, load_baseline
from dr_kube.evaluate.runner import run_corpus
from dr_kube.evaluate.scenario import discover
from dr_kube.models import CATEGORIES

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "eval" / "scenarios"


@pytest.fixture(scope="module")
def report():  # type: ignore[no-untyped-def]
    scenarios = discover(CORPUS)
    started = time.perf_counter()
    result = run_corpus(scenarios, "rules", str(CORPUS), render_text)
    result.totals.total_seconds = time.perf_counter() - started
    return result


def test_corpus_is_big_and_covers_every_category() -> None:
    scenarios = discover(CORPUS)
    assert len(scenarios) >= 100
    assert {s.split for s in scenarios} == {"dev", "test"}
    covered = {c for s in scenarios for e in [s.expect, *s.expect.incidents] for c in e.categories}
    assert covered >= set(CATEGORIES) - {"unknown"}


def test_pass_rate_is_not_below_the_baseline(report) -> None:  # type: ignore[no-untyped-def]
    baseline = load_baseline(REPO / "eval" / "baseline.json")
    problems = check_baseline(report, baseline)
    failing = {o.name: o.failures for o in report.scenarios if not o.passed}
    assert not problems, f"{problems}\nfailing now: {failing}"


def test_whole_corpus_runs_in_under_a_minute(report) -> None:  # type: ignore[no-untyped-def]
    assert report.totals.total_seconds < 60


def test_rules_provider_never_leaks_a_secret_to_the_output(report) -> None:  # type: ignore[no-untyped-def]
    leaks = [o.name for o in report.scenarios for f in o.failures if f.startswith("leaked secret")]
    baseline = load_baseline(REPO / "eval" / "baseline.json")
    assert not [name for name in leaks if name in baseline.passing]


def test_committed_corpus_matches_its_generator() -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "eval" / "tools" / "gen_scenarios.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
