"""The README is the user guide: every environment variable the code reads is declared in the
settings model, and the README's reference table is the one generated from that model."""

from __future__ import annotations

import re

from dr_kube.config.settings import env_vars, markdown_table
from tests.support.paths import REPO_ROOT

NAME = re.compile(
    r"[\"'](DRKUBE_[A-Z0-9_]+|GITHUB_TOKEN|GEMINI_API_KEY|GOOGLE_API_KEY|OLLAMA_HOST)[\"']"
)
START = "<!-- env-vars:start (generated: python -m dr_kube.config.settings) -->\n"
END = "<!-- env-vars:end -->"


def read_by_code() -> set[str]:
    names: set[str] = set()
    for path in (REPO_ROOT / "agent" / "dr_kube").rglob("*.py"):
        names.update(NAME.findall(path.read_text(encoding="utf-8")))
    return names


def test_every_environment_variable_the_code_reads_is_declared_in_the_settings_model() -> None:
    names = read_by_code()
    assert len(names) > 40, "the scan found the settings"
    declared = {v.name for v in env_vars()}
    assert sorted(names - declared) == []


def test_the_readme_environment_table_is_generated_from_the_settings_model() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert START in readme and END in readme, "README keeps the generated table between markers"
    table = readme.split(START, 1)[1].split(END, 1)[0]
    assert table == markdown_table(), "run: python -m dr_kube.config.settings, paste into README"


def test_every_declared_variable_is_in_the_readme() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert sorted(v.name for v in env_vars() if f"`{v.name}`" not in readme) == []
