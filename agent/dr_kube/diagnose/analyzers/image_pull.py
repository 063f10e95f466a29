"""Images that cannot be pulled: a missing tag (fixable from Git history) or registry access."""

from __future__ import annotations

import re

from dr_kube.diagnose.context import AnalysisContext
from dr_kube.diagnose.findings import Finding, FixIntent

PULL_REASONS = ("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull")
NOT_FOUND = r"not found|manifest unknown|manifest for .* not found|does not exist|no such image"
RATE_LIMITED = r"toomanyrequests|too many requests|rate limit|429"
DENIED = r"unauthorized|forbidden|403|401|denied|authentication required|no basic auth"


def image_tag(image: str) -> str | None:
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


def analyze(ctx: AnalysisContext) -> Finding | None:
    container = ctx.container
    waiting = container.waiting_reason if container else None
    events = ctx.events(r"pull|image", reasons=("Failed", "BackOff", "InspectFailed"))
    if waiting not in PULL_REASONS and not (
        ctx.hint == "image-pull" and (events or container is None)
    ):
        return None
    image = container.image if container else ""
    evidence = []
    if container is not None:
        evidence.append(
            f"{ctx.container_ref()}: waiting {waiting}: {container.waiting_message or ''}".rstrip(
                ": "
            )
        )
    evidence += [e.line() for e in events[:2]]
    messages = (
        " ".join(e.message for e in events)
        + " "
        + (container.waiting_message or "" if container else "")
    )
    tag = image_tag(image) if image else None
    if re.search(RATE_LIMITED, messages, re.IGNORECASE):
        return Finding(
            category="image-pull",
            root_cause=f"The registry rate-limits pulls of image {image or 'of ' + str(ctx.container_name)}: the image exists, the nodes are throttled.",
            evidence=evidence,
            confidence=0.9,
            container=ctx.container_name,
            human_action="Authenticate pulls (imagePullSecrets with a paid or mirror account) or use a registry mirror; the tag is not wrong.",
        )
    if re.search(DENIED, messages, re.IGNORECASE):
        return Finding(
            category="image-pull",
            root_cause=f"The registry refuses to serve image {image or 'of ' + str(ctx.container_name)}: access is denied.",
            evidence=evidence,
            confidence=0.9,
            container=ctx.container_name,
            human_action="Check the pod's imagePullSecrets and the registry permissions of its service account; no values change can fix access.",
        )
    if re.search(NOT_FOUND, messages, re.IGNORECASE) or waiting == "InvalidImageName":
        good = next((t for _, t in ctx.values_history if t and t != tag), None)
        if good:
            evidence.append(f"Git history of the values file: tag {good} was deployed before {tag}")
            return Finding(
                category="image-pull",
                root_cause=f"Image tag {tag} of {image.split(':')[0]} does not exist in the registry.",
                evidence=evidence,
                confidence=0.85,
                container=ctx.container_name,
                fix=FixIntent(kind="set-image-tag", container=ctx.container_name, value=good),
            )
        return Finding(
            category="image-pull",
            root_cause=f"Image {image or 'of ' + str(ctx.container_name)} does not exist in the registry, and the values file's history has no earlier tag to return to.",
            evidence=evidence,
            confidence=0.85,
            container=ctx.container_name,
            human_action="Push the image or correct the tag by hand.",
        )
    return Finding(
        category="image-pull",
        root_cause=f"Image {image or 'of ' + str(ctx.container_name)} cannot be pulled.",
        evidence=evidence,
        confidence=0.7,
        container=ctx.container_name,
        human_action="Check that the registry is reachable from the nodes and the image name is right.",
    )
