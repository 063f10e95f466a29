"""The agent's chart (charts/dr-kube) rendered by Helm's own engine (`helm-python-sdk`), with this
repository's site values (values/dr-kube.yaml) by default."""

from __future__ import annotations

from typing import Any

import yaml

from tests.support.stack import REPO, load_yaml, missing

CHART = REPO / "charts" / "dr-kube"
KUBE_VERSION = "1.31.0"


def helm() -> Any:
    try:
        import helm_python.chart as chart
    except ImportError:
        missing("the `helm-python-sdk` package (pip install helm-python-sdk)")
    return chart


def site_values() -> dict[str, Any]:
    data = load_yaml(REPO / "values" / "dr-kube.yaml")
    assert isinstance(data, dict)
    return data


def render(values: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    chart = helm().Chart.load(CHART)
    out = chart.render(
        values if values is not None else site_values(),
        name="dr-kube",
        namespace="dr-kube",
        is_install=True,
    )
    docs = []
    for path, text in sorted(out.items()):
        if path.endswith(".yaml"):
            docs += [d for d in yaml.safe_load_all(text) if d]
    return docs
