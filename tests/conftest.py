"""The fixtures every test can use: they live in tests/support, registered here as plugins."""

import os
import tempfile

pytest_plugins = [
    "tests.support.repos",
    "tests.support.stores",
    "tests.support.postgres",
    "tests.support.service_fixtures",
    "tests.support.slack_fake",
    "tests.support.llm",
    "tests.support.helm_repos",
    "tests.support.browser",
]

# Hermetic charts: no test reaches a public Helm repository (the sample Applications name some) or
# the user's chart cache; the chart-fetch tests switch fetching back on against their own servers.
os.environ["DRKUBE_CHART_OFFLINE"] = "1"
os.environ["DRKUBE_CHART_CACHE"] = tempfile.mkdtemp(prefix="dr-kube-test-charts-")
