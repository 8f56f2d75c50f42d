"""Command line: a thin layer that parses arguments, runs a stage and maps results to exit codes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator import __version__
from generator.build import BuildReport, build
from generator.config import load_config
from generator.diagnostics import display_path

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m generator",
                                     description="Build a static archive of articles and testimonies.")
    parser.add_argument("--version", action="version", version=f"chorus {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build_cmd = commands.add_parser("build", help="check the content and write the site")
    _add_common(build_cmd)
    build_cmd.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: output_dir in the config)")
    build_cmd.add_argument("--verbose", action="store_true", help="list withheld files by path")

    check_cmd = commands.add_parser("check", help="check the content and templates without writing anything")
    _add_common(check_cmd)
    check_cmd.add_argument("--verbose", action="store_true", help="list withheld files by path")
    return parser


def _add_common(command: argparse.ArgumentParser) -> None:
    command.add_argument("--config", type=Path, default=Path("site.yaml"), metavar="PATH",
                         help="site config file (default: ./site.yaml)")
    command.add_argument("--strict", action="store_true", help="treat warnings as errors")


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("interrupted; the previous output is unchanged", file=sys.stderr)
        return 130


def run_build(args, write: bool = True) -> int:
    config, problems = load_config(args.config)
    if config is None:
        for problem in problems:
            print(problem.format(), file=sys.stderr)
        return EXIT_CONTENT
    report = build(config, args.out if write else None, write=write, strict=args.strict)
    print_report(report, args, write)
    return EXIT_CONTENT if report.failed(args.strict) else EXIT_OK


def print_report(report: BuildReport, args, wrote: bool) -> None:
    for diagnostic in report.diagnostics:
        print(diagnostic.format(), file=sys.stderr)
    if report.failed(args.strict):
        stopped = " (warnings count as errors with --strict)" if args.strict and report.warnings else ""
        action = "nothing was written" if wrote else "check failed"
        print(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s){stopped}: {action}", file=sys.stderr)
        return
    site = report.site
    withheld = report.withheld_counts
    withheld_text = (f"; withheld {sum(withheld.values())} (" + ", ".join(f"{n} {reason}" for reason, n in withheld.items()) + ")"
                     if withheld else "")
    if getattr(args, "verbose", False):
        for item in site.withheld:
            print(f"withheld: {display_path(item.path)} ({item.reason})", file=sys.stderr)
    # Always listed, not only with --verbose: an accepted exception to the PII guard stays visible.
    for allowance in site.allowances:
        print(f"allowed: {display_path(allowance.path)}:{allowance.line}: {allowance.text!r} ({allowance.reason})",
              file=sys.stderr)
    counts = f"{len(site.articles)} articles, {len(site.testimonies)} testimonies, {len(site.pages)} pages"
    if wrote:
        print(f"built {counts} into {display_path(report.out_dir)}/: {report.pages_rendered} HTML pages, "
              f"{report.files_written} files{withheld_text} in {report.seconds:.2f} s")
    else:
        warned = f", {len(report.warnings)} warning(s)" if report.warnings else ""
        print(f"checked {counts}: no errors{warned}{withheld_text}")


COMMANDS = {
    "build": run_build,
    "check": lambda args: run_build(args, write=False),
}
