"""`dr-kube eval DIR`: run the scenario corpus and score it; `--compare A.json B.json`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from dr_kube.errors import InputError

EXIT_BELOW_BASELINE = 4


def _progress(total: int) -> Any:
    """A progress bar on stderr when it is a terminal; otherwise nothing."""
    if not sys.stderr.isatty():
        return None
    return click.progressbar(length=total, label="eval", file=sys.stderr, show_pos=True)


def evaluate(
    directory: Path | None,
    provider: str,
    output: str,
    compare_files: tuple[Path, Path] | None,
    baseline_file: Path | None,
    write_baseline: Path | None,
    pattern: str | None,
) -> int:
    from dr_kube.evaluate import report as rep

    if compare_files:
        a, b = (rep.load_report(p) for p in compare_files)
        if output == "json":
            click.echo(json.dumps(rep.compare_json(a, b), indent=2, ensure_ascii=False))
        else:
            click.echo(rep.render_compare(a, b, str(compare_files[0]), str(compare_files[1])))
        return 0
    if directory is None:
        raise InputError("give a scenario directory (DIR) or --compare A.json B.json")
    from dr_kube.cli.output import render_text
    from dr_kube.evaluate.runner import run_corpus
    from dr_kube.evaluate.scenario import discover

    scenarios = discover(directory, pattern)
    baseline = rep.load_baseline(baseline_file) if baseline_file else None
    bar = _progress(len(scenarios))
    if bar is not None:
        with bar:
            report = run_corpus(
                scenarios, provider, str(directory), render_text, lambda _o: bar.update(1)
            )
    else:
        report = run_corpus(scenarios, provider, str(directory), render_text)
    if output == "json":
        click.echo(json.dumps(report.to_json_dict(), indent=2, ensure_ascii=False))
    elif output == "markdown":
        click.echo(rep.render_markdown(report))
    else:
        click.echo(rep.render_text(report))
    if write_baseline is not None:
        write_baseline.write_text(
            json.dumps(rep.baseline_of(report).model_dump(), indent=2) + "\n", encoding="utf-8"
        )
    if baseline is not None:
        problems = rep.check_baseline(report, baseline)
        for problem in problems:
            click.echo(f"dr-kube eval: {problem}", err=True)
        if problems:
            return EXIT_BELOW_BASELINE
    return 0


@click.command()
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option(
    "--provider",
    type=click.Choice(["rules", "gemini", "ollama", "auto"]),
    default="rules",
    envvar="DRKUBE_PROVIDER",
    show_default=True,
    help="Who diagnoses. [env DRKUBE_PROVIDER]",
)
@click.option(
    "--output",
    "-o",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
)
@click.option(
    "--compare",
    "compare_files",
    nargs=2,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Print the per-scenario differences between two JSON reports A and B; runs nothing.",
)
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Exit 4 when the pass rate is below this baseline or a scenario it lists as passing fails.",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write this run's pass rate and passing scenarios as a baseline file.",
)
@click.option("-k", "pattern", help="Only scenarios whose name contains this text.")
def eval_command(
    directory: Path | None,
    provider: str,
    output: str,
    compare_files: tuple[Path, Path] | None,
    baseline_file: Path | None,
    write_baseline: Path | None,
    pattern: str | None,
) -> None:
    """Run every scenario under DIR through the graph and score the answers.

    A scenario is a folder with alert.json, cluster/, gitops/ and expect.yaml (docs/EVAL.md).
    Exit codes: 0 done (at or above the baseline), 4 below the baseline, 2 bad input,
    1 internal error.
    """
    from dr_kube.cli.options import guarded

    guarded(
        lambda: evaluate(
            directory,
            provider,
            output,
            compare_files or None,
            baseline_file,
            write_baseline,
            pattern,
        )
    )
