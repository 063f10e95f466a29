"""The dump reader that reads what an incident needs: same evidence as reading whole lists, events
filtered to the incident's objects, owners found in a big generated dump, one read per file."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Collection, Iterator
from pathlib import Path

import pytest

from dr_kube.alerts import parse_incidents
from dr_kube.cluster import listfile
from dr_kube.cluster.collect import collect_evidence, resolve_workload
from dr_kube.cluster.dump import LIST_FILES, DumpSource
from dr_kube.cluster.listfile import ListFileCache, detect_layout
from dr_kube.cluster.source import K8sObject, Query, Ref, controller_of, meta
from dr_kube.errors import InputError
from dr_kube.incidents.model import Incident
from tests.support.bigdump import FOCUS_POD, NAMESPACE, BigDump, write_big_dump
from tests.support.paths import DATA, SAMPLE_CLUSTER

DUMPS = [SAMPLE_CLUSTER, DATA / "dump-evidence", DATA / "dump-statefulset"]


class WholeListSource(DumpSource):
    """The reader as it was: every list file loaded whole, filtered in Python."""

    def _all(self, kind: str, namespace: str) -> list[K8sObject]:
        path = self.root / namespace / LIST_FILES[kind]
        if not path.is_file():
            return []
        items: list[K8sObject] = json.loads(path.read_text())["items"]
        return items

    def get(self, kind: str, namespace: str, name: str) -> K8sObject | None:
        if kind not in LIST_FILES:
            return None
        return next((i for i in self._all(kind, namespace) if meta(i)["name"] == name), None)

    def owned_by(self, kind: str, namespace: str, owners: Collection[Ref]) -> list[K8sObject]:
        return [i for i in self._all(kind, namespace) if controller_of(i) in set(owners)]

    def events_about(self, namespace: str, objects: Collection[Ref]) -> list[K8sObject]:
        wanted = set(objects)
        return [
            e
            for e in self._all("Event", namespace)
            if (e["involvedObject"].get("kind"), e["involvedObject"].get("name")) in wanted
        ]


def pod_alerts(dump: Path) -> Iterator[Incident]:
    """One alert per pod of every namespace of a dump."""
    for folder in sorted(p for p in dump.iterdir() if (p / "pods.json").is_file()):
        for pod in json.loads((folder / "pods.json").read_text())["items"]:
            labels = {"alertname": "Test", "namespace": folder.name, "pod": meta(pod)["name"]}
            yield parse_incidents({"labels": labels})[0]


@pytest.mark.parametrize("dump", DUMPS, ids=lambda p: p.name)
def test_same_evidence_as_reading_whole_lists(dump: Path) -> None:
    compared = 0
    for incident in pod_alerts(dump):
        try:
            reference = collect_evidence(WholeListSource(dump), incident)
        except Exception as exc:  # a bare pod has no workload: both readers must say so
            with pytest.raises(type(exc)):
                collect_evidence(DumpSource(dump), incident)
            continue
        assert collect_evidence(DumpSource(dump), incident) == reference, incident.pod
        compared += 1
    assert compared >= 2


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> BigDump:
    return write_big_dump(tmp_path_factory.mktemp("big") / "dump", pods=400, events=6000)


def test_the_big_dump_is_big_and_laid_out_as_kubectl_writes() -> None:
    head = (SAMPLE_CLUSTER / NAMESPACE / "events.json").read_bytes()[:4096]
    assert detect_layout(head) is not None


def test_events_are_filtered_to_the_incidents_objects(big: BigDump) -> None:
    assert big.pods == 400 and big.events == 6000 and big.decoys >= 1
    objects = {
        ("Pod", FOCUS_POD),
        ("ReplicaSet", "frontend-7d9c8b6f5b"),
        ("Deployment", "frontend"),
    }
    found = DumpSource(big.root).events_about(NAMESPACE, objects)
    assert found == WholeListSource(big.root).events_about(NAMESPACE, objects)
    assert {e["reason"] for e in found} >= {"BackOff", "Started"}
    assert all((e["involvedObject"]["kind"], e["involvedObject"]["name"]) in objects for e in found)
    every = json.loads((big.root / NAMESPACE / "events.json").read_text())["items"]
    decoys = [e for e in every if FOCUS_POD in e["message"] and e["reason"].startswith("FailedTo")]
    assert len(decoys) == big.decoys and not any(d in found for d in decoys)


def test_the_owner_chain_is_found_in_a_big_dump(big: BigDump) -> None:
    source = DumpSource(big.root)
    incident = parse_incidents(
        {"labels": {"alertname": "Test", "namespace": NAMESPACE, "pod": FOCUS_POD}}
    )[0]
    workload, chain, _ = resolve_workload(source, incident)
    assert chain == [f"Pod/{FOCUS_POD}", "ReplicaSet/frontend-7d9c8b6f5b", "Deployment/frontend"]
    assert meta(workload)["name"] == "frontend"
    synthetic = next(
        meta(p)["name"]
        for p in WholeListSource(big.root)._all("Pod", NAMESPACE)
        if meta(p)["name"].startswith("load-0007-")
    )
    incident = parse_incidents(
        {"labels": {"alertname": "Test", "namespace": NAMESPACE, "pod": synthetic}}
    )[0]
    evidence = collect_evidence(source, incident)
    assert evidence.workload.name == "load-0007" and evidence.workload.owner_chain[-1] == (
        "Deployment/load-0007"
    )
    assert len(evidence.pods) == 10 and all(p.name.startswith("load-0007-") for p in evidence.pods)
    assert evidence == collect_evidence(WholeListSource(big.root), incident)


def test_small_chunks_give_the_same_answer(big: BigDump, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(listfile, "CHUNK", 4096)  # items straddle every chunk boundary
    objects = {("Pod", FOCUS_POD), ("Deployment", "frontend")}
    path = big.root / NAMESPACE / "events.json"
    found = listfile.scan(path, Query("involved", frozenset(objects)))
    assert found == WholeListSource(big.root).events_about(NAMESPACE, objects)


@pytest.mark.parametrize("indent", [None, 2, "\t"], ids=["compact", "two-spaces", "tabs"])
def test_any_layout_gives_the_same_answer(
    big: BigDump, tmp_path: Path, indent: int | str | None
) -> None:
    dump = tmp_path / "dump"
    shutil.copytree(SAMPLE_CLUSTER, dump)
    for name in ("events.json", "pods.json", "replicasets.json"):
        data = json.loads((big.root / NAMESPACE / name).read_text())
        (dump / NAMESPACE / name).write_text(json.dumps(data, indent=indent))
    incident = parse_incidents(
        {"labels": {"alertname": "Test", "namespace": NAMESPACE, "pod": FOCUS_POD}}
    )[0]
    assert collect_evidence(DumpSource(dump), incident) == collect_evidence(
        WholeListSource(big.root), incident
    ).model_copy(update={"source": f"cluster dump {dump}"})


def test_a_broken_list_is_an_input_error(tmp_path: Path) -> None:
    folder = tmp_path / "ns"
    folder.mkdir()
    text = (SAMPLE_CLUSTER / NAMESPACE / "pods.json").read_text()
    (folder / "pods.json").write_text(text[: len(text) // 2])  # cut in the middle of an item
    with pytest.raises(InputError, match=r"pods\.json: unreadable dump file"):
        DumpSource(tmp_path).get("Pod", "ns", "not-there")


def test_two_threads_asking_the_same_question_read_the_file_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = ListFileCache()
    calls: list[str] = []
    real_scan = listfile.scan

    def slow_scan(path: Path, query: Query) -> list[K8sObject]:
        calls.append(threading.current_thread().name)
        time.sleep(0.2)  # both threads are inside `select` while the first reads
        return real_scan(path, query)

    monkeypatch.setattr(listfile, "scan", slow_scan)
    path = SAMPLE_CLUSTER / NAMESPACE / "events.json"
    query = Query("involved", frozenset({("Pod", FOCUS_POD)}))
    results: list[list[K8sObject]] = []
    start = threading.Barrier(2)

    def ask() -> None:
        start.wait()
        results.append(cache.select(path, query))

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and cache.reads == 1
    assert results[0] == results[1] and len(results[0]) == 4


def test_a_rewritten_file_is_read_again(tmp_path: Path) -> None:
    cache = ListFileCache()
    path = tmp_path / "pods.json"
    shutil.copy(SAMPLE_CLUSTER / NAMESPACE / "pods.json", path)
    query = Query("metadata", frozenset({("", FOCUS_POD)}))
    assert len(cache.select(path, query)) == 1
    assert len(cache.select(path, query)) == 1 and cache.reads == 1
    path.write_text(json.dumps({"kind": "PodList", "items": []}, indent=4))
    assert cache.select(path, query) == [] and cache.reads == 2


def test_the_cache_is_bounded() -> None:
    cache = ListFileCache(files=2, queries=3)
    path = SAMPLE_CLUSTER / NAMESPACE / "pods.json"
    for n in range(10):
        cache.select(path, Query("metadata", frozenset({("", f"pod-{n}")})))
    assert all(len(entry.results) <= 3 for entry in cache._files.values())
    for name in ("events.json", "replicasets.json", "deployments.json"):
        cache.select(SAMPLE_CLUSTER / NAMESPACE / name, Query("metadata", frozenset({("", "x")})))
    assert len(cache._files) == 2


@pytest.fixture
def helper_process() -> Iterator[None]:
    listfile.read_in_a_process()
    yield
    listfile.stop_reading_in_a_process()


@pytest.mark.usefixtures("helper_process")
def test_a_helper_process_reads_and_gives_the_same_answer(big: BigDump) -> None:
    import os

    assert listfile._READER is not None
    assert listfile._READER.submit(os.getpid).result() != os.getpid()
    objects = {("Pod", FOCUS_POD), ("Deployment", "frontend")}
    assert ListFileCache().select(
        big.root / NAMESPACE / "events.json", Query("involved", frozenset(objects))
    ) == WholeListSource(big.root).events_about(NAMESPACE, objects)
    with pytest.raises(InputError, match="not-json"):
        bad = big.root.parent / "not-json.json"
        bad.write_text('{\n    "items": [\n        {\n')
        ListFileCache().select(bad, Query("metadata", frozenset({("", "x")})))


def test_a_dead_helper_process_falls_back_to_reading_here(
    helper_process: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from concurrent.futures import BrokenExecutor

    class Broken:
        def submit(self, *args: object) -> object:
            raise BrokenExecutor("the helper died")

    monkeypatch.setattr(listfile, "_READER", Broken())
    query = Query("metadata", frozenset({("", FOCUS_POD)}))
    found = ListFileCache().select(SAMPLE_CLUSTER / NAMESPACE / "pods.json", query)
    assert [meta(p)["name"] for p in found] == [FOCUS_POD]
