"""Patch fidelity: the diff moves exactly the changed lines, whatever the file's style."""

from __future__ import annotations

import difflib

import pytest

from dr_kube.gitops.patch import PatchError, patch_text
from dr_kube.models import Change
from dr_kube.yamlio import load_one

MEMORY = ["svc", "resources", "limits", "memory"]


def changed_lines(old: str, new: str) -> tuple[list[str], list[str]]:
    removed, added = [], []
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


# (name, original text, path, new value, removed lines, added lines)
CASES = [
    (
        "comments-everywhere",
        "# top comment\nsvc:  # service\n  resources:\n    limits:\n      # the limit\n      memory: 128Mi  # tuned 2024\n      cpu: 200m\n# trailing\n",
        MEMORY,
        "256Mi",
        ["      memory: 128Mi  # tuned 2024"],
        ["      memory: 256Mi  # tuned 2024"],
    ),
    (
        "double-quoted",
        'svc:\n  resources:\n    limits:\n      memory: "128Mi"\n      cpu: "200m"\n',
        MEMORY,
        "256Mi",
        ['      memory: "128Mi"'],
        ['      memory: "256Mi"'],
    ),
    (
        "single-quoted",
        "svc:\n  resources:\n    limits:\n      memory: '128Mi'\n",
        MEMORY,
        "256Mi",
        ["      memory: '128Mi'"],
        ["      memory: '256Mi'"],
    ),
    (
        "flow-style-mapping",
        "svc:\n  resources: {limits: {memory: 128Mi, cpu: 1}, requests: {memory: 64Mi}}\nother: x\n",
        MEMORY,
        "256Mi",
        ["  resources: {limits: {memory: 128Mi, cpu: 1}, requests: {memory: 64Mi}}"],
        ["  resources: {limits: {memory: 256Mi, cpu: 1}, requests: {memory: 64Mi}}"],
    ),
    (
        "anchor-kept",
        "defaults: &res\n  limits:\n    memory: 64Mi\nsvc:\n  resources:\n    limits:\n      memory: 128Mi\nother:\n  resources: *res\n",
        MEMORY,
        "256Mi",
        ["      memory: 128Mi"],
        ["      memory: 256Mi"],
    ),
    (
        "alias-written-out",
        "defaults: &res\n  limits:\n    memory: 128Mi\nsvc:\n  resources: *res\nother:\n  resources: *res\n",
        MEMORY,
        "256Mi",
        ["  resources: *res"],
        ["  resources:", "    limits:", "      memory: 256Mi"],
    ),
    (
        "merge-key-override",
        "base: &base\n  resources:\n    limits:\n      memory: 128Mi\nsvc:\n  <<: *base\n  name: svc\nnext: 1\n",
        MEMORY,
        "256Mi",
        [],
        ["  resources:", "    limits:", "      memory: 256Mi"],
    ),
    (
        "list-item",
        "containers:\n  - name: app\n    resources:\n      limits:\n        memory: 1Gi\n  - name: sidecar\n    resources:\n      limits:\n        memory: 64Mi\n",
        ["containers", 1, "resources", "limits", "memory"],
        "128Mi",
        ["        memory: 64Mi"],
        ["        memory: 128Mi"],
    ),
    (
        "four-space-indent",
        "svc:\n    resources:\n        limits:\n            memory: 128Mi\n    name: svc\n",
        MEMORY,
        "256Mi",
        ["            memory: 128Mi"],
        ["            memory: 256Mi"],
    ),
    (
        "missing-key-inserted",
        "svc:\n  name: svc\n  image:\n    tag: v1\n\n# next service\nother:\n  name: other\n",
        MEMORY,
        "256Mi",
        [],
        ["  resources:", "    limits:", "      memory: 256Mi"],
    ),
    (
        "empty-flow-mapping",
        "replicas: 1\nresources: {}\nimage: {tag: v1}\n",
        ["resources", "limits", "memory"],
        "256Mi",
        ["resources: {}"],
        ["resources:", "  limits:", "    memory: 256Mi"],
    ),
    (
        "integer-replicas",
        "controller:\n  replicaCount: 1 # one for now\n  image: {tag: v1.11.3}\n",
        ["controller", "replicaCount"],
        2,
        ["  replicaCount: 1 # one for now"],
        ["  replicaCount: 2 # one for now"],
    ),
    (
        "document-marker-and-no-final-newline",
        "---\nsvc:\n  resources:\n    limits:\n      memory: 128Mi",
        MEMORY,
        "256Mi",
        ["      memory: 128Mi"],
        ["      memory: 256Mi"],
    ),
    (
        "windows-style-blank-lines-and-long-lines",
        "svc:\n\n\n  description: "
        + "x" * 300
        + "\n  resources:\n    limits:\n      memory: 128Mi\n\n\nz: 1\n",
        MEMORY,
        "256Mi",
        ["      memory: 128Mi"],
        ["      memory: 256Mi"],
    ),
]


@pytest.mark.parametrize(
    ("name", "text", "path", "new", "removed", "added"), CASES, ids=[c[0] for c in CASES]
)
def test_diff_moves_only_the_changed_lines(
    name: str, text: str, path: list, new: object, removed: list[str], added: list[str]
) -> None:
    patched = patch_text(text, [Change(file="values.yaml", path=path, new=new)], "values.yaml")
    assert changed_lines(text, patched.text) == (removed, added)
    assert patched.text.endswith("\n") == text.endswith("\n")
    found = load_one(patched.text)
    node = found
    for key in path:
        node = node[key]
    assert node == new


def test_alias_users_other_than_the_target_keep_the_anchor() -> None:
    text = "defaults: &res\n  limits:\n    memory: 128Mi\nsvc:\n  resources: *res\nother:\n  resources: *res\n"
    patched = patch_text(text, [Change(file="v", path=MEMORY, new="256Mi")], "v")
    data = load_one(patched.text)
    assert data["other"]["resources"]["limits"]["memory"] == "128Mi"
    assert data["defaults"]["limits"]["memory"] == "128Mi"


def test_diff_is_a_git_style_unified_diff() -> None:
    text = "svc:\n  resources:\n    limits:\n      memory: 128Mi\n"
    diff = patch_text(
        text, [Change(file="values/x.yaml", path=MEMORY, new="256Mi")], "values/x.yaml"
    ).diff
    assert diff.splitlines()[:2] == ["--- a/values/x.yaml", "+++ b/values/x.yaml"]
    assert "-      memory: 128Mi" in diff and "+      memory: 256Mi" in diff


def test_two_changes_in_one_file() -> None:
    text = (
        "svc:\n  resources:\n    requests:\n      memory: 64Mi\n    limits:\n      memory: 128Mi\n"
    )
    patched = patch_text(
        text,
        [
            Change(file="v", path=["svc", "resources", "requests", "memory"], new="128Mi"),
            Change(file="v", path=MEMORY, new="256Mi"),
        ],
        "v",
    )
    assert changed_lines(text, patched.text) == (
        ["      memory: 64Mi", "      memory: 128Mi"],
        ["      memory: 128Mi", "      memory: 256Mi"],
    )


def test_patching_a_collection_as_a_scalar_is_refused() -> None:
    with pytest.raises(PatchError, match="collection"):
        patch_text(
            "svc:\n  resources:\n    limits: {}\n",
            [Change(file="v", path=["svc", "resources"], new="1")],
            "v",
        )


def test_invalid_yaml_is_refused() -> None:
    with pytest.raises(PatchError, match="invalid YAML"):
        patch_text("svc: [unclosed\n", [Change(file="v", path=["svc"], new="1")], "v")


def test_value_needing_quotes_is_quoted() -> None:
    patched = patch_text(
        "svc:\n  image:\n    tag: v1\n",
        [Change(file="v", path=["svc", "image", "tag"], new="1.10")],
        "v",
    )
    assert '    tag: "1.10"' in patched.text
    assert load_one(patched.text)["svc"]["image"]["tag"] == "1.10"
