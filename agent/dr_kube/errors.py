"""Errors that map to the CLI's exit codes and the server's 4xx answers."""

from __future__ import annotations

from pathlib import Path


class DrKubeError(Exception):
    """Base class for every error DR-Kube reports to a user without a traceback."""

    exit_code = 1


class InputError(DrKubeError):
    """The input (alert file, flag, config file) is unreadable or malformed: exit 2."""

    exit_code = 2


class NotFoundError(DrKubeError):
    """The alert is readable but what it names cannot be found: exit 3."""

    exit_code = 3


class ConfigError(InputError):
    """A configuration file or setting is invalid."""


class PathEscapeError(InputError):
    """A path DR-Kube was about to read or write resolves (symlinks included) outside the folder
    it belongs to: the GitOps repository, the cluster dump or the chart cache."""


class InvalidNameError(InputError, ValueError):
    """A namespace, workload, pod or container name that Kubernetes itself would refuse (a
    ValueError too, so that a pydantic validator turns it into a ValidationError)."""


class ProviderError(DrKubeError):
    """A diagnosis provider failed (transport, bad output, missing key)."""


def read_input_file(path: Path) -> str:
    """A user-named input file's text; a missing or unreadable one is an InputError naming it."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
