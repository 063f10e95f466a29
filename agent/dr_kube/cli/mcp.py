"""`dr-kube mcp`: DR-Kube's read-only tools for an editor or assistant, over stdio (MCP)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import click

from dr_kube.cli.audit import store_options
from dr_kube.cli.options import guarded, source_options


@click.command("mcp")
@source_options
@store_options
def mcp_command(db_path: Path, database_url: str | None, **options: Any) -> None:
    """Serve the MCP tools on stdin/stdout: list and get incidents, diagnose a workload (a dry
    run: writes nothing), explain where a field is set, read and verify the audit trail.

    The same tools are served over streamable HTTP by `dr-kube serve` at /mcp, behind the API's
    credentials. Logs go to stderr; stdout carries the protocol only.
    """

    def body() -> int:
        from dr_kube.mcp.server import build_server
        from dr_kube.mcp.wiring import StoreOpener, stdio_tools
        from dr_kube.service.context import ContextArgs

        store = StoreOpener(db_path, database_url)
        # click hands the source options over untyped; their names are ContextArgs' keys
        tools = stdio_tools(cast(ContextArgs, options), store)
        try:
            build_server(tools).run("stdio")
        finally:
            store.close()
        return 0

    guarded(body)
