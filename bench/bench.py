"""Core pipeline benchmark: start-up, `run` and `fix` per incident, peak memory.

Targets on 2 cores: start-up < 1.0 s, run < 50 ms, fix < 250 ms per incident after start-up,
peak memory < 200 MB. Prints its figures; `make bench` runs it.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SAMPLE = ROOT / "agent" / "issues" / "sample_oom.json"
CLUSTER = ROOT / "agent" / "issues" / "cluster"
CHARTS = ROOT / "agent" / "issues" / "charts"
RUNS = 20


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))
    return ordered[index]


def line(name: str, values: list[float], target: float) -> None:
    median, p95 = statistics.median(values), percentile(values, 95)
    verdict = "ok" if p95 < target else "OVER"
    print(
        f"{name:<34} median {median * 1000:8.1f} ms   p95 {p95 * 1000:8.1f} ms   target < {target * 1000:.0f} ms  {verdict}"
    )


def startup(command: list[str]) -> list[float]:
    times = []
    for _ in range(10):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def first_run_wall() -> float:
    """A whole `dr-kube run` process on the sample, imports included."""
    script = Path(sys.executable).with_name("dr-kube")
    start = time.perf_counter()
    subprocess.run(
        [
            str(script),
            "run",
            str(SAMPLE),
            "--cluster",
            str(CLUSTER),
            "--charts",
            str(CHARTS),
            "-o",
            "json",
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    return time.perf_counter() - start


def git(cwd: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@x",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@x",
    }
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


def main() -> None:
    from dr_kube.alerts import load_incidents
    from dr_kube.cluster.dump import DumpSource
    from dr_kube.diagnose.rules import RulesProvider
    from dr_kube.graph.context import RunContext
    from dr_kube.graph.runner import run_incident
    from dr_kube.policy import Policy

    print(
        f"DR-Kube core benchmark — {os.cpu_count()} cores, Python {sys.version.split()[0]}, {RUNS} runs each\n"
    )
    script = str(Path(sys.executable).with_name("dr-kube"))
    line("start-up: dr-kube --help", startup([script, "--help"]), 1.0)
    pipeline = (
        "import dr_kube.cli.main, dr_kube.graph.runner, dr_kube.graph.graph, dr_kube.cluster.dump"
    )
    line("start-up: pipeline imported", startup([sys.executable, "-c", pipeline]), 1.0)
    print(
        f"{'whole `dr-kube run` process':<34} {first_run_wall() * 1000:8.1f} ms (start-up + one incident)"
    )

    incident = load_incidents(SAMPLE)[0]
    work = Path(tempfile.mkdtemp(prefix="dr-kube-bench-"))
    try:
        repo = work / "gitops"
        repo.mkdir()
        for folder in ("applications", "values"):
            shutil.copytree(ROOT / folder, repo / folder)
        git(repo, "init", "-q", "--initial-branch=main")
        git(repo, "add", ".")
        git(repo, "commit", "-qm", "baseline")

        def context(publish: bool) -> RunContext:
            return RunContext(
                repo=repo,
                policy=Policy(),
                provider=RulesProvider(),
                source=DumpSource(CLUSTER),
                chart_dirs=[CHARTS],
                publish=publish,
            )

        run_incident(incident, context(False))  # warm caches (dump files, chart scan)
        runs = []
        for _ in range(RUNS):
            start = time.perf_counter()
            result = run_incident(incident, context(False))
            runs.append(time.perf_counter() - start)
            assert result.fix.status == "proposed"
        line("run (per incident, warm caches)", runs, 0.050)

        fixes = []
        for _ in range(RUNS):
            if fixes:  # a new commit every time: drop the branch the previous fix made
                git(repo, "branch", "-D", "dr-kube/online-boutique/frontend/oom")
            start = time.perf_counter()
            result = run_incident(incident, context(True))
            fixes.append(time.perf_counter() - start)
            assert result.pr is not None and result.pr.commit
        line("fix (commit on a local repo)", fixes, 0.250)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    verdict = "ok" if peak_mb < 200 else "OVER"
    print(f"{'peak memory (this process)':<34} {peak_mb:8.1f} MB   target < 200 MB  {verdict}")


if __name__ == "__main__":
    main()
