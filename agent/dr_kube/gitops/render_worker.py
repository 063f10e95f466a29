"""The render worker: a child process that renders charts with Helm's engine, so that a render that
never finishes or eats all memory can be killed without taking DR-Kube with it.

Run as a script (`python render_worker.py MEMORY_BYTES`); it imports only the standard library and
helm-python-sdk. Requests and answers are length-prefixed JSON on stdin/stdout:
`{"chart": DIR, "values": {...}, "release": R, "namespace": NS}` → `{"manifests": {...}}` or
`{"error": KIND, "message": TEXT}`. The address-space limit is set once the library is loaded and
has made its start-up reservations: the budget is on top of what an idle worker holds.
"""

from __future__ import annotations

import json
import re
import resource
import struct
import sys
from pathlib import Path
from typing import Any, BinaryIO

HEADER = struct.Struct("!Q")
# Address space a render may add beyond an idle worker's (Go reserves arenas and thread stacks).
RESERVE = 512 * 1024 * 1024


def read_message(stream: BinaryIO) -> Any:
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (size,) = HEADER.unpack(header)
    return json.loads(stream.read(size))


class RawJSON(str):
    """JSON text to be written as it is inside a message."""


def encode(message: dict[str, Any]) -> str:
    raw = {k: v for k, v in message.items() if isinstance(v, RawJSON)}
    rest = json.dumps({k: v for k, v in message.items() if k not in raw})
    if not raw:
        return rest
    spliced = ",".join(f"{json.dumps(k)}:{v}" for k, v in raw.items())
    return f"{rest[:-1]}{',' if len(rest) > 2 else ''}{spliced}}}"


def write_message(stream: BinaryIO, message: Any) -> None:
    data = encode(message).encode()
    stream.write(HEADER.pack(len(data)) + data)
    stream.flush()


def virtual_size() -> int:
    with Path("/proc/self/status").open(encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def limit_memory(budget: int) -> None:
    if budget <= 0:
        return
    limit = virtual_size() + RESERVE + budget
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def render(request: dict[str, Any]) -> dict[str, Any]:
    from helm_python import _native
    from helm_python import chart as helm_chart
    from helm_python.errors import HelmError

    options: dict[str, Any] = {
        "name": request["release"],
        "namespace": request["namespace"],
        "is_install": True,
    }
    # The C library's render takes the cluster's Kubernetes version and API groups (its options
    # struct has kube_version and api_versions); helm-python-sdk's Chart.render does not pass them.
    if request.get("kube_version"):
        options["kube_version"] = request["kube_version"]
    if request.get("api_versions"):
        options["api_versions"] = list(request["api_versions"])
    try:
        # A loaded chart is not reused: Helm's dependency processing (aliases, conditions) changes
        # it in place, so a second render with other values would see the first one's sub-charts.
        with helm_chart.Chart.load(request["chart"]) as loaded:
            text = _native.call_string(
                "helm_render", loaded._raw(), json.dumps(request["values"]), json.dumps(options)
            )
        return {"documents": RawJSON(documents(json.loads(text)))}
    except HelmError as exc:
        return {"error": type(exc).__name__, "message": str(exc)}


# Helm's own split of a rendered template into documents (releaseutil.SplitManifests).
SEPARATOR = re.compile(r"(?:^|\s*\n)---\s*")
MANIFEST_SUFFIXES = (".yaml", ".yml", ".tpl", ".json")


def documents(manifests: dict[str, str]) -> str:
    """Each manifest's documents parsed by Go's YAML reader (the one Kubernetes tools read
    manifests with, and much faster here than a Python parser), as JSON text
    `{template: [[true, mapping] | [false, text], ...]}`: false for a document it takes no mapping
    from (a list, a scalar, invalid YAML). Go's JSON is spliced in, never decoded here."""
    from helm_python import _native
    from helm_python.errors import HelmError

    parts = []
    for template, text in manifests.items():
        if not template.endswith(MANIFEST_SUFFIXES) or template.endswith("/NOTES.txt"):
            continue
        docs = []
        for doc in SEPARATOR.split(text):
            if not doc.strip():
                continue
            try:
                docs.append(f"[true,{_native.call_string('helm_values_from_yaml', doc)}]")
            except HelmError:
                docs.append(f"[false,{json.dumps(doc)}]")
        parts.append(f"{json.dumps(template)}:[{','.join(docs)}]")
    return "{" + ",".join(parts) + "}"


def main() -> None:
    from helm_python import chart as helm_chart

    helm_chart.values_from_yaml("{}")  # loads the library before the limit is set
    limit_memory(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    write_message(stdout, {"ready": True})
    while (request := read_message(stdin)) is not None:
        write_message(stdout, render(request))


if __name__ == "__main__":
    main()
