"""Bounded work through the real CLI: an alias bomb and a huge values file are clear refusals
(exit 2) with little memory, a chart archive that would unpack into too much is not used, and an
alert file nested 50,000 deep is bad input, not an internal error. No timing asserts: a run that
would not end is killed by the helper and fails the test; memory is the run's measured peak RSS."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path
from typing import Any

import pytest

from tests.support.paths import SAMPLE_CHARTS, SAMPLE_CLUSTER, SAMPLES
from tests.support.processes import run_drkube, write_bytes_fast
from tests.support.repos import git, init_gitops_repo

pytestmark = pytest.mark.slow

VALUES = "values/online-boutique.yaml"
PEAK_MIB = 400  # a plain run peaks near 170 MiB (render worker included)
ALIAS_BOMB = """
lol:
  a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
  e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
  f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
  g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
  h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
  i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def run(
    repo: Path, *extra: str, alert: Path = SAMPLES / "sample_oom.json"
) -> tuple[int, str, float]:
    done = run_drkube(
        "run", str(alert), "--cluster", str(SAMPLE_CLUSTER), "--gitops-repo", str(repo), *extra
    )
    return done.code, done.stderr, done.peak_rss_mib


def committed(repo: Path, extra: str) -> Path:
    with (repo / VALUES).open("a") as handle:
        handle.write(extra)
    git(repo, "commit", "--quiet", "-am", "hostile values")
    return repo


def test_an_alias_bomb_in_the_values_file_is_refused_with_little_memory(tmp_path: Path) -> None:
    repo = committed(init_gitops_repo(tmp_path / "gitops"), ALIAS_BOMB)
    code, stderr, peak = run(repo)
    assert code == 2, stderr[-2000:]
    assert f"{VALUES}: refused, over 1000000 nodes with its aliases expanded" in stderr
    assert "DRKUBE_MAX_YAML_NODES" in stderr and "Traceback" not in stderr
    assert peak < PEAK_MIB


def test_fix_with_an_alias_bomb_pushes_nothing(gitops_with_origin: tuple[Path, Path]) -> None:
    clone, origin = gitops_with_origin
    committed(clone, ALIAS_BOMB)
    git(clone, "push", "--quiet", "origin", "main")
    done = run_drkube(
        "fix",
        str(SAMPLES / "sample_oom.json"),
        "--cluster",
        str(SAMPLE_CLUSTER),
        "--gitops-repo",
        str(clone),
    )
    assert done.code == 2, done.stderr[-2000:]
    assert "DRKUBE_MAX_YAML_NODES" in done.stderr
    assert git(origin, "for-each-ref", "refs/heads/dr-kube") == ""
    assert done.peak_rss_mib < PEAK_MIB


def test_a_values_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    repo = init_gitops_repo(tmp_path / "gitops")
    write_bytes_fast(
        repo / VALUES, b"filler-key-with-a-long-name: filler value, long too\n", 67 << 20
    )
    git(repo, "commit", "--quiet", "-am", "67 MB of values")
    code, stderr, peak = run(repo)
    assert code == 2, stderr[-2000:]
    assert "bytes is over the 5242880-byte limit (DRKUBE_MAX_YAML_BYTES)" in stderr
    assert peak < PEAK_MIB


def test_a_smaller_yaml_limit_from_the_environment_applies(tmp_path: Path) -> None:
    repo = init_gitops_repo(tmp_path / "gitops")
    done = run_drkube(
        "run",
        str(SAMPLES / "sample_oom.json"),
        "--cluster",
        str(SAMPLE_CLUSTER),
        "--gitops-repo",
        str(repo),
        env={"DRKUBE_MAX_YAML_BYTES": "100"},
    )
    assert done.code == 2 and "over the 100-byte limit (DRKUBE_MAX_YAML_BYTES)" in done.stderr


def test_an_alert_file_nested_50000_deep_is_bad_input(tmp_path: Path) -> None:
    alert = tmp_path / "deep.json"
    alert.write_text('{"labels": ' * 50_000 + "{}" + "}" * 50_000)
    code, stderr, _ = run(init_gitops_repo(tmp_path / "gitops"), alert=alert)
    assert code == 2, stderr[-2000:]
    assert "nested 50001 deep is over the limit of 64 (DRKUBE_MAX_JSON_DEPTH)" in stderr


def _chart_archive(path: Path, extra: dict[str, int]) -> Path:
    """The sample onlineboutique chart as a .tgz, plus members of the given sizes (zeros)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tar:
        tar.add(SAMPLE_CHARTS / "onlineboutique", arcname="onlineboutique")
        zeros = bytes(1 << 20)
        for name, size in extra.items():
            info = tarfile.TarInfo(f"onlineboutique/{name}")
            info.size = size
            tar.addfile(info, _Zeros(size, zeros))
    return path


class _Zeros(io.RawIOBase):
    def __init__(self, size: int, block: bytes) -> None:
        self.left, self.block = size, block

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = min(len(buffer), self.left, len(self.block))
        buffer[:n] = self.block[:n]
        self.left -= n
        return n


def test_a_small_archive_with_a_400_mb_member_stays_bounded(tmp_path: Path) -> None:
    archive = _chart_archive(
        tmp_path / "charts" / "onlineboutique.tgz", {"templates/big.yaml": 400 << 20}
    )
    assert archive.stat().st_size < 1 << 20  # about 400 KB
    code, stderr, peak = run(init_gitops_repo(tmp_path / "gitops"), "--charts", str(archive.parent))
    assert code == 0, stderr[-2000:]
    assert "'onlineboutique/templates/big.yaml' is over 5242880 bytes" in stderr
    assert "DRKUBE_CHART_MAX_FILE_BYTES" in stderr
    assert peak < PEAK_MIB


def test_an_archive_with_too_many_members_is_not_used(tmp_path: Path) -> None:
    archive = _chart_archive(
        tmp_path / "charts" / "onlineboutique.tgz",
        {f"templates/extra-{n}.yaml": 10 for n in range(30)},
    )
    done = run_drkube(
        "run",
        str(SAMPLES / "sample_oom.json"),
        "--cluster",
        str(SAMPLE_CLUSTER),
        "--charts",
        str(archive.parent),
        "--gitops-repo",
        str(init_gitops_repo(tmp_path / "gitops")),
        env={"DRKUBE_CHART_MAX_FILES": "20"},
    )
    assert done.code == 0, done.stderr[-2000:]
    assert "archive has over 20 members (DRKUBE_CHART_MAX_FILES)" in done.stderr


def test_a_hostile_application_file_costs_only_itself(tmp_path: Path) -> None:
    repo = init_gitops_repo(tmp_path / "gitops")
    (repo / "applications" / "evil.yaml").write_text(
        "kind: Application\nmetadata: {name: evil}\n" + ALIAS_BOMB
    )
    git(repo, "add", ".")
    git(repo, "commit", "--quiet", "-m", "an alias bomb among the Applications")
    code, stderr, peak = run(repo)
    assert code == 0, stderr[-2000:]
    assert "skipping " in stderr and "evil.yaml: refused, over 1000000 nodes" in stderr
    assert peak < PEAK_MIB
