"""Exit codes and one-line errors as the README's table says, through the real console script
(and `make agent-run`): a broken `.git` or values file is bad input (2), a file that is not the
service's store is named and left untouched (2), a reader that stops early ends the command
quietly (141), and an expected "no safe fix" is not a make error."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from dr_kube.store import open_store
from tests.support.paths import REPO_ROOT, SAMPLE_CHARTS, SAMPLE_CLUSTER, SAMPLES
from tests.support.repos import init_gitops_repo

DR_KUBE = Path(sys.executable).with_name("dr-kube")
SAMPLE_FLAGS = ["--cluster", str(SAMPLE_CLUSTER), "--charts", str(SAMPLE_CHARTS)]


def dr_kube(*args: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(DR_KUBE), *args], capture_output=True, text=True, check=False, cwd=cwd, timeout=240
    )


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


def fix(repo: Path) -> subprocess.CompletedProcess[str]:
    sample = str(SAMPLES / "sample_oom.json")
    return dr_kube("fix", sample, *SAMPLE_FLAGS, "--gitops-repo", str(repo), "--no-push")


@pytest.mark.parametrize("damage", ["head", "objects", "empty-git-dir"])
def test_a_broken_git_repository_is_exit_2_in_one_line(tmp_path: Path, damage: str) -> None:
    repo = init_gitops_repo(tmp_path / "gitops")
    if damage == "head":
        (repo / ".git" / "HEAD").write_text("garbage\n")
    elif damage == "objects":
        for obj in (repo / ".git" / "objects").rglob("*"):
            if obj.is_file() and len(obj.parent.name) == 2:
                obj.chmod(0o644)
                obj.write_bytes(b"not zlib")
    else:
        shutil.rmtree(repo / ".git")
        (repo / ".git").mkdir()
    proc = fix(repo)
    assert proc.returncode == 2, proc.stderr
    line = one_error_line(proc)
    assert line.startswith(f"dr-kube: error: --gitops-repo {repo}: broken git repository: "), line


def test_invalid_values_yaml_is_exit_2_in_one_line_with_its_position(tmp_path: Path) -> None:
    repo = init_gitops_repo(tmp_path / "gitops")
    values = repo / "values" / "online-boutique.yaml"
    lines = values.read_text().count("\n")
    values.write_text(values.read_text() + "broken: [unclosed\n")
    sample = str(SAMPLES / "sample_oom.json")
    proc = dr_kube("run", sample, *SAMPLE_FLAGS, "--gitops-repo", str(repo))
    assert proc.returncode == 2, proc.stderr
    assert one_error_line(proc) == (
        f"dr-kube: error: {values}: invalid YAML: did not find expected ',' or ']'"
        f" at line {lines + 2}, column 1"
    )


def snapshot(path: Path) -> tuple[bytes, list[str]]:
    return path.read_bytes(), sorted(p.name for p in path.parent.iterdir())


def test_audit_verify_on_an_empty_file_writes_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    proc = dr_kube("audit", "verify", "--db", str(empty))
    assert proc.returncode == 2
    assert one_error_line(proc) == f"dr-kube: error: {empty}: empty file, not a DR-Kube store"
    assert snapshot(empty) == (b"", ["empty.db"])  # no schema, no -wal / -shm beside it
    assert proc.stdout == ""


def test_audit_verify_on_another_sqlite_database_leaves_it_as_it_was(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (text TEXT)")
    conn.commit()
    conn.close()
    before = snapshot(other)
    proc = dr_kube("audit", "verify", "--db", str(other))
    assert proc.returncode == 2
    assert "no DR-Kube audit trail in it" in one_error_line(proc)
    assert snapshot(other) == before
    names = {r[0] for r in sqlite3.connect(other).execute("SELECT name FROM sqlite_master")}
    assert names == {"notes"}


@pytest.mark.parametrize("command", [["audit", "verify"], ["audit", "export"], ["history", "a/b"]])
def test_a_file_that_is_not_a_database_is_exit_2(tmp_path: Path, command: list[str]) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello, not a database\n")
    proc = dr_kube(*command, "--db", str(text))
    assert proc.returncode == 2
    assert one_error_line(proc) == f"dr-kube: error: {text}: not a SQLite database"
    assert text.read_text() == "hello, not a database\n"


def test_audit_export_into_head_ends_quietly(tmp_path: Path) -> None:
    db = tmp_path / "dr-kube.db"
    store = open_store(None, db)
    for i in range(2000):  # far more than a pipe's buffer: the writer meets the closed pipe
        store.event("inc", "test", f"record {i} " + "x" * 200)
    store.close()
    pipeline = f"set -o pipefail; {DR_KUBE} audit export --db {db} | head -2"
    proc = subprocess.run(
        ["bash", "-c", pipeline], capture_output=True, text=True, check=False, timeout=240
    )
    assert proc.stderr == ""
    assert proc.returncode == 141  # stopped by the reader, like a program ended by SIGPIPE
    assert len(proc.stdout.splitlines()) == 2


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_agent_run_shows_no_safe_fix_without_a_make_error() -> None:
    """The README's `make agent-run ISSUE=sample_crashloop`: the result, a note, exit 0."""
    venv = Path(sys.prefix)
    installed = venv / ".runtime-installed"
    proc = subprocess.run(
        # -o: the venv this test runs in is taken as installed (nothing is pip-installed)
        ["make", "agent-run", "ISSUE=sample_crashloop", f"VENV={venv}", "-o", str(installed)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Error" not in proc.stderr, proc.stderr
    assert "crashloop" in proc.stdout
    assert "dr-kube exited 3: diagnosed, no safe fix" in proc.stdout
    direct = dr_kube("run", str(SAMPLES / "sample_crashloop.json"), *SAMPLE_FLAGS)
    assert direct.returncode == 3  # the code itself stays available to scripts
