"""`dr-kube serve`: the webhook service (FastAPI on uvicorn) with its background workers."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, cast

import click

from dr_kube.cli.options import guarded, pull_request_options, source_options

log = logging.getLogger("dr_kube.serve")


def say(level: int, text: str) -> None:
    """A start-up line: `dr-kube: [warning: ]TEXT` on stderr, or a JSON log line (whatever the
    log level) under DRKUBE_LOG_FORMAT=json, so that a collector reads every line."""
    from dr_kube.config.logs import LogSettings

    if LogSettings.load().format == "json":
        log.setLevel(logging.INFO)
        log.log(level, text)
        return
    kind = {logging.WARNING: "warning: ", logging.ERROR: "error: "}.get(level, "")
    click.echo(f"dr-kube: {kind}{text}", err=True)


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
@click.option(
    "--insecure-no-encryption",
    is_flag=True,
    help="Store LangGraph checkpoints unencrypted when DRKUBE_CHECKPOINT_KEY is not set "
    "(development only; warns at start).",
)
def serve(
    host: str,
    port: int,
    base_branch: str | None,
    github_repo: str | None,
    workers: int | None,
    insecure_no_auth: bool,
    insecure_no_encryption: bool,
    **options: Any,
) -> None:
    """Run the webhook service: Alertmanager and GitHub webhooks, the incident API, the MCP tools
    (/mcp, streamable HTTP), /metrics.

    Secrets: DRKUBE_ALERTMANAGER_TOKEN (or DRKUBE_ALERTMANAGER_BASIC_USER/PASSWORD),
    DRKUBE_GITHUB_WEBHOOK_SECRET; GITHUB_TOKEN for pull requests. Store: DRKUBE_DB (SQLite) or
    DRKUBE_DATABASE_URL (PostgreSQL, for several replicas); DRKUBE_CHECKPOINT_KEY encrypts the
    LangGraph checkpoints.
    """

    def body() -> int:
        import uvicorn

        from dr_kube.config.github import GitHubSettings
        from dr_kube.config.service import Settings
        from dr_kube.logs import route_uvicorn_logs

        settings = Settings.from_env(
            insecure_no_auth=insecure_no_auth,
            workers=workers,
            insecure_no_encryption=insecure_no_encryption,
        )
        opens_prs = GitHubSettings.load().token is not None
        missing = settings.missing_secrets(opens_prs=opens_prs)
        if insecure_no_auth:
            say(
                logging.WARNING,
                "INSECURE: running with --insecure-no-auth; webhooks and the API accept anyone",
            )
        elif missing:
            say(
                logging.ERROR,
                "refusing to start without secrets: set "
                + " and ".join(missing)
                + " (or pass --insecure-no-auth for local development)",
            )
            return 2
        elif settings.github_secret is None:
            # no GITHUB_TOKEN: branches are pushed but no PR is opened, so no review reaches us
            say(
                logging.WARNING,
                "DRKUBE_GITHUB_WEBHOOK_SECRET is not set; GitHub deliveries will be refused (401)",
            )
        if not settings.checkpoint_keys:
            if not insecure_no_encryption:
                click.echo(
                    "dr-kube: error: refusing to store checkpoints unencrypted: set "
                    "DRKUBE_CHECKPOINT_KEY (`openssl rand -base64 32`) or pass "
                    "--insecure-no-encryption for local development",
                    err=True,
                )
                return 2
            log.warning("INSECURE: --insecure-no-encryption is set; checkpoints are plain")
            click.echo("dr-kube: warning: checkpoints are stored unencrypted", err=True)
        from dr_kube.mcp.wiring import service_tools
        from dr_kube.server.app import create_app
        from dr_kube.service.checkout import prepare_checkout
        from dr_kube.service.context import ContextArgs
        from dr_kube.service.wiring import build_service

        base = base_branch
        checkout = prepare_checkout(options["gitops_repo"], base_branch)
        if checkout is not None:
            prepared, url = checkout
            say(logging.INFO, prepared.describe(url))
            base = base or prepared.base
        # click hands the source options over untyped; their names are ContextArgs' keys
        args = cast(ContextArgs, {**options, "base_branch": base, "github_repo": github_repo})
        service = build_service(settings, args, start_workers=not settings.intake_only)
        if service.prs_off is not None:
            say(
                logging.INFO,
                f"pull requests are off: {service.prs_off}; "
                "fixes end as pushed branches (incident status `pushed`)",
            )
        app = create_app(service, service_tools(service.store, args))
        db = "PostgreSQL" if settings.database_url else str(Path(settings.db_path))
        say(logging.INFO, f"serving on http://{host}:{port} (store: {db})")
        # uvicorn's own logging set-up off: its loggers (start-up, access log) go through ours.
        # proxy_headers off: the console trusts its user header by the TCP peer's address alone
        route_uvicorn_logs(access_log=True)
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_config=None,
            log_level=None,
            access_log=True,
            proxy_headers=False,
        )
        return 0

    guarded(body)
