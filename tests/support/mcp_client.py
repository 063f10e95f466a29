"""The MCP SDK's own client, driving `dr-kube mcp` (stdio) or `dr-kube serve` (/mcp, HTTP)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx2
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult, ListToolsResult

from tests.support.paths import REPO_ROOT
from tests.support.service import DRKUBE

Call = tuple[str, dict[str, Any]]
Server = StdioServerParameters | Callable[[], AbstractAsyncContextManager[Any]]


def stdio(*args: str, env: dict[str, str] | None = None) -> StdioServerParameters:
    """`dr-kube mcp ARGS` spawned by the SDK's stdio client."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("DRKUBE_")}
    return StdioServerParameters(
        command=DRKUBE, args=["mcp", *args], env={**base, **(env or {})}, cwd=REPO_ROOT
    )


def http(url: str, token: str | None) -> Callable[[], AbstractAsyncContextManager[Any]]:
    """The SDK's streamable-HTTP transport to `url`, sending `token` as the bearer."""

    @asynccontextmanager
    async def transport() -> AsyncIterator[Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else None
        async with (
            httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=240)) as client,
            streamable_http_client(url, http_client=client) as streams,
        ):
            yield streams

    return transport


def session(server: Server, *calls: Call) -> tuple[ListToolsResult, list[CallToolResult]]:
    """One session: the tool list, then each call's result, in order."""

    async def run() -> tuple[ListToolsResult, list[CallToolResult]]:
        target = server if isinstance(server, StdioServerParameters) else server()
        async with Client(target, read_timeout_seconds=240) as client:
            listed = await client.list_tools()
            return listed, [await client.call_tool(name, args) for name, args in calls]

    return anyio.run(run)


def structured(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, text(result)
    assert isinstance(result.structured_content, dict)
    return result.structured_content


def text(result: CallToolResult) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content)


def everything(result: CallToolResult) -> str:
    """All a client receives: the text blocks and the structured content."""
    return text(result) + json.dumps(result.structured_content)


def tree_state(root: Path) -> dict[str, tuple[int, int]]:
    """(mtime_ns, size) of every file and folder under `root`, .git included."""
    state = {".": (root.stat().st_mtime_ns, 0)}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        state[str(path.relative_to(root))] = (info.st_mtime_ns, info.st_size)
    return state


def file_state(path: Path) -> tuple[int, int, str]:
    info = path.stat()
    return info.st_mtime_ns, info.st_size, hashlib.sha256(path.read_bytes()).hexdigest()
