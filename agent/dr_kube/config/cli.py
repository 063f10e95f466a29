"""The variables behind `dr-kube` flags. Click reads them (`envvar=`); they are declared here so
that every variable has one home and one description (tests check the flags use these names)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from dr_kube.config.env import EnvSection, env


class CliSettings(EnvSection):
    cluster_dump: Path | None = env(
        "DRKUBE_CLUSTER_DUMP", "`--cluster`: a `kubectl cluster-info dump` folder", default=None
    )
    kubeconfig: Path | None = env(
        "DRKUBE_KUBECONFIG",
        "`--kubeconfig`: kubeconfig of a live cluster (read-only use)",
        default=None,
    )
    kube_context: str | None = env(
        "DRKUBE_KUBE_CONTEXT", "`--context`: kubeconfig context", default=None, shown="current"
    )
    gitops_repo: Path = env(
        "DRKUBE_GITOPS_REPO", "`--gitops-repo`: the GitOps repository", default=Path()
    )
    charts: str | None = env(
        "DRKUBE_CHARTS",
        "`--charts`: chart folders to check keys against, `:`-separated",
        default=None,
    )
    policy: Path | None = env(
        "DRKUBE_POLICY",
        "`--policy`: the policy file",
        default=None,
        shown="`<repo>/dr-kube-policy.yaml`",
    )
    provider: Literal["rules", "gemini", "ollama", "auto"] | None = env(
        "DRKUBE_PROVIDER",
        "`--provider`: `rules`, `gemini`, `ollama` or `auto`",
        default=None,
        shown="`auto` if an LLM is configured, else `rules`",
    )
    max_attempts: int | None = env(
        "DRKUBE_MAX_ATTEMPTS",
        "`--max-attempts`: proposals tried before `rejected`",
        default=None,
        shown="policy (3)",
    )
    github_repo: str | None = env(
        "DRKUBE_GITHUB_REPO",
        "`--github-repo`: owner/name for PRs",
        default=None,
        shown="from the origin URL",
    )
    base_branch: str | None = env(
        "DRKUBE_BASE_BRANCH",
        "`--base`: PR base branch",
        default=None,
        shown="origin's HEAD, else current",
    )
    host: str = env("DRKUBE_HOST", "`serve --host`: where to listen", default="127.0.0.1")
    port: int = env("DRKUBE_PORT", "`serve --port`: where to listen", default=8080)


class ClusterSettings(EnvSection):
    """Read by `run`, `fix` and `serve` themselves (not through a flag)."""

    in_cluster: str | None = env(
        "KUBERNETES_SERVICE_HOST",
        "set by Kubernetes in a pod: without `--cluster`/`--kubeconfig`, read the live cluster "
        "with the pod's service account",
        default=None,
    )
    prometheus_ca_bundle: Path | None = env(
        "DRKUBE_PROMETHEUS_CA_BUNDLE",
        "CA certificates (PEM file) that an https Prometheus' certificate is checked against; "
        "certificates are always checked",
        default=None,
        shown="the system's (or `REQUESTS_CA_BUNDLE`)",
    )
