"""Click options and the error guard shared by every `dr-kube` command."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from dr_kube.cli.pipes import quiet_broken_pipe
from dr_kube.errors import DrKubeError


def default_provider() -> str:
    """auto (analyzers, then the LLM) once a Gemini key or an Ollama host is configured."""
    from dr_kube.config.llm import llm_configured  # keeps `--help` free of pydantic-settings

    return "auto" if llm_configured() else "rules"


def source_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Flags shared by every command that reads the cluster and the GitOps repository."""
    options = [
        click.option(
            "--cluster",
            "cluster_dir",
            type=click.Path(path_type=Path),
            envvar="DRKUBE_CLUSTER_DUMP",
            help="A `kubectl cluster-info dump --output-directory` folder. [env DRKUBE_CLUSTER_DUMP]",
        ),
        click.option(
            "--kubeconfig",
            type=click.Path(dir_okay=False),
            envvar="DRKUBE_KUBECONFIG",
            help="Kubeconfig of a live cluster (read-only use). [env DRKUBE_KUBECONFIG]",
        ),
        click.option(
            "--context",
            "kube_context",
            envvar="DRKUBE_KUBE_CONTEXT",
            help="Kubeconfig context. [env DRKUBE_KUBE_CONTEXT]",
        ),
        click.option(
            "--prometheus",
            "prometheus_url",
            envvar="DRKUBE_PROMETHEUS_URL",
            help="Prometheus base URL for usage and throttling series. [env DRKUBE_PROMETHEUS_URL]",
        ),
        click.option(
            "--gitops-repo",
            type=click.Path(file_okay=False, path_type=Path),
            default=".",
            envvar="DRKUBE_GITOPS_REPO",
            show_default=True,
            help="The GitOps repository (applications/, values/). [env DRKUBE_GITOPS_REPO]",
        ),
        click.option(
            "--charts",
            "chart_dirs",
            type=click.Path(file_okay=False, path_type=Path),
            multiple=True,
            envvar="DRKUBE_CHARTS",
            help="Folder of charts (DIR/<chart>/ or .tgz) to check keys against; repeatable. [env DRKUBE_CHARTS, ':'-separated]",
        ),
        click.option(
            "--policy",
            "policy_file",
            type=click.Path(dir_okay=False, path_type=Path),
            envvar="DRKUBE_POLICY",
            help="Policy file (default: dr-kube-policy.yaml in the GitOps repo). [env DRKUBE_POLICY]",
        ),
        click.option(
            "--provider",
            type=click.Choice(["rules", "gemini", "ollama", "auto"]),
            # auto (analyzers, then the LLM) once a Gemini key or an Ollama host is configured
            default=default_provider,
            envvar="DRKUBE_PROVIDER",
            show_default="auto if GEMINI_API_KEY, GOOGLE_API_KEY or OLLAMA_HOST is set, else rules",
            help="Who diagnoses: deterministic analyzers or an LLM. [env DRKUBE_PROVIDER]",
        ),
        click.option(
            "--max-attempts",
            type=click.IntRange(1, 10),
            envvar="DRKUBE_MAX_ATTEMPTS",
            help="Proposals to try before giving up (default: the policy's, 3). [env DRKUBE_MAX_ATTEMPTS]",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def pull_request_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Where pull requests go: shared by `fix` and `serve`."""
    func = click.option(
        "--github-repo",
        envvar="DRKUBE_GITHUB_REPO",
        help="owner/name for PRs (default: from the origin URL). [env DRKUBE_GITHUB_REPO]",
    )(func)
    return click.option(
        "--base",
        "base_branch",
        envvar="DRKUBE_BASE_BRANCH",
        help="Base branch (default: origin's HEAD, else the current branch). [env DRKUBE_BASE_BRANCH]",
    )(func)


def guarded(func: Callable[[], int]) -> None:
    """Run a command body: known errors become one line and an exit code, never a traceback."""
    try:
        code = func()
    except DrKubeError as exc:
        click.echo(f"dr-kube: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        quiet_broken_pipe()  # stdout's reader stopped early (`| head`)
    except Exception as exc:
        from dr_kube.config.logs import LogSettings  # settings load only when a command runs

        if LogSettings.load().debug:
            raise
        click.echo(
            f"dr-kube: internal error: {type(exc).__name__}: {exc} (set DRKUBE_DEBUG=1 for the traceback)",
            err=True,
        )
        sys.exit(1)
    sys.exit(code)
