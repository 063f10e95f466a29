"""Locate and verify by rendering, with Helm's own engine on test charts in real charts' shapes:
each failure class of issue 12 (wrong container, fixable incidents given up, sub-charts, operators)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dr_kube.cluster.evidence import ContainerEvidence, PodEvidence
from dr_kube.diagnose.findings import FixIntent
from dr_kube.diagnose.plan import PlanError
from dr_kube.gitops.validate import validate_changes
from dr_kube.models import Change
from dr_kube.policy import Policy
from tests.support.paths import SAMPLE_CHARTS
from tests.support.rendering import app_repo, locate_in, plan_and_check, workload

OOM = FixIntent(kind="raise-memory-limit", factor=2.0)
BOUTIQUE_FILE = """\
frontend:
  resources:
    limits:
      memory: 128Mi
"""


def server(memory: str = "128Mi", name: str = "server") -> ContainerEvidence:
    return ContainerEvidence(name=name, limits={"memory": memory})


def oom(container: str) -> FixIntent:
    return OOM.model_copy(update={"container": container})


def boutique(tmp_path: Path, files: dict[str, str]) -> Path:
    return app_repo(
        tmp_path,
        chart="onlineboutique",
        version="0.10.2",
        files=files,
        release="online-boutique",
        namespace="online-boutique",
        app="online-boutique",
    )


def frontend(*containers: ContainerEvidence) -> object:
    return workload(
        "Deployment",
        "frontend",
        list(containers) or [server()],
        app="online-boutique",
        namespace="online-boutique",
    )


def test_release_prefixed_statefulset_finds_the_master_block(tmp_path: Path) -> None:
    repo = app_repo(
        tmp_path,
        chart="redis",
        version="20.1.0",
        files={"cache.yaml": "master:\n  count: 1\n"},
        release="cache",
    )
    live = workload(
        "StatefulSet",
        "cache-redis-master",
        [ContainerEvidence(name="redis", limits={"memory": "192Mi"})],
    )
    where = locate_in(repo, live)
    control = where.control("redis", "resources.limits.memory")
    assert control is not None and control.path == ["master", "resources", "limits", "memory"]
    assert not control.in_file and control.rendered == "192Mi"  # the `nano` preset
    checked = plan_and_check(repo, where, live, oom("redis"))
    assert checked.ok, checked.issues
    assert [c.dotted() for c in checked.changes] == ["master.resources.limits.memory"]
    assert checked.rendered is not None
    assert [e.line() for e in checked.rendered.changed] == [
        "StatefulSet/cache-redis-master container redis limits.memory 192Mi → 384Mi"
    ] or any("limits.memory 192Mi → 384Mi" in e.line() for e in checked.rendered.changed)
    # Setting `resources` switches the preset off: its other values vanish, and that is shown.
    assert any(e.field == "resources.requests.memory" for e in checked.rendered.changed)
    assert "cache-redis-replicas" not in checked.rendered.diff


def test_bundled_cache_with_hard_coded_resources_is_no_fix(tmp_path: Path) -> None:
    repo = app_repo(
        tmp_path,
        chart="webapp",
        version="2.3.0",
        files={"shop.yaml": "resources:\n  limits:\n    memory: 256Mi\n"},
        release="shop",
    )
    live = workload(
        "Deployment", "shop-redis", [ContainerEvidence(name="redis", limits={"memory": "64Mi"})]
    )
    where = locate_in(repo, live)
    assert where.target is not None and where.target.hard_coded["redis"]
    assert where.control("redis", "resources.limits.memory") is None
    with pytest.raises(PlanError, match=r"hard-coded in chart webapp's template .*cache\.yaml"):
        plan_and_check(repo, where, live, oom("redis"))


def test_a_change_to_the_apps_resources_does_not_fix_the_cache(tmp_path: Path) -> None:
    repo = app_repo(
        tmp_path,
        chart="webapp",
        version="2.3.0",
        files={"shop.yaml": "resources:\n  limits:\n    memory: 256Mi\n"},
        release="shop",
    )
    live = workload(
        "Deployment", "shop-redis", [ContainerEvidence(name="redis", limits={"memory": "64Mi"})]
    )
    where = locate_in(repo, live)
    checked = validate_changes(
        [
            Change(
                file="values/shop.yaml",
                path=["resources", "limits", "memory"],
                old="256Mi",
                new="512Mi",
            )
        ],
        text=(repo / "values/shop.yaml").read_text(),
        location=where,
        policy=Policy(),
        namespace="apps",
        category="oom",
        containers=["redis"],
        container="redis",
    )
    assert not checked.ok
    assert {i.code for i in checked.issues} >= {"not-effective"}


def test_a_key_the_chart_ignores_gets_the_key_it_reads(tmp_path: Path) -> None:
    repo = boutique(
        tmp_path, {"shop.yaml": "cartservice:\n  resources:\n    limits:\n      memory: 256Mi\n"}
    )
    live = workload(
        "Deployment", "cartservice", [server()], app="online-boutique", namespace="online-boutique"
    )
    where = locate_in(repo, live, chart_dirs=[SAMPLE_CHARTS])
    control = where.control("server", "resources.limits.memory")
    assert control is not None and control.path == ["cartService", "resources", "limits", "memory"]
    assert not control.in_file
    checked = plan_and_check(repo, where, live, oom("server"))
    assert checked.ok, checked.issues
    assert [(c.dotted(), c.old, c.new) for c in checked.changes] == [
        ("cartService.resources.limits.memory", "128Mi", "256Mi")
    ]
    assert checked.patched is not None and "cartService:" in checked.patched


def test_a_file_without_resources_gets_the_block_from_the_limit_range_default(
    tmp_path: Path,
) -> None:
    repo = app_repo(
        tmp_path, chart="podinfo", version="6.7.1", files={"podinfo.yaml": "replicaCount: 1\n"}
    )
    live = workload("Deployment", "demo-podinfo", [ContainerEvidence(name="podinfod")])
    pod = PodEvidence(
        name="demo-podinfo-7d9c8b6f5b-x2x9k",
        containers=[
            ContainerEvidence(
                name="podinfod", limits={"memory": "512Mi"}, requests={"memory": "256Mi"}
            )
        ],
        limit_ranger="LimitRanger plugin set: memory request for container podinfod; memory limit for container podinfod",
    )
    where = locate_in(repo, live, pods=[pod])
    control = where.control("podinfod", "resources.limits.memory")
    assert control is not None and control.path == ["resources", "limits", "memory"]
    assert control.live == "512Mi"
    assert any("LimitRange" in line for line in where.drift)
    checked = plan_and_check(repo, where, live, oom("podinfod"))
    assert checked.ok, checked.issues
    assert [(c.dotted(), c.new) for c in checked.changes] == [("resources.limits.memory", "1Gi")]
    assert checked.rendered is not None
    assert any(
        e.field == "resources.limits.memory" and e.old is None and e.new == "1Gi"
        for e in checked.rendered.changed
    )


def test_podinfo_style_probe_keys_are_found(tmp_path: Path) -> None:
    repo = app_repo(
        tmp_path,
        chart="podinfo",
        version="6.7.1",
        files={"podinfo.yaml": "probes:\n  liveness:\n    initialDelaySeconds: 1\n"},
    )
    live = workload("Deployment", "demo-podinfo", [ContainerEvidence(name="podinfod")])
    where = locate_in(repo, live)
    control = where.control("podinfod", "livenessProbe.initialDelaySeconds")
    assert control is not None and control.path == ["probes", "liveness", "initialDelaySeconds"]
    assert control.in_file
    intent = FixIntent(kind="raise-probe-delay", container="podinfod", probe="livenessProbe")
    checked = plan_and_check(repo, where, live, intent)
    assert checked.ok, checked.issues
    assert [c.dotted() for c in checked.changes] == ["probes.liveness.initialDelaySeconds"]


def test_sub_chart_keys_under_their_alias_are_accepted(tmp_path: Path) -> None:
    repo = app_repo(
        tmp_path,
        chart="stack",
        version="66.2.1",
        files={"stack.yaml": "grafana:\n  enabled: true\n"},
        release="stack",
        namespace="monitoring",
    )
    live = workload(
        "Deployment",
        "stack-grafana",
        [ContainerEvidence(name="grafana", limits={"memory": "256Mi"})],
        namespace="monitoring",
    )
    where = locate_in(repo, live)
    control = where.control("grafana", "resources.limits.memory")
    assert control is not None and control.path == ["grafana", "resources", "limits", "memory"]
    checked = plan_and_check(repo, where, live, oom("grafana"))
    assert checked.ok, checked.issues
    assert not checked.unverified
    assert [c.dotted() for c in checked.changes] == ["grafana.resources.limits.memory"]


def test_prometheus_operator_statefulset_maps_to_prometheus_spec(tmp_path: Path) -> None:
    repo = app_repo(
        tmp_path,
        chart="stack",
        version="66.2.1",
        files={"stack.yaml": "prometheus:\n  prometheusSpec:\n    retention: 7d\n"},
        release="stack",
        namespace="monitoring",
    )
    live = workload(
        "StatefulSet",
        "prometheus-stack-prometheus",
        [
            ContainerEvidence(name="prometheus", limits={"memory": "2Gi"}),
            ContainerEvidence(name="config-reloader"),
        ],
        namespace="monitoring",
        owner_chain=[
            "Pod/prometheus-stack-prometheus-0",
            "StatefulSet/prometheus-stack-prometheus",
            "Prometheus/stack-prometheus",
        ],
    )
    where = locate_in(repo, live)
    assert where.target is not None and where.target.kind == "Prometheus"
    assert where.target.via is not None and "Prometheus Operator" in where.target.via
    control = where.control("prometheus", "resources.limits.memory")
    assert control is not None and control.path == [
        "prometheus",
        "prometheusSpec",
        "resources",
        "limits",
        "memory",
    ]
    checked = plan_and_check(repo, where, live, oom("prometheus"))
    assert checked.ok, checked.issues
    assert checked.rendered is not None
    assert [e.line() for e in checked.rendered.changed] == [
        "Prometheus/stack-prometheus container prometheus limits.memory (unset) → 4Gi"
    ]


def test_two_value_files_the_later_wins(tmp_path: Path) -> None:
    repo = boutique(
        tmp_path, {"base.yaml": BOUTIQUE_FILE, "prod.yaml": BOUTIQUE_FILE.replace("128Mi", "192Mi")}
    )
    live = frontend(server("192Mi"))
    where = locate_in(repo, live, chart_dirs=[SAMPLE_CHARTS])
    assert where.values_file == "values/prod.yaml"
    control = where.control("server", "resources.limits.memory")
    assert control is not None and control.rendered == "192Mi" and control.in_file
    checked = plan_and_check(repo, where, live, oom("server"))
    assert checked.ok, checked.issues
    assert [(c.file, c.old, c.new) for c in checked.changes] == [
        ("values/prod.yaml", "192Mi", "384Mi")
    ]
    assert checked.rendered is not None
    assert checked.rendered.values_files == ["values/base.yaml", "values/prod.yaml"]


def test_a_change_an_earlier_file_shadows_is_not_effective(tmp_path: Path) -> None:
    repo = boutique(
        tmp_path, {"base.yaml": BOUTIQUE_FILE, "prod.yaml": BOUTIQUE_FILE.replace("128Mi", "192Mi")}
    )
    where = locate_in(repo, frontend(server("192Mi")), chart_dirs=[SAMPLE_CHARTS])
    where = where.model_copy(update={"values_file": "values/base.yaml"})
    checked = validate_changes(
        [
            Change(
                file="values/base.yaml",
                path=["frontend", "resources", "limits", "memory"],
                old="128Mi",
                new="256Mi",
            )
        ],
        text=(repo / "values/base.yaml").read_text(),
        location=where,
        policy=Policy(),
        namespace="online-boutique",
        category="oom",
        containers=["server"],
        container="server",
    )
    assert [i.code for i in checked.issues] == ["not-effective"]
    assert "do not change" in checked.issues[0].message


def test_a_change_that_moves_other_workloads_is_refused_by_default(tmp_path: Path) -> None:
    repo = boutique(tmp_path, {"shop.yaml": BOUTIQUE_FILE + "images:\n  tag: v0.10.2\n"})
    where = locate_in(repo, frontend(), chart_dirs=[SAMPLE_CHARTS])
    change = Change(file="values/shop.yaml", path=["images", "tag"], old="v0.10.2", new="v0.10.3")

    def check(policy: Policy) -> object:
        return validate_changes(
            [change],
            text=(repo / "values/shop.yaml").read_text(),
            location=where,
            policy=policy,
            namespace="online-boutique",
            category="image-pull",
            containers=["server"],
            container="server",
        )

    refused = check(Policy())
    assert not refused.ok  # type: ignore[attr-defined]
    assert [i.code for i in refused.issues] == ["blast-radius"]  # type: ignore[attr-defined]
    assert "Deployment/cartservice" in refused.issues[0].message  # type: ignore[attr-defined]
    allowed = check(Policy(allow_blast_radius=True))
    assert allowed.ok  # type: ignore[attr-defined]
    radius = {f"{e.kind}/{e.name}" for e in allowed.rendered.blast_radius}  # type: ignore[attr-defined]
    assert {"Deployment/cartservice", "Deployment/loadgenerator"} <= radius


def test_drift_is_reported_and_the_change_starts_from_what_runs(tmp_path: Path) -> None:
    repo = boutique(tmp_path, {"shop.yaml": BOUTIQUE_FILE})
    live = frontend(server("100Mi"))
    where = locate_in(repo, live, chart_dirs=[SAMPLE_CHARTS])
    assert any("out of sync with Git" in line and "runs 100Mi" in line for line in where.drift)
    checked = plan_and_check(repo, where, live, oom("server"))
    assert checked.ok, checked.issues
    assert [(c.old, c.new) for c in checked.changes] == [("128Mi", "200Mi")]
    assert any("drift" in w for w in checked.warnings)
    assert checked.rendered is not None and any("drift" in n for n in checked.rendered.notes)


def test_an_injected_sidecar_has_no_values_fix(tmp_path: Path) -> None:
    repo = boutique(tmp_path, {"shop.yaml": BOUTIQUE_FILE})
    live = frontend(server(), server("256Mi", name="istio-proxy"))
    where = locate_in(repo, live, chart_dirs=[SAMPLE_CHARTS])
    with pytest.raises(PlanError, match=r"sidecar\.istio\.io/proxyMemoryLimit"):
        plan_and_check(repo, where, live, oom("istio-proxy"))
    # A proposal that raises the main container instead is caught by the render.
    checked = validate_changes(
        [
            Change(
                file="values/shop.yaml",
                path=["frontend", "resources", "limits", "memory"],
                old="128Mi",
                new="256Mi",
            )
        ],
        text=(repo / "values/shop.yaml").read_text(),
        location=where,
        policy=Policy(),
        namespace="online-boutique",
        category="oom",
        containers=["server", "istio-proxy"],
        container="istio-proxy",
    )
    assert [i.code for i in checked.issues] == ["not-effective"]
    assert "intended container" in checked.issues[0].message


def test_locate_and_verify_cost_at_most_three_renders(tmp_path: Path) -> None:
    from dr_kube.gitops.render import RENDERER

    repo = boutique(tmp_path, {"shop.yaml": BOUTIQUE_FILE.replace("128Mi", "160Mi")})
    live = frontend(server("160Mi"))
    before = RENDERER.renders
    where = locate_in(repo, live, chart_dirs=[SAMPLE_CHARTS])
    assert plan_and_check(repo, where, live, oom("server")).ok
    assert RENDERER.renders - before <= 3


def test_the_rendered_diff_never_shows_a_secrets_values(tmp_path: Path) -> None:
    from dr_kube.gitops.render import ObjectKey, Rendered, RenderedObject
    from dr_kube.gitops.verify import manifest_diff
    from dr_kube.values_model import Chart

    chart = Chart(name="demo", where=str(tmp_path), defaults={})
    key = ObjectKey("Secret", "apps", "db")

    def secret(password: str) -> Rendered:
        meta = {"name": "db", "labels": {"rev": password[-3:]}}
        body = {"kind": "Secret", "metadata": meta, "stringData": {"password": password}}
        return Rendered(chart, "r", "apps", {key: RenderedObject(key, "t.yaml", body)})

    diff = manifest_diff(secret("hunter2-old"), secret("hunter2-new"), [key])
    assert "hunter2" not in diff and "password" in diff


def test_alertmanager_statefulset_is_traced_by_the_operators_naming(tmp_path: Path) -> None:
    """A workload-level alert carries no owner chain: `alertmanager-<name>` names the resource."""
    repo = app_repo(
        tmp_path,
        chart="stack",
        version="66.2.1",
        files={"stack.yaml": "grafana:\n  enabled: false\n"},
        release="stack",
        namespace="monitoring",
    )
    live = workload(
        "StatefulSet",
        "alertmanager-stack-alertmanager",
        [ContainerEvidence(name="alertmanager", limits={"memory": "128Mi"})],
        namespace="monitoring",
    )
    where = locate_in(repo, live)
    assert where.target is not None and where.target.ref() == "Alertmanager/stack-alertmanager"
    replicas = where.control(None, "replicas")
    assert replicas is not None
    assert replicas.path == ["alertmanager", "alertmanagerSpec", "replicas"]
    checked = plan_and_check(repo, where, live, oom("alertmanager"))
    assert checked.ok, checked.issues
    assert [(c.dotted(), c.old, c.new) for c in checked.changes] == [
        ("alertmanager.alertmanagerSpec.resources.limits.memory", "128Mi", "256Mi")
    ]


def test_a_sentinel_that_breaks_a_template_is_probed_apart(tmp_path: Path) -> None:
    chart = tmp_path / "charts" / "strict"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: strict\nversion: 1.0.0\n")
    (chart / "values.yaml").write_text("replicaCount: 1\nresources: {}\n")
    (chart / "templates" / "deployment.yaml").write_text(
        """{{- if gt (int .Values.replicaCount) 50 }}{{ fail "replicaCount is capped at 50" }}{{ end }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-strict
spec:
  replicas: {{ .Values.replicaCount }}
  template:
    spec:
      containers:
        - name: app
          image: example/strict:1
          resources: {{- toYaml .Values.resources | nindent 12 }}
"""
    )
    repo = app_repo(
        tmp_path / "repo", chart="strict", version="1.0.0", files={"s.yaml": "replicaCount: 2\n"}
    )
    live = workload("Deployment", "demo-strict", [ContainerEvidence(name="app")])
    where = locate_in(repo, live, chart_dirs=[tmp_path / "charts"])
    control = where.control("app", "resources.limits.memory")
    assert control is not None and control.path == ["resources", "limits", "memory"]
    assert where.control(None, "replicas") is None  # its sentinel fails the template every time
