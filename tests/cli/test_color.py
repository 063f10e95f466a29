"""Colours in `dr-kube run`'s text: on at a terminal, off when NO_COLOR is set or the output is
a pipe, and `--color always|never` wins; through the real console script, in a real pty."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import REPO_ROOT, SAMPLE_CHARTS, SAMPLE_CLUSTER, SAMPLES

DR_KUBE = Path(sys.executable).with_name("dr-kube")
RUN = ["run", str(SAMPLES / "sample_oom.json"), "--cluster", str(SAMPLE_CLUSTER)]
RUN += ["--charts", str(SAMPLE_CHARTS)]
ESC = b"\x1b["


def at_a_terminal(*flags: str, no_color: str | None = None) -> bytes:
    """stdout of `dr-kube [FLAGS] run ...` written to a pseudo-terminal."""
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    if no_color is not None:
        env["NO_COLOR"] = no_color
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen(
            [str(DR_KUBE), *flags, *RUN],
            stdout=follower,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=REPO_ROOT,
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the follower side closed: all was read
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert proc.wait(timeout=240) == 0
    finally:
        os.close(leader)
    out = b"".join(chunks)
    assert b"frontend" in out
    return out


def piped(*flags: str, no_color: str | None = None) -> bytes:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    if no_color is not None:
        env["NO_COLOR"] = no_color
    proc = subprocess.run(
        [str(DR_KUBE), *flags, *RUN], capture_output=True, env=env, cwd=REPO_ROOT, timeout=240
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_a_terminal_gets_colours_unless_no_color_is_set() -> None:
    assert ESC in at_a_terminal()
    assert ESC not in at_a_terminal(no_color="1")
    assert ESC not in at_a_terminal("--color", "never")
    assert ESC in at_a_terminal("--color", "always", no_color="1")  # the flag wins


@pytest.mark.parametrize(("flags", "coloured"), [((), False), (("--color", "always"), True)])
def test_a_pipe_gets_plain_text_unless_colours_are_asked_for(
    flags: tuple[str, ...], coloured: bool
) -> None:
    assert (ESC in piped(*flags)) is coloured
