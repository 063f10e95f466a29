"""A git origin over ssh on 127.0.0.1: Debian's OpenSSH server, run by the test's own user with a
throw-away host key, accepting one deploy key (the shape of GitHub's deploy keys)."""

from __future__ import annotations

import getpass
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.net import free_port
from tests.support.tools import require_binary


@dataclass(frozen=True)
class GitSsh:
    port: int
    deploy_key: Path  # the private key the origin accepts
    known_hosts: Path  # its host key, as `ssh-keyscan` would write it

    def url(self, repo: Path) -> str:
        return f"ssh://{getpass.getuser()}@127.0.0.1:{self.port}{repo}"


def keygen(path: Path) -> Path:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    return path


@contextmanager
def git_ssh(folder: Path) -> Iterator[GitSsh]:
    sshd = shutil.which("sshd", path="/usr/sbin:/usr/bin") or require_binary("sshd")
    require_binary("ssh")
    folder.mkdir(parents=True)
    host = keygen(folder / "host-key")
    client = keygen(folder / "deploy-key")
    (folder / "authorized_keys").write_text((folder / "deploy-key.pub").read_text())
    port = free_port()
    pub = (folder / "host-key.pub").read_text().split()
    known = folder / "known_hosts"
    known.write_text(f"[127.0.0.1]:{port} {pub[0]} {pub[1]}\n")
    config = folder / "sshd_config"
    config.write_text(
        f"""Port {port}
ListenAddress 127.0.0.1
HostKey {host}
PidFile {folder / "sshd.pid"}
AuthorizedKeysFile {folder / "authorized_keys"}
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
"""
    )
    if os.getuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # privilege separation
    proc = subprocess.Popen(
        [sshd, "-D", "-e", "-f", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=(folder / "sshd.log").open("wb"),
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            assert proc.poll() is None, (folder / "sshd.log").read_text()
            probe = subprocess.run(
                ["ssh-keyscan", "-p", str(port), "127.0.0.1"], capture_output=True, check=False
            )
            if probe.stdout:
                break
            time.sleep(0.1)
        yield GitSsh(port, client, known)
    finally:
        proc.terminate()
        proc.wait(10)
