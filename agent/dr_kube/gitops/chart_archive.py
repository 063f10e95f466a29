"""Read a chart archive (`.tgz`) safely: members with `..` or absolute names, links and devices are
refused, and so are archives with too many members and members or charts over the size limits
(`DRKUBE_CHART_MAX_FILES`, `DRKUBE_CHART_MAX_FILE_BYTES`, Helm's chart size). A member's declared
size is checked before it is read, and the read itself stops at the limit. Nothing is written until
the whole archive has been read and checked."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
import tempfile
import zlib
from pathlib import Path, PurePosixPath

from ruamel.yaml.error import YAMLError

from dr_kube.config.limits import limits
from dr_kube.errors import DrKubeError
from dr_kube.paths import contained
from dr_kube.values_model import Chart
from dr_kube.yamlio import YamlLimitError, load_file, load_one

MAX_ARCHIVE_BYTES = 20 * 1024 * 1024
MAX_CHART_BYTES = 100 * 1024 * 1024  # Helm's MaxDecompressedChartSize


class ChartError(DrKubeError):
    """A chart could not be had or is unsafe to read; the message is one line."""


def _member_path(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or name.startswith(("/", "\\")) or ".." in path.parts:
        raise ChartError(f"archive member {name!r} points outside the chart")
    return path


def read_archive(data: bytes, label: str) -> dict[str, bytes]:
    """The chart's files (`Chart.yaml`, `templates/x.yaml`, ...), keyed below its top folder."""
    if len(data) > MAX_ARCHIVE_BYTES:
        raise ChartError(f"{label}: archive of {len(data)} bytes is over {MAX_ARCHIVE_BYTES}")
    bounds = limits()
    files: dict[str, bytes] = {}
    total = 0
    members = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            for member in tar:
                members += 1
                if members > bounds.chart_files:
                    raise ChartError(
                        f"{label}: archive has over {bounds.chart_files} members "
                        "(DRKUBE_CHART_MAX_FILES)"
                    )
                path = _member_path(member.name)
                if member.isdir():
                    continue
                if not member.isfile() or member.issparse():
                    raise ChartError(f"{label}: archive member {member.name!r} is not a plain file")
                content = _read_member(tar, member, bounds.chart_file_bytes, label)
                total += len(content)
                if total > MAX_CHART_BYTES:
                    raise ChartError(f"{label}: chart is over {MAX_CHART_BYTES} bytes unpacked")
                if len(path.parts) >= 2:
                    files[str(PurePosixPath(*path.parts[1:]))] = content
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise ChartError(f"{label}: not a readable chart archive ({exc})") from None
    if "Chart.yaml" not in files:
        raise ChartError(f"{label}: archive has no Chart.yaml at its top")
    return files


def _read_member(tar: tarfile.TarFile, member: tarfile.TarInfo, cap: int, label: str) -> bytes:
    """A member's bytes: refused by its declared size, and the read stops one byte past `cap`."""
    over = ChartError(
        f"{label}: archive member {member.name!r} is over {cap} bytes (DRKUBE_CHART_MAX_FILE_BYTES)"
    )
    if member.size > cap:
        raise over
    handle = tar.extractfile(member)
    content = handle.read(cap + 1) if handle is not None else b""
    if len(content) > cap:
        raise over
    return content


def read_archive_file(archive: Path) -> dict[str, bytes]:
    size = archive.stat().st_size
    if size > MAX_ARCHIVE_BYTES:
        raise ChartError(f"{archive}: archive of {size} bytes is over {MAX_ARCHIVE_BYTES}")
    return read_archive(archive.read_bytes(), str(archive))


def write_chart(files: dict[str, bytes], destination: Path) -> None:
    """Unpack checked files into `destination`, which appears whole or not at all."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".partial-", dir=destination.parent))
    try:
        for name, content in files.items():
            target = contained(staging, name, what=f"chart file {name}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        if destination.exists():
            shutil.rmtree(destination)
        staging.rename(destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _text(files: dict[str, bytes], name: str) -> str | None:
    content = files.get(name)
    return content.decode("utf-8") if content is not None else None


def chart_from_files(files: dict[str, bytes], where: str) -> Chart:
    """Name, version, default values and schema from an archive's files."""
    try:
        meta = load_one(_text(files, "Chart.yaml") or "") or {}
        values_text = _text(files, "values.yaml")
        schema_text = _text(files, "values.schema.json")
        defaults = (load_one(values_text) if values_text else {}) or {}
        schema = json.loads(schema_text) if schema_text else None
    except (YAMLError, UnicodeDecodeError, ValueError, YamlLimitError) as exc:
        raise ChartError(f"{where}: unreadable chart metadata ({exc})".replace("\n", " ")) from None
    return Chart(
        name=str(meta.get("name", "")),
        version=str(meta["version"]) if meta.get("version") is not None else None,
        where=where,
        defaults=defaults if isinstance(defaults, dict) else {},
        schema_=schema if isinstance(schema, dict) else None,
    )


def chart_from_dir(folder: Path) -> Chart | None:
    """A chart unpacked in `folder`, None when the folder holds none."""
    chart_yaml = folder / "Chart.yaml"
    if not chart_yaml.is_file():
        return None
    meta = load_file(chart_yaml) or {}
    values_path = folder / "values.yaml"
    defaults = load_file(values_path) if values_path.is_file() else {}
    schema_path = folder / "values.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8")) if schema_path.is_file() else None
    return Chart(
        name=str(meta.get("name", folder.name)),
        version=str(meta["version"]) if meta.get("version") is not None else None,
        where=str(folder),
        defaults=defaults or {},
        schema_=schema,
    )
