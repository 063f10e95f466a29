"""Paths the tests read: this repository, its sample incidents, and the shared test data."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLES = REPO_ROOT / "agent" / "issues"
SAMPLE_CLUSTER = SAMPLES / "cluster"
SAMPLE_CHARTS = SAMPLES / "charts"
DATA = Path(__file__).resolve().parent / "data"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
