"""`dr_kube.paths`: one containment rule for every path DR-Kube reads or writes, and the places
that build paths from data (the dump reader, the chart cache) refusing what climbs out."""

from __future__ import annotations

from pathlib import Path

import pytest

from dr_kube.cluster.dump import DumpSource
from dr_kube.config.charts import ChartSettings
from dr_kube.errors import InputError, InvalidNameError, PathEscapeError
from dr_kube.gitops.chart_archive import chart_from_dir
from dr_kube.gitops.chart_cache import ChartCache
from dr_kube.gitops.chart_deps import DependencyBuilder
from dr_kube.gitops.chart_fetch import ChartFetcher
from dr_kube.paths import contained, links_inside, plain_file
from tests.support.hostile import Outside, copy_dump


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "repo" / "values").mkdir(parents=True)
    (tmp_path / "repo" / "values" / "app.yaml").write_text("a: 1\n")
    return tmp_path / "repo"


def test_paths_inside_are_given_back_resolved(root: Path) -> None:
    assert contained(root, "values/app.yaml") == (root / "values/app.yaml").resolve()
    assert contained(root, "values/../values/app.yaml") == (root / "values/app.yaml").resolve()
    assert contained(root, "values/new.yaml").name == "new.yaml"  # need not exist yet
    (root / "values" / "alias.yaml").symlink_to("app.yaml")  # a link that stays inside
    assert contained(root, "values/alias.yaml") == (root / "values/app.yaml").resolve()


@pytest.mark.parametrize(
    ("candidate", "why"),
    [
        ("/etc/passwd", "absolute path"),
        ("//etc/passwd", "absolute path"),
        ("../outside.yaml", "points outside"),
        ("values/../../outside.yaml", "points outside"),
        ("", "not a file name"),
        ("values/a\0b", "not a file name"),
    ],
)
def test_what_names_a_place_outside_is_refused_before_any_io(
    root: Path, candidate: str, why: str
) -> None:
    with pytest.raises(PathEscapeError, match=why) as caught:
        contained(root, candidate, what="values file")
    assert isinstance(caught.value, InputError) and caught.value.exit_code == 2
    assert str(caught.value).startswith("values file: ")


def test_links_out_and_link_loops_are_refused(root: Path, tmp_path: Path) -> None:
    outside = Outside(tmp_path / "outside")
    (root / "values" / "out.yaml").symlink_to(outside.file)
    (root / "linked").symlink_to(outside.root, target_is_directory=True)
    (root / "loop").symlink_to("loop")
    for candidate in ("values/out.yaml", "linked/outside.yaml"):
        with pytest.raises(PathEscapeError, match="resolves outside"):
            contained(root, candidate)
    with pytest.raises(PathEscapeError):
        contained(root, "loop/x.yaml")
    assert outside.changed() == []


def test_a_file_to_write_may_not_be_a_link_even_inside(root: Path) -> None:
    (root / "values" / "alias.yaml").symlink_to("app.yaml")
    assert plain_file(root, "values/app.yaml") == (root / "values/app.yaml").resolve()
    with pytest.raises(PathEscapeError, match="symbolic link"):
        plain_file(root, "values/alias.yaml")


def test_links_inside_a_chart_folder_must_stay_inside(root: Path, tmp_path: Path) -> None:
    chart = root / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "templates" / "ok.yaml").symlink_to(root / "values" / "app.yaml")
    assert links_inside(root, chart) == chart
    (chart / "templates" / "out.yaml").symlink_to(Outside(tmp_path / "o").file)
    with pytest.raises(PathEscapeError, match=r"out\.yaml"):
        links_inside(root, chart, what="chart")


def test_the_dump_reader_refuses_names_that_climb_out(tmp_path: Path) -> None:
    dump = DumpSource(copy_dump(tmp_path / "a" / "dump"))
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "pods.json").write_text('{"items": [{"metadata": {"name": "planted"}}]}')
    for namespace in ("../../x", "../x", "kube-system/", "./kube-system", "kube-system/."):
        with pytest.raises(InvalidNameError, match="namespace"):
            dump.list_objects("Pod", namespace)
    with pytest.raises(InvalidNameError, match="pod"):
        dump.logs("online-boutique", "../../../x", "server")
    with pytest.raises(InvalidNameError, match="container"):
        dump.logs("online-boutique", "frontend-7d9c8b6f5b-x2x9k", "../../x")
    assert dump.get("Pod", "online-boutique", "frontend-7d9c8b6f5b-x2x9k") is not None


def test_a_dump_file_linked_outside_is_refused(tmp_path: Path) -> None:
    outside = Outside(tmp_path / "outside")
    root = copy_dump(tmp_path / "dump")
    (root / "online-boutique" / "pods.json").unlink()
    (root / "online-boutique" / "pods.json").symlink_to(outside.file)
    with pytest.raises(PathEscapeError, match="resolves outside"):
        DumpSource(root).list_objects("Pod", "online-boutique")


def test_the_chart_cache_keeps_entries_inside(tmp_path: Path) -> None:
    cache = ChartCache(tmp_path / "cache")
    with pytest.raises(PathEscapeError, match="chart cache entry"):
        cache.get("https://charts.example.test", "../../../x", "1.0.0")
    with pytest.raises(PathEscapeError, match="chart cache entry"):
        cache.versions("https://charts.example.test", "../../..")


def test_a_chart_named_to_climb_out_of_the_cache_is_refused(tmp_path: Path) -> None:
    """The assembled chart's folder is named after its Chart.yaml `name`: data, not a path."""
    main, sub = tmp_path / "charts" / "main", tmp_path / "charts" / "sub"
    for folder in (main, sub):
        (folder / "templates").mkdir(parents=True)
    (sub / "Chart.yaml").write_text("apiVersion: v2\nname: sub\nversion: 1.0.0\n")
    (main / "Chart.yaml").write_text(
        "apiVersion: v2\nname: ../../../escaped\nversion: 1.0.0\ndependencies:\n"
        "  - name: sub\n    version: 1.0.0\n    repository: file://../sub\n"
    )
    chart = chart_from_dir(main)
    assert chart is not None
    settings = ChartSettings(cache=tmp_path / "cache", timeout=10.0, offline=True)
    with pytest.raises(PathEscapeError, match="chart cache entry"):
        DependencyBuilder(ChartFetcher(settings)).build(chart)
    assert not (tmp_path / "escaped").exists() and not (tmp_path.parent / "escaped").exists()
