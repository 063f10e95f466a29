"""A kubectl `*List` file read for the few items an incident needs, never loaded whole.

A dump namespace can hold thousands of pods and a hundred thousand events; an incident needs a
handful of them. A `Query` names objects (a name, or owner or involved-object references) and
`select` returns the items whose `"name": "…"` values include one of those names and whose chosen
field matches. The file is read in chunks of `CHUNK` bytes and searched for the names as bytes; only
the items around a hit are decoded, so memory stays bounded by the chunk and the hits.

That needs the file laid out as kubectl (and any JSON pretty-printer) writes it: one list item per
block of lines at the second indentation level. JSON strings cannot hold a raw newline, so such a
line is structure, never data. A file laid out otherwise (compact JSON) is streamed item by item with
ijson instead: slower, same answer.

Results are cached per file, keyed by path, modification time and size, with a lock per file: two
threads asking the same question read the file once, and one file is read by one thread at a time.
"""

from __future__ import annotations

import atexit
import json
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from dr_kube.cluster.source import K8sObject, Query
from dr_kube.errors import InputError

log = logging.getLogger(__name__)

CHUNK = 1 << 20  # small enough that no regex call holds the GIL for long (intake stays responsive)
HEAD = 64 << 10
WHOLE_BYTES = 16 << 20  # a whole-list read below this size is one json.loads, and is cached
QUERIES_PER_FILE = 32
FILES = 64
# `{`, a newline, then the first key's indentation: one indentation unit
HEAD_LAYOUT = re.compile(rb'\A\{\r?\n([ \t]+)"')
LIST_END = re.compile(rb"\]\s*\}\s*\Z")


@dataclass(frozen=True)
class Layout:
    item_start: bytes  # b"\n" + two indentation units + b"{"
    item_end: bytes  # b"\n" + two indentation units + b"}"


def detect_layout(head: bytes) -> Layout | None:
    """The item markers of a pretty-printed list, or None when the file is laid out otherwise."""
    match = HEAD_LAYOUT.match(head)
    if match is None:
        return None
    unit = match.group(1)
    newline = b"\r\n" if head[1:3] == b"\r\n" else b"\n"
    items = re.search(rb"\n" + re.escape(unit) + rb'"items"\s*:\s*\[', head)
    if items is None:
        return None
    first = head[items.end() :].lstrip(b" \t\r\n")
    if first and first[:1] not in (b"{", b"]"):
        return None
    if first[:1] == b"{" and (newline + unit * 2 + b"{") not in head[items.start() :]:
        return None
    return Layout(item_start=newline + unit * 2 + b"{", item_end=newline + unit * 2 + b"}")


class _LayoutError(Exception):
    """The file is not laid out as it first looked: read it with the streaming parser."""


def _name_pattern(names: set[str]) -> re.Pattern[bytes]:
    encoded = sorted(
        (re.escape(json.dumps(n, ensure_ascii=False)[1:-1].encode()) for n in names),
        key=len,
        reverse=True,
    )
    return re.compile(rb'"name"\s*:\s*"(?:' + b"|".join(encoded) + rb')"')


def _chunks(path: Path, layout: Layout) -> Iterator[tuple[bytes, int]]:
    """The file in pieces: (data, end) where data[:end] ends just before an item's start (the
    last piece at the end of the file); data[end:] starts the next piece."""
    carry = b""
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            data = carry + chunk if carry else chunk
            cut = data.rfind(layout.item_start)
            if cut <= 0:
                carry = data
                continue
            carry = data[cut:]
            yield data, cut
    if not LIST_END.search(carry[-HEAD:]):
        raise InputError(
            f"{path}: unreadable dump file: it ends before its list closes (truncated?)"
        )
    yield carry, len(carry)


def _scan_layout(path: Path, layout: Layout, query: Query) -> list[K8sObject]:
    pattern = _name_pattern(query.names())
    found: list[K8sObject] = []
    for region, stop in _chunks(path, layout):
        taken = -1
        for hit in pattern.finditer(region, 0, stop):
            start = region.rfind(layout.item_start, 0, hit.start())
            if start < 0 or start == taken:
                continue  # the list's own header, or an item already decoded
            end = region.find(layout.item_end, hit.end(), stop)
            if end < 0:
                raise _LayoutError
            taken = start
            try:
                item = json.loads(region[start : end + len(layout.item_end)])
            except ValueError:
                raise _LayoutError from None
            if isinstance(item, dict) and query.keeps(item):
                found.append(item)
    return found


def _stream(path: Path, query: Query) -> list[K8sObject]:
    import ijson  # type: ignore[import-untyped]

    try:
        with path.open("rb") as handle:
            return [
                item
                for item in ijson.items(handle, "items.item", use_float=True)
                if isinstance(item, dict) and query.keeps(item)
            ]
    except (ijson.JSONError, ijson.IncompleteJSONError, OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: unreadable dump file: {exc}") from None


def _whole(path: Path, data: bytes) -> list[K8sObject]:
    try:
        parsed = json.loads(data)
    except ValueError as exc:
        raise InputError(f"{path}: unreadable dump file: {exc}") from None
    items = parsed.get("items", []) if isinstance(parsed, dict) else []
    return [i for i in items if isinstance(i, dict)]


def scan(path: Path, query: Query) -> list[K8sObject]:
    """Read `path` once for `query` (no cache): the fast search when the layout allows it."""
    if query.field != "all" and not query.refs:
        return []
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD)
    except OSError as exc:
        raise InputError(f"{path}: unreadable dump file: {exc}") from None
    if query.field == "all" and path.stat().st_size <= WHOLE_BYTES:
        return _whole(path, path.read_bytes())
    layout = detect_layout(head)
    if layout is not None and query.field != "all":
        try:
            return _scan_layout(path, layout, query)
        except _LayoutError:
            pass
    return _stream(path, query)


@dataclass
class _FileEntry:
    lock: threading.Lock = field(default_factory=threading.Lock)
    results: OrderedDict[Query, list[K8sObject]] = field(default_factory=OrderedDict)


class ListFileCache:
    """Query results per list file, one reader per file at a time, bounded in files and queries."""

    def __init__(self, files: int = FILES, queries: int = QUERIES_PER_FILE) -> None:
        self._files: OrderedDict[tuple[str, int, int], _FileEntry] = OrderedDict()
        self._lock = threading.Lock()
        self._max_files, self._max_queries = files, queries
        self.reads = 0  # how many times a file was actually read (for tests and the bench)

    def _entry(self, path: Path) -> tuple[_FileEntry, int] | None:
        try:
            stat = path.stat()
        except OSError:
            return None
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
        with self._lock:
            entry = self._files.get(key)
            if entry is None:
                entry = self._files[key] = _FileEntry()
                while len(self._files) > self._max_files:
                    self._files.popitem(last=False)
            self._files.move_to_end(key)
            return entry, stat.st_size

    def select(self, path: Path, query: Query) -> list[K8sObject]:
        found = self._entry(path) if path.is_file() else None
        if found is None:
            return []
        entry, size = found
        with entry.lock:
            cached = entry.results.get(query)
            if cached is None:
                cached = _read(path, query)
                self.reads += 1
                if query.field == "all" and size > WHOLE_BYTES:
                    return cached  # a whole big list is the caller's to keep, not the cache's
                entry.results[query] = cached
                while len(entry.results) > self._max_queries:
                    entry.results.popitem(last=False)
            entry.results.move_to_end(query)
            return list(cached)


CACHE = ListFileCache()
_READER: ProcessPoolExecutor | None = None


def read_in_a_process() -> None:
    """Read list files in a helper process from now on (the server: a scan then holds the helper's
    GIL, not the one the webhook intake shares with the workers). Idempotent.

    One helper: on the bench, two made intake slower (they compete with it for the CPU)."""
    global _READER
    if _READER is None:
        import multiprocessing

        # forkserver: a clean helper, not a fork of a process with threads running
        context = multiprocessing.get_context("forkserver")
        _READER = ProcessPoolExecutor(max_workers=1, mp_context=context)
        atexit.register(stop_reading_in_a_process)
        try:
            _READER.submit(_started)  # start the helper now, not during the first run
        except (OSError, RuntimeError, BrokenExecutor) as exc:
            log.warning("no helper process for reading the dump (%s): reading in-process", exc)
            stop_reading_in_a_process()


def stop_reading_in_a_process() -> None:
    global _READER
    reader, _READER = _READER, None
    if reader is not None:
        reader.shutdown(cancel_futures=True)


def _started() -> None:
    """Nothing: the helpers' first task, importing this module."""


def _read(path: Path, query: Query) -> list[K8sObject]:
    if _READER is None:
        return scan(path, query)
    try:
        return _READER.submit(scan, path, query).result()
    except (BrokenExecutor, OSError, RuntimeError):  # the helper died or is gone: read here
        return scan(path, query)


def select(path: Path, query: Query) -> list[K8sObject]:
    """The items of the list file at `path` that `query` keeps (shared cache, see the module)."""
    return CACHE.select(path, query)


def read_all(path: Path) -> list[K8sObject]:
    """Every item of a list file (for small files and callers that want them all)."""
    return select(path, Query("all"))
