"""`dr-kube serve`: the webhook service (FastAPI on uvicorn) with its background workers."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, cast

import click

from dr_kube.cli.options import guarded, pull_request_options, source_options

log = logging.getLogger("dr_kube.server")


@click.command()
@source_options
@click.option("--host", default="127.0.0.1", show_default=True, envvar="DRKUBE_HOST")
@click.option("--port", type=int, default=8080, show_default=True, envvar="DRKUBE_PORT")
@pull_request_options
@click.option("--workers", type=click.IntRange(1, 64), help="Concurrent runs [env DRKUBE_WORKERS]")
@click.option(
    "--insecure-no-auth",
    is_flag=True,
    help="Accept unauthenticated webhooks and API calls (development only; warns at start).",
)
def serve(
    host: str,
    port: int,
    base_branch: str | None,
    github_repo: str | None,
    workers: int | None,
    insecure_no_auth: bool,
    **options: Any,
) -> None:
    """Run the webhook service: Alertmanager and GitHub webhooks, the incident API, the MCP tools
    (/mcp, streamable HTTP), /metrics.

    Secrets: DRKUBE_ALERTMANAGER_TOKEN (or DRKUBE_ALERTMANAGER_BASIC_USER/PASSWORD),
    DRKUBE_GITHUB_WEBHOOK_SECRET; GITHUB_TOKEN for pull requests. Store: DRKUBE_DB (SQLite) or
    DRKUBE_DATABASE_URL (PostgreSQL, for several replicas).
    """

    def body() -> int:
        import uvicorn

        from dr_kube.config.github import GitHubSettings
        from dr_kube.config.service import Settings

        settings = Settings.from_env(insecure_no_auth=insecure_no_auth, workers=workers)
        opens_prs = GitHubSettings.load().token is not None
        missing = settings.missing_secrets(opens_prs=opens_prs)
        if insecure_no_auth:
            log.warning("INSECURE: --insecure-no-auth is set; webhooks and the API accept anyone")
            click.echo("dr-kube: warning: running with --insecure-no-auth", err=True)
        elif missing:
            click.echo(
                "dr-kube: error: refusing to start without secrets: set "
                + " and ".join(missing)
                + " (or pass --insecure-no-auth for local development)",
                err=True,
            )
            return 2
        elif settings.github_secret is None:
            # no GITHUB_TOKEN: branches are pushed but no PR is opened, so no review reaches us
            click.echo(
                "dr-kube: warning: DRKUBE_GITHUB_WEBHOOK_SECRET is not set; "
                "GitHub deliveries will be refused (401)",
                err=True,
            )
        from dr_kube.mcp.wiring import service_tools
        from dr_kube.server.app import create_app
        from dr_kube.service.checkout import prepare_checkout
        from dr_kube.service.context import ContextArgs
        from dr_kube.service.wiring import build_service

        base = base_branch
        checkout = prepare_checkout(options["gitops_repo"], base_branch)
        if checkout is not None:
            prepared, url = checkout
            click.echo(f"dr-kube: {prepared.describe(url)}", err=True)
            base = base or prepared.base
        # click hands the source options over untyped; their names are ContextArgs' keys
        args = cast(ContextArgs, {**options, "base_branch": base, "github_repo": github_repo})
        service = build_service(settings, args, start_workers=not settings.intake_only)
        if service.prs_off is not None:
            click.echo(
                f"dr-kube: pull requests are off: {service.prs_off}; "
                "fixes end as pushed branches (incident status `pushed`)",
                err=True,
            )
        app = create_app(service, service_tools(service.store, args))
        db = "PostgreSQL" if settings.database_url else str(Path(settings.db_path))
        click.echo(f"dr-kube: serving on http://{host}:{port} (store: {db})", err=True)
        # proxy_headers off: the console trusts its user header by the TCP peer's address alone
        uvicorn.run(
            app, host=host, port=port, log_level="warning", access_log=False, proxy_headers=False
        )
        return 0

    guarded(body)
