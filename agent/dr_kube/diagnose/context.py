"""What an analyzer reads: the incident, its evidence, and small helpers to quote it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dr_kube.cluster.evidence import ContainerEvidence, EventEvidence, Evidence
from dr_kube.incidents.model import Incident

MAX_QUOTE = 240
# "listening on :8080", "Listening on http://0.0.0.0:3000", "server started on port 9000"
ANNOUNCED_PORT = re.compile(
    r"(?:listen(?:ing)?|serving|started|bound|running)\b[^\n]{0,40}?"
    r"(?:ports?(?:\(s\))?:?\s*|(?<!\d\d:\d\d):)(?P<port>\d{2,5})\b(?!:\d)",
    re.IGNORECASE,
)


def quote(text: str) -> str:
    text = text.strip()
    return text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 1] + "…"


@dataclass
class AnalysisContext:
    incident: Incident
    evidence: Evidence
    values_history: list[tuple[str, str]] = field(default_factory=list)  # (commit, image tag)

    @property
    def container(self) -> ContainerEvidence | None:
        return self.evidence.container()

    @property
    def container_name(self) -> str | None:
        return self.evidence.focus_container

    @property
    def hint(self) -> str | None:
        return self.incident.category_hint

    def container_ref(self) -> str:
        pod = self.evidence.focus_pod or self.evidence.workload.name
        return f"Pod/{pod} container {self.container_name}"

    def events(self, pattern: str, reasons: tuple[str, ...] = ()) -> list[EventEvidence]:
        regex = re.compile(pattern, re.IGNORECASE)
        found = []
        for event in self.evidence.events:
            if reasons and event.reason not in reasons:
                continue
            if (
                self.container_name
                and event.field_path
                and "{" in event.field_path
                and f"{{{self.container_name}}}" not in event.field_path
            ):
                continue  # an event about another container of the pod
            if regex.search(event.message) or regex.search(event.reason):
                found.append(event)
        return found

    def log_text(self, previous_first: bool = True) -> list[str]:
        """The focus container's log lines (previous instance first) and the alert's own lines."""
        log = self.evidence.log()
        chunks: list[str] = []
        if log is not None:
            parts = [log.previous, log.current] if previous_first else [log.current, log.previous]
            chunks += [p for p in parts if p]
        lines = [line for chunk in chunks for line in chunk.splitlines()]
        return lines + list(self.evidence.alert_logs)

    def log_lines(self, pattern: str, limit: int = 3) -> list[str]:
        regex = re.compile(pattern, re.IGNORECASE)
        return [quote(line) for line in self.log_text() if regex.search(line)][:limit]

    def announced_ports(self) -> list[int]:
        """Ports the focus container's logs say it listens on, in order of first mention."""
        ports = [
            int(m.group("port")) for line in self.log_text() for m in ANNOUNCED_PORT.finditer(line)
        ]
        return list(dict.fromkeys(p for p in ports if 0 < p < 65536))

    def alert_text(self) -> str:
        return " ".join([self.incident.summary, self.incident.description])

    def resource(self, section: str, name: str) -> str | None:
        container = self.container
        if container is None:
            return None
        values = container.limits if section == "limits" else container.requests
        return values.get(name)
