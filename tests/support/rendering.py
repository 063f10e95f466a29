"""A GitOps repository in a temp folder whose Application deploys one of the test charts, and the
locate → plan → validate path the rules provider takes, for tests of locating and verifying by
rendering."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dr_kube.cluster.evidence import ContainerEvidence, PodEvidence, WorkloadEvidence
from dr_kube.diagnose.findings import FixIntent
from dr_kube.diagnose.plan import PlanInput, candidates
from dr_kube.gitops.locate import locate
from dr_kube.gitops.patch import to_plain
from dr_kube.gitops.validate import Checked, validate_changes
from dr_kube.policy import Policy
from dr_kube.values_model import Location
from dr_kube.yamlio import load_one
from tests.support.paths import DATA

TEST_CHARTS = DATA / "charts"
TRACKING = "argocd.argoproj.io/tracking-id"


def app_repo(
    root: Path,
    *,
    chart: str,
    version: str,
    files: dict[str, str],
    release: str = "demo",
    namespace: str = "apps",
    app: str = "demo",
) -> Path:
    """applications/<app>.yaml deploying `chart` from a Helm repository with `files` as its
    valueFiles (in order), and those files under values/."""
    value_files = "".join(f"          - $values/values/{name}\n" for name in files)
    (root / "applications").mkdir(parents=True)
    (root / "values").mkdir()
    (root / "applications" / f"{app}.yaml").write_text(
        f"""apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {app}
  namespace: argocd
spec:
  sources:
    - repoURL: https://charts.example.test
      chart: {chart}
      targetRevision: {version}
      helm:
        releaseName: {release}
        valueFiles:
{value_files}    - repoURL: https://git.example.test/gitops.git
      targetRevision: main
      ref: values
  destination:
    server: https://kubernetes.default.svc
    namespace: {namespace}
"""
    )
    for name, text in files.items():
        (root / "values" / name).write_text(text)
    return root


def workload(
    kind: str,
    name: str,
    containers: list[ContainerEvidence],
    *,
    app: str = "demo",
    namespace: str = "apps",
    owner_chain: list[str] | None = None,
    annotations: dict[str, str] | None = None,
) -> WorkloadEvidence:
    return WorkloadEvidence(
        kind=kind,
        name=name,
        namespace=namespace,
        annotations={TRACKING: f"{app}:apps/{kind}:{namespace}/{name}", **(annotations or {})},
        owner_chain=owner_chain or [f"{kind}/{name}"],
        containers=containers,
        desired_replicas=1,
    )


def locate_in(
    repo: Path,
    live: WorkloadEvidence,
    pods: list[PodEvidence] | None = None,
    chart_dirs: list[Path] | None = None,
) -> Location:
    return locate(repo, live, chart_dirs or [TEST_CHARTS], pods=pods)


def plan_and_check(
    repo: Path,
    location: Location,
    live: WorkloadEvidence,
    intent: FixIntent,
    policy: Policy | None = None,
    category: str | None = None,
) -> Checked:
    """What the rules provider proposes for `intent`, validated (and verified) as the graph does
    (for the category that proposes such an intent, unless `category` names another)."""
    text = (repo / location.values_file).read_text()
    values: Any = to_plain(load_one(text))
    policy = policy or Policy()
    options = candidates(
        intent, PlanInput(location=location, values=values, workload=live, policy=policy)
    )
    return validate_changes(
        options[0],
        text=text,
        location=location,
        policy=policy,
        namespace=live.namespace,
        category=category or intent_category(intent),
        containers=[c.name for c in live.containers],
        container=intent.container,
    )


def intent_category(intent: FixIntent) -> str:
    """The failure class whose analyzers propose this kind of intent."""
    if intent.kind.startswith("lower-"):
        return "unschedulable"
    for word, category in (
        ("memory", "oom"),
        ("cpu", "cpu-throttling"),
        ("replicas", "replicas-mismatch"),
        ("probe", "probe-failure"),
        ("image", "image-pull"),
    ):
        if word in intent.kind:
            return category
    return "unknown"
