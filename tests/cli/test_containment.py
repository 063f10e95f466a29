"""Issue 14, findings 1-3 and 8 through `dr-kube run` and `fix`: nothing outside the repository is
read or written, names are Kubernetes names, protected namespaces cannot be spelled around, every
branch is one git accepts. Each test counts the files changed outside (the goal: none)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from dr_kube.cli.main import main
from tests.support.hostile import (
    Outside,
    copy_dump,
    edit_items,
    legacy_oom,
    oom_alert,
    write_json,
)
from tests.support.paths import SAMPLE_CHARTS, SAMPLE_CLUSTER, SAMPLES
from tests.support.repos import git

APP = "applications/online-boutique.yaml"
VALUES = "values/online-boutique.yaml"
SHOP_ENTRY = "$values/values/online-boutique.yaml"


def dr_kube(*args: str, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(main, list(args), env={"GITHUB_TOKEN": "", **(env or {})})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def command(
    name: str, alert: Path, repo: Path, cluster: Path = SAMPLE_CLUSTER, *extra: str
) -> Result:
    return dr_kube(
        name,
        str(alert),
        "--cluster",
        str(cluster),
        "--charts",
        str(SAMPLE_CHARTS),
        "--gitops-repo",
        str(repo),
        "--output",
        "json",
        *extra,
    )


def commit_and_push(clone: Path, message: str) -> None:
    git(clone, "add", "-A")
    git(clone, "commit", "--quiet", "-m", message)
    git(clone, "push", "--quiet", "origin", "HEAD:main")


def dr_kube_branches(origin: Path) -> list[str]:
    out = git(origin, "for-each-ref", "--format=%(refname:short)", "refs/heads/dr-kube")
    return out.splitlines()


def one_line_error(result: Result, *words: str) -> None:
    """Exit 2 with one `dr-kube: error:` line that says what was refused, no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dr-kube: error: "), result.stderr
    assert "Traceback" not in result.output
    for word in words:
        assert word in lines[0], lines[0]


def repoint_values_file(clone: Path, entry: str) -> None:
    app = clone / APP
    app.write_text(app.read_text().replace(SHOP_ENTRY, entry))
    commit_and_push(clone, "valueFiles elsewhere")


# ---- 1. containment -------------------------------------------------------------------------


def test_fix_never_writes_a_values_file_named_by_an_absolute_path(
    gitops_with_origin: tuple[Path, Path], tmp_path: Path
) -> None:
    clone, origin = gitops_with_origin
    outside = Outside(tmp_path / "outside")
    repoint_values_file(clone, f"$values/{outside.file}")  # `$values//tmp/.../outside.yaml`
    result = command("fix", legacy_oom(tmp_path / "oom.json"), clone)
    one_line_error(result, "absolute path", str(outside.file))
    assert outside.changed() == []
    assert dr_kube_branches(origin) == []


def test_fix_never_writes_through_a_committed_symlink_to_outside(
    gitops_with_origin: tuple[Path, Path], tmp_path: Path
) -> None:
    clone, origin = gitops_with_origin
    outside = Outside(tmp_path / "outside")
    (clone / VALUES).unlink()
    (clone / VALUES).symlink_to(outside.file)
    commit_and_push(clone, "values as a link")
    result = command("fix", SAMPLES / "sample_oom.json", clone)
    one_line_error(result, VALUES, "link")
    assert outside.changed() == []
    assert dr_kube_branches(origin) == []


def test_fix_checks_the_fresh_base_too_not_only_the_checkout(
    gitops_with_origin: tuple[Path, Path], tmp_path: Path
) -> None:
    """The checkout holds a plain file; the base on origin a link: the write is refused there."""
    clone, origin = gitops_with_origin
    outside = Outside(tmp_path / "outside")
    other = tmp_path / "other"
    git(tmp_path, "clone", "--quiet", str(origin), str(other))
    (other / VALUES).unlink()
    (other / VALUES).symlink_to(outside.file)
    commit_and_push(other, "values as a link, on origin only")
    result = command("fix", SAMPLES / "sample_oom.json", clone, SAMPLE_CLUSTER, "--base", "main")
    one_line_error(result, "link that resolves outside")
    assert outside.changed() == []
    assert dr_kube_branches(origin) == []


@pytest.mark.parametrize(
    "entry", ["$values/../outside/outside.yaml", "$values/values/../../outside/outside.yaml"]
)
def test_run_never_reads_an_application_values_file_up_the_tree(
    gitops_with_origin: tuple[Path, Path], tmp_path: Path, entry: str
) -> None:
    clone, _ = gitops_with_origin
    outside = Outside(tmp_path / "outside")
    outside.file.write_text(outside.file.read_text() + "# outside-marker\n")
    outside.before = outside.snapshot()
    repoint_values_file(clone, entry)
    result = command("run", legacy_oom(tmp_path / "oom.json"), clone)
    one_line_error(result, "points outside")
    assert "outside-marker" not in result.output and result.stdout == ""
    assert outside.changed() == []


def test_run_never_reads_a_values_file_annotation_up_the_tree(
    gitops_repo: Path, tmp_path: Path
) -> None:
    outside = Outside(tmp_path / "outside")
    dump = copy_dump(tmp_path / "dump")

    def annotate(item: dict[str, object]) -> None:
        meta = item["metadata"]
        assert isinstance(meta, dict)
        if meta["name"] == "frontend":
            meta.setdefault("annotations", {})["dr-kube.io/values-file"] = "../outside/outside.yaml"

    edit_items(dump / "online-boutique" / "deployments.json", annotate)
    result = command("run", legacy_oom(tmp_path / "oom.json"), gitops_repo, dump)
    one_line_error(result, "annotation dr-kube.io/values-file", "points outside")
    assert outside.changed() == []


@pytest.mark.parametrize("values_file", ["../outside/outside.yaml", "/etc/hostname", ""])
def test_a_legacy_values_file_outside_the_repository_is_bad_input(
    gitops_repo: Path, tmp_path: Path, values_file: str
) -> None:
    outside = Outside(tmp_path / "outside")
    alert = legacy_oom(tmp_path / "oom.json", values_file=values_file)
    result = command("run", alert, gitops_repo)
    one_line_error(result, "values_file", "relative to the GitOps repository")
    assert outside.changed() == []


def test_an_application_file_linked_from_outside_is_refused(
    gitops_repo: Path, tmp_path: Path
) -> None:
    outside = Outside(tmp_path / "outside")
    (gitops_repo / "applications" / "stray.yaml").symlink_to(outside.file)
    result = command("run", SAMPLES / "sample_oom.json", gitops_repo)
    one_line_error(result, "Application file", "applications/stray.yaml", "resolves outside")
    assert outside.changed() == []


def test_a_chart_folder_in_the_repository_may_not_link_outside(
    gitops_repo: Path, tmp_path: Path
) -> None:
    """A chart deployed from a path in the repository: Helm would read a linked template."""
    outside = Outside(tmp_path / "outside")
    chart = gitops_repo / "charts" / "shop"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: shop\nversion: 1.0.0\n")
    (chart / "templates" / "secret.yaml").symlink_to(outside.file)
    app = gitops_repo / APP
    app.write_text(
        app.read_text()
        .replace("repoURL: us-docker.pkg.dev/online-boutique-ci/charts", "repoURL: ./")
        .replace("chart: onlineboutique\n      targetRevision: 0.10.2", "path: charts/shop")
    )
    result = command("run", SAMPLES / "sample_oom.json", gitops_repo)
    one_line_error(result, "chart path charts/shop", "secret.yaml", "resolves outside")
    assert outside.changed() == []


# ---- 2. names and protected namespaces ------------------------------------------------------


@pytest.mark.parametrize(
    "namespace", ["online-boutique/", "./online-boutique", "online-boutique/.", "Online-Boutique"]
)
def test_a_protected_namespace_cannot_be_spelled_around(
    gitops_with_origin: tuple[Path, Path], tmp_path: Path, namespace: str
) -> None:
    clone, origin = gitops_with_origin
    (clone / "dr-kube-policy.yaml").write_text("protected_namespaces: [online-boutique]\n")
    commit_and_push(clone, "protect the shop")
    result = command("fix", oom_alert(tmp_path / "alert.json", namespace=namespace), clone)
    one_line_error(result, "label namespace", repr(namespace), "DNS-1123 label")
    assert dr_kube_branches(origin) == []
    # the name spelled right is protected: diagnosed, no fix, no branch
    same = command("fix", oom_alert(tmp_path / "plain.json"), clone)
    assert same.exit_code == 3, same.output
    assert "protected-namespace" in json.dumps(json.loads(same.stdout)["fix"])
    assert dr_kube_branches(origin) == []


def test_a_namespace_climbing_out_of_the_dump_never_reaches_the_reader(
    gitops_repo: Path, tmp_path: Path
) -> None:
    dump = copy_dump(tmp_path / "a" / "b" / "dump")
    planted = tmp_path / "a" / "x"  # where DIR/../../x leads: a pod the reader would find
    planted.mkdir()
    shop = json.loads((SAMPLE_CLUSTER / "online-boutique" / "pods.json").read_text())
    (planted / "pods.json").write_text(json.dumps(shop, indent=4))
    for form in (
        oom_alert(tmp_path / "alert.json", namespace="../../x"),
        legacy_oom(tmp_path / "legacy.json", namespace="../../x"),
    ):
        result = command("run", form, gitops_repo, dump)
        one_line_error(result, "namespace", "'../../x'")


@pytest.mark.parametrize(
    ("label", "value"),
    [("pod", "../frontend"), ("container", "server/../../x"), ("deployment", "front end")],
)
def test_names_from_alerts_are_kubernetes_names(
    gitops_repo: Path, tmp_path: Path, label: str, value: str
) -> None:
    result = command("run", oom_alert(tmp_path / "alert.json", **{label: value}), gitops_repo)
    one_line_error(result, f"label {label}", repr(value))


def test_an_alert_status_other_than_firing_or_resolved_is_bad_input(
    gitops_repo: Path, tmp_path: Path
) -> None:
    result = command("run", oom_alert(tmp_path / "alert.json", status="exploded"), gitops_repo)
    one_line_error(result, "status", "'firing' or 'resolved'")


# ---- 3. branch names --------------------------------------------------------------------------


def test_a_deployment_named_frontend_lock_gets_a_valid_branch(
    gitops_with_origin: tuple[Path, Path], tmp_path: Path
) -> None:
    clone, origin = gitops_with_origin
    dump = copy_dump(tmp_path / "dump")
    shop = dump / "online-boutique"

    def rename(item: dict[str, object]) -> None:
        meta = item["metadata"]
        assert isinstance(meta, dict)
        if meta["name"] == "frontend":
            meta["name"] = "frontend.lock"
            meta["annotations"]["dr-kube.io/values-path"] = "frontend"  # type: ignore[index]
        for ref in meta.get("ownerReferences") or []:  # type: ignore[attr-defined]
            if ref["name"] == "frontend":
                ref["name"] = "frontend.lock"

    edit_items(shop / "deployments.json", rename)
    edit_items(shop / "replicasets.json", rename)
    alert = legacy_oom(tmp_path / "oom.json", resource="deployment/frontend.lock")
    result = command("fix", alert, clone, dump)
    assert result.exit_code == 0, result.output
    branch = json.loads(result.stdout)["pr"]["branch"]
    assert branch == "dr-kube/online-boutique/frontend.lock_/oom"
    check = subprocess.run(["git", "check-ref-format", "--branch", branch], capture_output=True)
    assert check.returncode == 0
    assert dr_kube_branches(origin) == [branch]
    assert "memory: 256Mi" in git(origin, "show", f"{branch}:{VALUES}")
    again = command("fix", alert, clone, dump)  # deterministic: the same branch, nothing new
    assert again.exit_code == 0 and json.loads(again.stdout)["pr"]["branch"] == branch
    assert dr_kube_branches(origin) == [branch]


# ---- 4. policy by category --------------------------------------------------------------------


def ollama_answer(content: dict[str, object]) -> str:
    done = {"model": "m", "message": {"role": "assistant", "content": ""}, "done": True}
    chunk = {"model": "m", "message": {"role": "assistant", "content": json.dumps(content)}}
    return json.dumps({**chunk, "done": False}) + "\n" + json.dumps(done) + "\n"


def test_an_llm_cannot_retag_every_image_for_an_oom(gitops_repo: Path, tmp_path: Path) -> None:
    """Without the chart (nothing renders, so no blast radius to see) the category decides."""
    retag = {
        "category": "oom",
        "root_cause": "The frontend needs a newer image.",
        "evidence": ["OOMKilled"],
        "changes": [{"path": ["images", "tag"], "new": "v0.10.3"}],
        "confidence": 0.9,
        "no_fix_reason": "",
    }
    bodies: list[dict[str, object]] = []

    def chat(request: Request) -> Response:
        bodies.append(json.loads(request.get_data()))
        return Response(ollama_answer(retag), content_type="application/x-ndjson")

    with HTTPServer(host="127.0.0.1", port=0) as server:
        server.expect_request("/api/chat", method="POST").respond_with_handler(chat)
        result = dr_kube(
            "run",
            str(SAMPLES / "sample_oom.json"),
            "--cluster",
            str(SAMPLE_CLUSTER),
            "--gitops-repo",
            str(gitops_repo),
            "--provider",
            "ollama",
            "--output",
            "json",
            env={"OLLAMA_HOST": server.url_for("/").rstrip("/"), "DRKUBE_OLLAMA_MODEL": "m"},
        )
    assert bodies, "the model was asked"
    assert "never a chart-wide image for a resource problem" in json.dumps(bodies[0])
    assert result.exit_code == 0, result.output
    fix = json.loads(result.stdout)["fix"]
    assert [c["path"] for c in fix["changes"]] == [["frontend", "resources", "limits", "memory"]]
    assert "images" not in fix["diff"]


def test_a_policy_may_widen_what_a_category_changes(tmp_path: Path) -> None:
    from dr_kube.models import Change
    from dr_kube.policy import Policy, check_change

    retag = Change(file=VALUES, path=["images", "tag"], old="v0.10.2", new="v0.10.3")
    codes = [i.code for i in check_change(retag, Policy(), "oom")]
    assert codes == ["wrong-field-for-category"]
    assert check_change(retag, Policy(), "image-pull") == []
    wider = Policy(category_fields={"oom": ["memory", "image"]})
    assert check_change(retag, wider, "oom") == []
    policy = write_json(tmp_path / "p.json", {"category_fields": {"oom": ["everything"]}})
    bad = dr_kube("run", str(SAMPLES / "sample_oom.json"), "--policy", str(policy))
    assert bad.exit_code == 2 and "category_fields" in bad.stderr
