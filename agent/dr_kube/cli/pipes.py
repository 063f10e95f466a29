"""A reader that stops early (`dr-kube audit export | head`) ends the command quietly."""

from __future__ import annotations

import os
import sys
from typing import NoReturn

EXIT_PIPE_CLOSED = 141  # what a shell reports for a program ended by SIGPIPE (128 + 13)


def quiet_broken_pipe() -> NoReturn:
    """stdout's reader went away: no traceback, and no second error when Python flushes at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(EXIT_PIPE_CLOSED)
