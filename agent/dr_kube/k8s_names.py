"""Kubernetes' own rules for object names, checked wherever a name comes from outside (an alert's
labels, a legacy sample, a dump) before it is used in a path, a comparison or a branch.

From the Kubernetes documentation ("Object Names and IDs"):
- a DNS-1123 label (namespaces, containers, and Services): at most 63 characters, lowercase
  alphanumeric characters or '-', starting and ending with an alphanumeric character;
- a DNS-1123 subdomain (pods, Deployments, StatefulSets, DaemonSets, Jobs, nodes, ...): at most
  253 characters, dot-separated DNS-1123 labels (so no '..', no leading or trailing '.').
"""

from __future__ import annotations

import re

from dr_kube.errors import InvalidNameError

LABEL_MAX = 63
SUBDOMAIN_MAX = 253
_LABEL = "[a-z0-9](?:[-a-z0-9]*[a-z0-9])?"
LABEL = re.compile(_LABEL)
SUBDOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
LABEL_RULE = (
    "a DNS-1123 label: at most 63 lowercase letters, digits or '-', "
    "starting and ending with a letter or digit"
)
SUBDOMAIN_RULE = (
    "a DNS-1123 subdomain: at most 253 characters, lowercase letters, digits, '-' and '.', "
    "each dot-separated part starting and ending with a letter or digit"
)


def is_dns1123_label(value: str) -> bool:
    return len(value) <= LABEL_MAX and LABEL.fullmatch(value) is not None


def is_dns1123_subdomain(value: str) -> bool:
    return len(value) <= SUBDOMAIN_MAX and SUBDOMAIN.fullmatch(value) is not None


def dns1123_label(value: str, what: str) -> str:
    """`value` when it is a valid namespace or container name, else InvalidNameError naming `what`."""
    if not is_dns1123_label(value):
        raise InvalidNameError(f"{what} {value!r} is not a valid Kubernetes name ({LABEL_RULE})")
    return value


def dns1123_subdomain(value: str, what: str) -> str:
    """`value` when it is a valid pod, workload or node name, else InvalidNameError naming `what`."""
    if not is_dns1123_subdomain(value):
        raise InvalidNameError(
            f"{what} {value!r} is not a valid Kubernetes name ({SUBDOMAIN_RULE})"
        )
    return value
