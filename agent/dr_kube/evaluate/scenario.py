"""A scenario folder and its `expect.yaml`: what a good answer must (and must not) contain.

The format is documented in docs/EVAL.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from ruamel.yaml.error import YAMLError

from dr_kube.errors import InputError, read_input_file
from dr_kube.gitops.locate import parse_dotted
from dr_kube.models import CATEGORIES, FixStatus, PathKey
from dr_kube.quantity import QuantityError, parse_quantity
from dr_kube.yamlio import load_one, yaml_problem

EXPECT_FILE = "expect.yaml"
ALERT_FILE = "alert.json"
SPLITS = ("dev", "test")
Quantity = str | int | float


def _path(value: Any) -> Any:
    """A path is a list of keys or a dotted string (`frontend.resources.limits.memory`)."""
    if isinstance(value, str):
        return parse_dotted(value)
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RequiredChange(Strict):
    """A change the answer must contain: file, path, direction and accepted range of the new value."""

    file: str | None = None
    path: list[PathKey]
    direction: Literal["up", "down", "set"] | None = None
    min: Quantity | None = None
    max: Quantity | None = None
    value: Any = None

    @field_validator("path", mode="before")
    @classmethod
    def _dotted(cls, value: Any) -> Any:
        return _path(value)

    @field_validator("min", "max")
    @classmethod
    def _quantity(cls, value: Quantity | None) -> Quantity | None:
        if value is not None:
            try:
                parse_quantity(value)
            except QuantityError as exc:
                raise ValueError(str(exc)) from None
        return value

    def describe(self) -> str:
        bounds = []
        if self.min is not None:
            bounds.append(f">= {self.min}")
        if self.max is not None:
            bounds.append(f"<= {self.max}")
        if self.value is not None:
            bounds.append(f"= {self.value!r}")
        where = f"{self.file}:" if self.file else ""
        parts = [f"{where}{dotted(self.path)}", self.direction or "", " ".join(bounds)]
        return " ".join(p for p in parts if p)


class ForbiddenChange(Strict):
    """No change may touch this path or anything under it (an empty path forbids every change)."""

    file: str | None = None
    path: list[PathKey] = Field(default_factory=list)

    @field_validator("path", mode="before")
    @classmethod
    def _dotted(cls, value: Any) -> Any:
        return _path(value)


class IncidentExpect(Strict):
    """Expectations about one incident's answer."""

    workload: str | None = None  # in `incidents:` entries: which incident (workload or pod name)
    categories: list[str] = Field(default_factory=list)
    status: list[FixStatus] = Field(default_factory=list)
    exit_codes: list[int] = Field(default_factory=list)
    required_changes: list[RequiredChange] = Field(default_factory=list)
    forbidden_changes: list[ForbiddenChange] = Field(default_factory=list)
    no_changes: bool = False
    max_attempts: int | None = Field(default=None, ge=0)

    @field_validator("categories")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = [c for c in value if c not in CATEGORIES]
        if unknown:
            raise ValueError(f"unknown categories {unknown}; known: {', '.join(CATEGORIES)}")
        return value

    @field_validator("exit_codes")
    @classmethod
    def _codes(cls, value: list[int]) -> list[int]:
        bad = [c for c in value if c not in (0, 1, 2, 3)]
        if bad:
            raise ValueError(f"exit codes {bad}: dr-kube exits 0, 1, 2 or 3")
        return value


class Expect(IncidentExpect):
    """The whole `expect.yaml`.

    Top-level incident fields apply to every firing incident of the alert file; `exit_codes`
    at the top level is the scenario's exit code (what `dr-kube run` would exit with).
    """

    description: str = ""
    tags: list[str] = Field(default_factory=list)
    incidents_count: int | None = Field(default=None, ge=0)
    incidents: list[IncidentExpect] = Field(default_factory=list)
    never_in_output: list[str] = Field(default_factory=list)

    @property
    def primary_category(self) -> str:
        for entry in [self, *self.incidents]:
            if entry.categories:
                return entry.categories[0]
        return "input"  # scenarios about input handling (resolved, malformed, gone)


@dataclass(frozen=True)
class Scenario:
    name: str  # path relative to the corpus root, e.g. `test/oom-go-checkoutservice`
    split: str  # dev | test | other
    root: Path
    expect: Expect

    @property
    def alert(self) -> Path:
        return self.root / ALERT_FILE

    @property
    def cluster(self) -> Path | None:
        path = self.root / "cluster"
        return path if path.is_dir() else None

    @property
    def gitops(self) -> Path:
        return self.root / "gitops"

    @property
    def history(self) -> list[Path]:
        folder = self.root / "gitops-history"
        return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []

    @property
    def charts(self) -> Path | None:
        path = self.root / "charts"
        return path if path.is_dir() else None


def dotted(path: list[PathKey]) -> str:
    return ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in path)


def load_expect(path: Path) -> Expect:
    text = read_input_file(path)
    try:
        data = load_one(text)
    except YAMLError as exc:
        raise InputError(f"{path}: invalid YAML: {yaml_problem(exc)}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping")
    try:
        return Expect.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "document"
        raise InputError(f"{path}: {where}: {first['msg']}") from None


def load_scenario(folder: Path, corpus: Path) -> Scenario:
    expect = load_expect(folder / EXPECT_FILE)
    for needed in (ALERT_FILE, "gitops"):
        if not (folder / needed).exists():
            raise InputError(f"{folder}: scenario has no {needed}")
    rel = folder.relative_to(corpus) if folder != corpus else Path(folder.name)
    parts = rel.parts
    split = next((p for p in parts if p in SPLITS), None)
    if split is None:
        split = next((p for p in corpus.resolve().parts[::-1] if p in SPLITS), "other")
    return Scenario(name=rel.as_posix(), split=split, root=folder, expect=expect)


def discover(corpus: Path, pattern: str | None = None) -> list[Scenario]:
    """Every folder under `corpus` (or `corpus` itself) holding an expect.yaml, sorted by name."""
    if not corpus.is_dir():
        raise InputError(f"{corpus}: no such scenario directory")
    folders = sorted(p.parent for p in corpus.rglob(EXPECT_FILE))
    folders = [f for f in folders if not any(part.startswith(".") for part in f.parts)]
    if not folders:
        raise InputError(f"{corpus}: no scenarios (no {EXPECT_FILE} below it)")
    scenarios = [load_scenario(f, corpus) for f in folders]
    if pattern:
        scenarios = [s for s in scenarios if pattern in s.name]
        if not scenarios:
            raise InputError(f"{corpus}: no scenario name contains {pattern!r}")
    return scenarios
