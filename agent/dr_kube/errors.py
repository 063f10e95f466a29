"""Errors that map to the CLI's exit codes and the server's 4xx answers."""

from __future__ import annotations


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


class ProviderError(DrKubeError):
    """A diagnosis provider failed (transport, bad output, missing key)."""
