"""Fixtures: the service app in-process (with or without workers) over a real GitOps clone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from pytest_httpserver import HTTPServer

from dr_kube.config.service import Settings
from tests.support.service import SECRET, TOKEN, ServiceGitHub


def settings_for(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "alertmanager_token": SecretStr(TOKEN),
        "basic_user": "am",
        "basic_password": SecretStr("am-password"),
        "github_secret": SecretStr(SECRET),
        "db_path": tmp_path / "state" / "dr-kube.db",
        "workers": 2,
        "poll_seconds": 0.05,
        "lease_seconds": 5,
        "max_body": 65536,
        **overrides,
    }
    return Settings(**values)


def context_args(repo: Path, **extra: Any) -> dict[str, Any]:
    return {
        "cluster_dir": None,
        "kubeconfig": None,
        "kube_context": None,
        "prometheus_url": None,
        "gitops_repo": repo,
        "chart_dirs": (),
        "policy_file": None,
        "provider": "rules",
        "max_attempts": None,
        **extra,
    }


@pytest.fixture
def make_client(tmp_path: Path, gitops_with_origin: tuple[Path, Path]) -> Iterator[Any]:
    """make_client(workers=True, **settings) → (TestClient, store)."""
    clients: list[TestClient] = []

    def make(workers: bool = True, github_repo: str | None = None, **overrides: Any) -> Any:
        from dr_kube.server.app import build_app

        clone, _ = gitops_with_origin
        settings = settings_for(tmp_path, **overrides)
        app, worker, store = build_app(
            settings, context_args(clone, github_repo=github_repo), start_workers=workers
        )
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return client, store, worker

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def fake_github(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> ServiceGitHub:
    fake = ServiceGitHub(httpserver).install()
    monkeypatch.setenv("GITHUB_TOKEN", "test-token")
    monkeypatch.setenv("DRKUBE_GITHUB_API_URL", fake.api)
    return fake
