"""Every YAML file parses; Applications and Chaos Mesh experiments match their CRD schemas."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.support.stack import REPO, SCHEMAS, load_all_yaml, load_yaml, repo_files


def is_template(path: Path) -> bool:
    """A file under a chart's `templates/`: Go templates, not YAML (their tests render them)."""
    return "templates" in path.parts and any((d / "Chart.yaml").is_file() for d in path.parents)


YAML_FILES = [p for p in repo_files(".yaml", ".yml") if not is_template(p)]
APPS = sorted((REPO / "applications").glob("*.yaml"))
CHAOS = sorted((REPO / "chaos").glob("*.yaml"))

COMPONENTS = {
    "argocd",
    "kube-prometheus-stack",
    "grafana",
    "loki",
    "tempo",
    "pyroscope",
    "alloy",
    "metrics-server",
    "ingress-nginx",
    "cert-manager",
    "chaos-mesh",
    "online-boutique",
    "dr-kube",
}


def schema(api_version: str, kind: str) -> dict[str, Any]:
    path = SCHEMAS / f"{api_version.replace('/', '_')}_{kind}.json"
    assert path.exists(), f"no schema kept for {api_version} {kind}"
    data = json.loads(path.read_text())
    jsonschema.Draft202012Validator.check_schema(data)
    return data


def validate(doc: dict[str, Any]) -> None:
    validator = jsonschema.Draft202012Validator(schema(doc["apiVersion"], doc["kind"]))
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors
    )


@pytest.mark.parametrize("path", YAML_FILES, ids=[str(p.relative_to(REPO)) for p in YAML_FILES])
def test_yaml_parses(path: Path) -> None:
    with path.open(encoding="utf-8") as fh:
        list(yaml.safe_load_all(fh))


@pytest.mark.parametrize("path", APPS, ids=[p.name for p in APPS])
def test_application_schema(path: Path) -> None:
    (doc,) = load_all_yaml(path)
    validate(doc)
    assert doc["metadata"]["namespace"] == "argocd"


def test_every_component_has_an_application() -> None:
    names = {load_yaml(p)["metadata"]["name"] for p in APPS}
    assert names == COMPONENTS | {"root"}


def test_root_app_of_apps() -> None:
    root = load_yaml(REPO / "applications" / "root.yaml")
    assert root["spec"]["source"]["path"] == "applications"
    assert root["spec"]["source"]["directory"]["exclude"] == "root.yaml"
    assert root["spec"]["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}


CHILDREN = [p for p in APPS if p.name != "root.yaml"]


@pytest.mark.parametrize("path", CHILDREN, ids=[p.name for p in CHILDREN])
def test_child_application(path: Path) -> None:
    doc = load_yaml(path)
    spec = doc["spec"]
    chart_src, values_src = spec["sources"]
    # Pinned: a chart version, never a range or HEAD (a repo chart follows the repo's main).
    if "chart" in chart_src:
        assert re.fullmatch(r"v?\d+\.\d+\.\d+", chart_src["targetRevision"]), chart_src[
            "targetRevision"
        ]
    else:
        assert (REPO / chart_src["path"] / "Chart.yaml").exists()
    assert values_src["ref"] == "values"
    assert set(values_src) == {"repoURL", "targetRevision", "ref"}
    for value_file in chart_src["helm"]["valueFiles"]:
        assert value_file.startswith("$values/values/")
        assert (REPO / value_file.removeprefix("$values/")).is_file(), value_file
    assert spec["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}
    assert "CreateNamespace=true" in spec["syncPolicy"]["syncOptions"]
    int(doc["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"])


def test_sync_waves_put_crds_and_monitoring_first() -> None:
    wave = {
        load_yaml(p)["metadata"]["name"]: int(
            load_yaml(p)["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]
        )
        for p in CHILDREN
    }
    assert wave["argocd"] == min(wave.values())
    crds = max(wave["kube-prometheus-stack"], wave["cert-manager"], wave["chaos-mesh"])
    users = (
        "ingress-nginx",
        "grafana",
        "loki",
        "tempo",
        "pyroscope",
        "alloy",
        "dr-kube",
        "online-boutique",
    )
    assert all(wave[u] > crds for u in users), wave
    assert wave["grafana"] > max(wave["loki"], wave["tempo"], wave["pyroscope"])
    assert wave["online-boutique"] == max(wave.values())


@pytest.mark.parametrize("path", CHAOS, ids=[p.name for p in CHAOS])
def test_chaos_schema(path: Path) -> None:
    (doc,) = load_all_yaml(path)
    validate(doc)
    assert doc["metadata"]["name"] == path.stem


def _selectors(node: Any) -> list[dict[str, Any]]:
    found = []
    if isinstance(node, dict):
        if "selector" in node:
            found.append(node["selector"])
        for value in node.values():
            found += _selectors(value)
    elif isinstance(node, list):
        for value in node:
            found += _selectors(value)
    return found


def boutique_apps() -> set[str]:
    values = load_yaml(REPO / "values" / "online-boutique.yaml")
    names = {
        v["name"] for v in values.values() if isinstance(v, dict) and "name" in v and "create" in v
    }
    return names | {values["cartDatabase"]["inClusterRedis"]["name"]}


@pytest.mark.parametrize("path", CHAOS, ids=[p.name for p in CHAOS])
def test_chaos_targets_real_services(path: Path) -> None:
    """Selectors name Online Boutique apps that exist, so an experiment never silently hits nothing."""
    apps = boutique_apps()
    for sel in _selectors(load_yaml(path)["spec"]):
        assert sel["namespaces"] == ["online-boutique"]
        named = (
            [sel["labelSelectors"]["app"]]
            if "labelSelectors" in sel
            else [v for e in sel["expressionSelectors"] for v in e["values"]]
        )
        assert set(named) <= apps, set(named) - apps


def test_workflows_reference_their_templates() -> None:
    for path in CHAOS:
        doc = load_yaml(path)
        if doc["kind"] != "Workflow":
            continue
        names = {t["name"] for t in doc["spec"]["templates"]}
        assert doc["spec"]["entry"] in names
        for t in doc["spec"]["templates"]:
            assert set(t.get("children", [])) <= names


def test_chaos_doc_covers_every_experiment() -> None:
    text = (REPO / "docs" / "CHAOS.md").read_text()
    for path in CHAOS:
        assert f"chaos/{path.name}" in text
    assert text.count("### Verify") >= len(CHAOS)


def test_schema_catches_a_typo() -> None:
    doc = load_yaml(REPO / "chaos" / "pod-kill-checkoutservice.yaml")
    doc["spec"]["acton"] = doc["spec"].pop("action")
    with pytest.raises(AssertionError):
        validate(doc)
