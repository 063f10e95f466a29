"""The README is the user guide: every environment variable the code reads is documented there."""

from __future__ import annotations

import re

from tests.conftest import REPO_ROOT

NAME = re.compile(
    r"[\"'](DRKUBE_[A-Z0-9_]+|GITHUB_TOKEN|GEMINI_API_KEY|GOOGLE_API_KEY|OLLAMA_HOST)[\"']"
)


def read_by_code() -> set[str]:
    names: set[str] = set()
    for path in (REPO_ROOT / "agent" / "dr_kube").rglob("*.py"):
        names.update(NAME.findall(path.read_text(encoding="utf-8")))
    return names


def test_every_environment_variable_the_code_reads_is_in_the_readme() -> None:
    names = read_by_code()
    assert len(names) > 40, "the scan found the settings"
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    missing = sorted(n for n in names if n not in readme)
    assert missing == []
