"""A big `kubectl cluster-info dump` made from the sample one: the sample's namespace grown to
thousands of pods and a hundred thousand events, in kubectl's own layout (4-space indented lists).

The sample's objects stay as they are; synthetic Deployments → ReplicaSets → Pods are cloned from
a real one with new names and uids, and their events from real events. Decoys make filtering
honest: events about other objects whose message names the incident's pod, placed between the
real ones. Used by the cluster-size bench and the streaming reader's tests; never committed.
"""

from __future__ import annotations

import json
import random
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from tests.support.paths import SAMPLE_CLUSTER

NAMESPACE = "online-boutique"
FOCUS_POD = "frontend-7d9c8b6f5b-x2x9k"  # the sample OOM incident's pod
MODEL = "paymentservice"  # the real Deployment the synthetic ones are cloned from (it has events)
PODS_PER_WORKLOAD = 10


@dataclass(frozen=True)
class BigDump:
    root: Path
    pods: int
    events: int
    decoys: int  # events naming the focus pod in their message, about another object


def _items(path: Path) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["items"]
    return items


def _template(obj: dict[str, Any]) -> str:
    """`obj` as kubectl prints a list item: 4-space indent, nested two levels deep."""
    text = json.dumps(obj, indent=4)
    return "\n".join("        " + line for line in text.splitlines())


class _ListWriter:
    """Writes a `*List` file item by item, as kubectl lays it out."""

    def __init__(self, handle: TextIO, kind: str) -> None:
        self.handle = handle
        self.first = True
        handle.write(
            "{\n"
            f'    "kind": "{kind}",\n'
            '    "apiVersion": "v1",\n'
            '    "metadata": {\n        "resourceVersion": "13139"\n    },\n'
            '    "items": ['
        )

    def item(self, text: str) -> None:
        self.handle.write(("\n" if self.first else ",\n") + text)
        self.first = False

    def close(self) -> None:
        self.handle.write("\n    ]\n}\n")


def _replace(text: str, values: dict[str, str]) -> str:
    for old, new in values.items():
        text = text.replace(old, new)
    return text


def _workload_names(count: int, rng: random.Random) -> Iterator[tuple[str, str, list[str]]]:
    for n in range(count):
        name = f"load-{n:04d}"
        rs = f"{name}-{rng.getrandbits(40):010x}"
        pods = [f"{rs}-{rng.getrandbits(20):05x}" for _ in range(PODS_PER_WORKLOAD)]
        yield name, rs, pods


def write_big_dump(
    target: Path, *, pods: int = 5000, events: int = 100_000, seed: int = 13
) -> BigDump:
    """Copy the sample dump to `target` and grow its namespace to `pods` pods, `events` events."""
    rng = random.Random(seed)
    shutil.copytree(SAMPLE_CLUSTER, target)
    folder = target / NAMESPACE
    real_pods = _items(folder / "pods.json")
    real_events = _items(folder / "events.json")
    real_rs = _items(folder / "replicasets.json")
    real_deploy = _items(folder / "deployments.json")
    model = next(p for p in real_pods if p["metadata"]["name"].startswith(MODEL))
    model_name = model["metadata"]["name"]  # paymentservice-6f7d8c9b5-h4k8n
    model_rs = model["metadata"]["ownerReferences"][0]["name"]
    rs_model = next(r for r in real_rs if r["metadata"]["name"] == model_rs)
    deploy_model = next(d for d in real_deploy if d["metadata"]["name"] == MODEL)
    pod_text, rs_text = _template(model), _template(rs_model)
    deploy_text = _template(deploy_model)
    event_texts = [_template(e) for e in real_events if e["involvedObject"]["name"] == model_name]
    extra_pods = max(0, pods - len(real_pods))
    workloads = list(_workload_names(-(-extra_pods // PODS_PER_WORKLOAD), rng))
    if workloads and extra_pods % PODS_PER_WORKLOAD:  # the last one takes the remainder
        name, rs, pod_names = workloads[-1]
        workloads[-1] = (name, rs, pod_names[: extra_pods % PODS_PER_WORKLOAD])

    def renamed(text: str, name: str, rs: str, pod: str) -> str:
        # longest first: the pod name contains the ReplicaSet's, which contains the Deployment's
        return _replace(
            text,
            {
                model_name: pod,
                model_rs: rs,
                MODEL: name,
                model["metadata"]["uid"]: str(uuid.UUID(int=rng.getrandbits(128))),
            },
        )

    with (folder / "deployments.json").open("w") as handle:
        out = _ListWriter(handle, "DeploymentList")
        for obj in real_deploy:
            out.item(_template(obj))
        for name, rs, pod_names in workloads:
            out.item(renamed(deploy_text, name, rs, pod_names[0]))
        out.close()
    with (folder / "replicasets.json").open("w") as handle:
        out = _ListWriter(handle, "ReplicaSetList")
        for obj in real_rs:
            out.item(_template(obj))
        for name, rs, pod_names in workloads:
            out.item(renamed(rs_text, name, rs, pod_names[0]))
        out.close()
    total_pods = len(real_pods)
    with (folder / "pods.json").open("w") as handle:
        out = _ListWriter(handle, "PodList")
        for obj in real_pods:
            out.item(_template(obj))
        for name, rs, pod_names in workloads:
            for pod in pod_names:
                out.item(renamed(pod_text, name, rs, pod))
                total_pods += 1
        out.close()
    decoy_template = _decoy(real_events)
    decoys = max(1, events // 20_000)
    synthetic = max(0, events - len(real_events) - decoys)
    # the real events and the decoys land at random places among the synthetic ones
    specials = [_template(e) for e in real_events] + [decoy_template] * decoys
    slots = sorted(rng.sample(range(synthetic + len(specials)), len(specials)))
    rng.shuffle(specials)
    all_pods = [(name, rs, pod) for name, rs, pods_ in workloads for pod in pods_]
    written = 0
    with (folder / "events.json").open("w") as handle:
        out = _ListWriter(handle, "EventList")
        slot_iter = iter(slots)
        next_slot = next(slot_iter, None)
        for position in range(synthetic + len(specials)):
            if position == next_slot:
                text = _replace(
                    specials.pop(), {"DECOY-UID": str(uuid.UUID(int=rng.getrandbits(128)))}
                )
                next_slot = next(slot_iter, None)
            else:
                name, rs, pod = all_pods[position % len(all_pods)] if all_pods else ("", "", "")
                text = renamed(rng.choice(event_texts), name, rs, pod)
            out.item(_unique_event_name(text, written))
            written += 1
        out.close()
    return BigDump(root=target, pods=total_pods, events=written, decoys=decoys)


def _unique_event_name(text: str, n: int) -> str:
    """Events are named `<object>.<hex>`: give each one its own suffix."""
    head, sep, rest = text.partition('"name": "')
    name, quote, tail = rest.partition('"')
    object_name = name.rsplit(".", 1)[0]
    return f"{head}{sep}{object_name}.{n:016x}{quote}{tail}"


def _decoy(real_events: list[dict[str, Any]]) -> str:
    """An event about a Service whose message names the focus pod: must not be collected."""
    event = json.loads(json.dumps(real_events[0]))
    event["involvedObject"] = {
        "kind": "Endpoints",
        "namespace": NAMESPACE,
        "name": "frontend",
        "uid": "DECOY-UID",
        "apiVersion": "v1",
    }
    event["reason"] = "FailedToUpdateEndpoint"
    event["message"] = (
        f'Failed to update endpoint {NAMESPACE}/frontend: "name": "{FOCUS_POD}" not ready'
    )
    event["type"] = "Warning"
    return _template(event)
