"""The shell completion the README documents works with the installed console script."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.support.paths import REPO_ROOT

DR_KUBE = Path(sys.executable).with_name("dr-kube")


def test_the_documented_bash_completion_completes_commands_and_options() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    assert 'eval "$(_DR_KUBE_COMPLETE=bash_source dr-kube)"' in readme
    for shell in ("bash", "zsh", "fish"):
        script = subprocess.run(
            [str(DR_KUBE)],
            env={**os.environ, "_DR_KUBE_COMPLETE": f"{shell}_source"},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "_DR_KUBE_COMPLETE" in script, shell

    def complete(words: str) -> list[str]:
        env = {
            **os.environ,
            "_DR_KUBE_COMPLETE": "bash_complete",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split()) - 1),
        }
        out = subprocess.run([str(DR_KUBE)], env=env, capture_output=True, text=True, check=True)
        return [line.split(",", 1)[1] for line in out.stdout.splitlines()]

    assert complete("dr-kube au") == ["audit"]
    assert "--color" in complete("dr-kube --co")
    assert re.search("--output", " ".join(complete("dr-kube run --out")))
