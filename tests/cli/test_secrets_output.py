"""`dr-kube run` masks every secret planted in the alert and the cluster dump, in both outputs."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.support.paths import REPO_ROOT
from tests.support.secrets import PLANTED, found_in, planted_alert, planted_dump
from tests.support.service import DRKUBE


@pytest.mark.parametrize("output", ["json", "text"])
def test_planted_secrets_are_masked_in_the_result(tmp_path: Path, output: str) -> None:
    dump = planted_dump(tmp_path / "dump")
    alert = tmp_path / "alert.json"
    alert.write_text(json.dumps(planted_alert()))
    command = [DRKUBE, "run", str(alert), "--cluster", str(dump), "--gitops-repo", str(REPO_ROOT)]
    done = subprocess.run(
        [*command, "--provider", "rules", "--output", output],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO_ROOT,
    )
    assert done.returncode == 0, done.stderr
    # the lines that carried the secrets are shown, masked
    assert "out of memory while caching STRIPE_KEY=[REDACTED:" in done.stdout
    assert "[REDACTED:base64:" in done.stdout
    found = found_in(done.stdout + done.stderr)
    assert found == {}, f"planted {len(PLANTED)}, found {found}"
