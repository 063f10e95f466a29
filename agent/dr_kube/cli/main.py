"""`dr-kube` command line: run, fix (and the commands other modules add)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path
from typing import Any

import click

from dr_kube import __version__
from dr_kube.cli.audit import audit, history
from dr_kube.cli.eval import eval_command
from dr_kube.cli.mcp import mcp_command
from dr_kube.cli.options import guarded, pull_request_options, source_options
from dr_kube.cli.serve import serve
from dr_kube.errors import DrKubeError


def configure_logging(verbose: int) -> None:
    from dr_kube.config.logs import LogSettings
    from dr_kube.logs import log_handler

    settings = LogSettings.load()
    level = settings.level or ("WARNING" if verbose == 0 else "INFO" if verbose == 1 else "DEBUG")
    logging.basicConfig(level=level.upper(), handlers=[log_handler(settings.format)], force=True)


def warm_up_renderer() -> None:
    """Start Helm's render worker now: it loads while the pipeline imports (about as long)."""
    from dr_kube.gitops.render import RENDERER

    with contextlib.suppress(OSError, DrKubeError):  # the first render reports it, if any
        RENDERER.warm_up()


def execute(alert_file: Path, output: str, **context_args: Any) -> int:
    warm_up_renderer()
    from dr_kube.alerts import load_incidents
    from dr_kube.cli.output import render_text
    from dr_kube.cluster.owners import OwnerResolver
    from dr_kube.graph.result import merge_results
    from dr_kube.graph.runner import exit_code, run_incident, worst
    from dr_kube.incidents.grouping import group_incidents
    from dr_kube.service.context import build_context

    incidents = load_incidents(alert_file)
    if all(i.status != "firing" for i in incidents):
        click.echo(f"{alert_file}: every alert in it is resolved; nothing to do.", err=True)
        return 0
    ctx = build_context(**context_args)
    owners = OwnerResolver(ctx.source)  # a pod's alert is about the workload that owns it
    firing = group_incidents([owners.resolve(i) for i in incidents])
    results = []
    codes = []
    for incident in firing:
        try:
            result = run_incident(incident, ctx)
        except DrKubeError as exc:
            if len(firing) == 1:
                raise
            click.echo(f"dr-kube: {incident.key()}: {exc}", err=True)
            codes.append(exc.exit_code)
            continue
        results.append(result)
        codes.append(exit_code(result))
    results = merge_results(results)
    if output == "json":
        docs = [r.to_json_dict() for r in results]
        click.echo(json.dumps(docs[0] if len(docs) == 1 else docs, indent=2, ensure_ascii=False))
    else:
        click.echo("\n\n".join(render_text(r) for r in results))
    for r in results:  # the work is printed above; why it is not published, in one line
        if r.publish_failure is not None:
            click.echo(f"dr-kube: publication failed: {r.publish_failure.reason}", err=True)
    return worst(codes)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="dr-kube")
@click.option("-v", "--verbose", count=True, help="More logging on stderr (-vv for debug).")
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colours in text output: auto is on at a terminal unless NO_COLOR is set.",
)
@click.pass_context
def main(ctx: click.Context, verbose: int, color: str) -> None:
    """DR-Kube: from a Kubernetes alert to a reviewed, validated Helm-values pull request."""
    ctx.color = use_color(color, os.environ.get("NO_COLOR", ""))
    configure_logging(verbose)


def use_color(choice: str, no_color: str) -> bool | None:
    """click's colour switch: True, False, or None (on for a terminal); NO_COLOR (no-color.org,
    any non-empty value) turns `auto` off."""
    if choice == "always":
        return True
    if choice == "never" or no_color:
        return False
    return None


@main.command()
@click.argument("alert_file", type=click.Path(path_type=Path))
@source_options
@click.option(
    "--output", "-o", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def run(alert_file: Path, output: str, **options: Any) -> None:
    """Diagnose ALERT_FILE and show the proposed fix; writes nothing.

    Exit codes: 0 fix proposed, 3 diagnosed but no safe fix, 2 bad input, 1 internal error.
    """
    guarded(lambda: execute(alert_file, output, **options))


@main.command()
@click.argument("alert_file", type=click.Path(path_type=Path))
@source_options
@click.option(
    "--output", "-o", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@pull_request_options
@click.option(
    "--push/--no-push",
    default=True,
    show_default=True,
    help="Push the branch to origin when there is one.",
)
def fix(
    alert_file: Path,
    output: str,
    base_branch: str | None,
    github_repo: str | None,
    push: bool,
    **options: Any,
) -> None:
    """Like `run`, then commit the fix on branch dr-kube/<ns>/<workload>/<category> from a fresh
    base, push it, and open or update its pull request (GITHUB_TOKEN)."""
    guarded(
        lambda: execute(
            alert_file,
            output,
            publish=True,
            push=push,
            base_branch=base_branch,
            github_repo=github_repo,
            **options,
        )
    )


main.add_command(eval_command, name="eval")
main.add_command(serve)
main.add_command(audit)
main.add_command(history)
main.add_command(mcp_command)


if __name__ == "__main__":
    main()
