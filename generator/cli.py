"""Command line: a thin layer that parses arguments, runs a stage and maps results to exit codes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator import __version__
from generator.core.types import BuildReport
from generator.pipeline import build
from generator.bundle import default_zip_path, write_bundle
from generator.config import SiteConfig, load_config
from generator.core.diagnostics import display_path
from generator.core.locks import DEFAULT_WAIT_SECONDS
from generator.core.progress import for_stderr as progress_for_stderr
from generator.core.types import BuildOptions
from generator.core.kinds import ARTICLE

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
    build_cmd.add_argument("--profile", choices=("web", "offline"), default="web",
                           help="web (default) or offline: links that name files, for reading from disk")

    check_cmd = commands.add_parser("check", help="check the content and templates without writing anything")
    _add_common(check_cmd)
    check_cmd.add_argument("--verbose", action="store_true", help="list withheld files by path")
    check_cmd.add_argument("--staged", action="store_true",
                           help="check the files staged for commit in git, not the working folder (for pre-commit hooks)")
    bundle_cmd = commands.add_parser("bundle", help="build the offline profile into one zip that works from disk")
    _add_common(bundle_cmd)
    bundle_cmd.add_argument("--out", type=Path, metavar="FILE.zip", help="zip to write (default: <title>-offline.zip beside the config)")
    bundle_cmd.add_argument("--verbose", action="store_true", help="list withheld files by path")

    diff_cmd = commands.add_parser("diff", help="list pages added, removed and changed between two builds, "
                                                "or what the working tree publishes since a git revision")
    diff_cmd.add_argument("old", type=Path, nargs="?", metavar="OLD", help="a built folder, or its chorus-manifest.json")
    diff_cmd.add_argument("new", type=Path, nargs="?", metavar="NEW", help="a built folder, or its chorus-manifest.json")
    diff_cmd.add_argument("--since", metavar="REV", help="build git revision REV and the working tree, and compare, "
                                                         "with a reason for each address")
    _add_config(diff_cmd, "site config file, with --since (default: ./site.yaml)")
    diff_cmd.add_argument("--format", choices=("text", "markdown"), default="text",
                          help="with --since: text (default) or markdown, for a pull request comment")
    _add_editor_commands(commands)
    return parser


def _add_editor_commands(commands) -> None:
    """The commands editors use beside build and check: preview, private records, review, new files."""
    serve_cmd = commands.add_parser("serve", help="preview the site on this computer; it rebuilds and reloads when you save")
    _add_config(serve_cmd)
    serve_cmd.add_argument("--port", type=int, default=8000, metavar="N", help="port on 127.0.0.1 (default: 8000; 0 picks a free one)")
    serve_cmd.add_argument("--drafts", action="store_true",
                           help="show drafts and embargoed items too, marked as not published (never in a build)")

    private_cmd = commands.add_parser("private", help="seal private records with age, open one for editing, or "
                                                      "seal them again to new keys")
    private_cmd.add_argument("action", choices=("seal", "unseal", "rekey"),
                             help="seal: every plain private value; unseal FILE: open one file's for editing; "
                                  "rekey: seal every value again to private_recipients")
    private_cmd.add_argument("file", nargs="?", type=Path, metavar="FILE", help="with unseal: the file to open")
    _add_config(private_cmd)

    review_cmd = commands.add_parser("review", help="list what the PII guard finds in testimonies, with the words "
                                                    "around each finding and a suggested redaction (check stays the gate)")
    review_cmd.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                            help="testimony files or folders to review (default: every testimony)")
    _add_config(review_cmd)
    review_cmd.add_argument("--json", action="store_true", help="print the findings as JSON")

    new_cmd = commands.add_parser("new", help="write a new article or testimony file with every field, ready to fill in")
    new_cmd.add_argument("kind", choices=("article", "testimony"), help="what to create")
    new_cmd.add_argument("title", nargs="?", help="the article's title (its file name is made from it)")
    _add_config(new_cmd)


def _add_config(command: argparse.ArgumentParser, help: str = "site config file (default: ./site.yaml)") -> None:
    command.add_argument("--config", type=Path, default=Path("site.yaml"), metavar="PATH", help=help)


def _config(args) -> SiteConfig | None:
    """The site config named by --config; None, its problems said, when it cannot be used."""
    config, problems = load_config(args.config)
    if config is None:
        for problem in problems:
            print(problem.format(), file=sys.stderr)
    return config


def _add_common(command: argparse.ArgumentParser) -> None:
    _add_config(command)
    command.add_argument("--strict", action="store_true", help="treat warnings as errors")
    command.add_argument("--jobs", type=_positive, default=None, metavar="N",
                         help="processes to use (default: all cores); the output is the same for any N")
    command.add_argument("--no-cache", action="store_true",
                         help="ignore and do not update the cache in .cache/ beside the config")
    command.add_argument("--wait", type=_seconds, default=DEFAULT_WAIT_SECONDS, metavar="SECONDS",
                         help=f"how long to wait while another build writes the same output or cache "
                              f"(default: {DEFAULT_WAIT_SECONDS:g})")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, 0 or more, got {text!r}")
    return value


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of 1 or more, got {text!r}")
    return int(text)


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("interrupted; the previous output is unchanged", file=sys.stderr)
        return 130


def run_staged_check(args) -> int:
    """check on a copy of git's index: what the commit will hold. Says clearly when it refuses."""
    import os

    from generator.staged import NotStaged, staged_copy

    try:
        with staged_copy(args.config) as (config_path, inside):
            here = os.getcwd()
            os.chdir(inside)  # paths are shown as in the working folder
            try:
                code = run_build(argparse.Namespace(**{**vars(args), "config": config_path, "no_cache": True,
                                                       "staged": False}), write=False)
            finally:
                os.chdir(here)
    except NotStaged as exc:
        print(f"cannot check the staged files: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if code != EXIT_OK:
        print("commit refused: the staged files have the problems above. Fix them, stage the fixes "
              "(git add), and commit again", file=sys.stderr)
    return code


def run_build(args, write: bool = True) -> int:
    if getattr(args, "staged", False):
        return run_staged_check(args)
    if (config := _config(args)) is None:
        return EXIT_CONTENT
    report = build(config, BuildOptions(args.out if write else None, write=write, strict=args.strict,
                                        profile=getattr(args, "profile", "web"), progress=progress_for_stderr(),
                                        jobs=args.jobs, use_cache=not args.no_cache, wait=args.wait))
    print_report(report, args, write)
    return EXIT_CONTENT if report.failed(args.strict) else EXIT_OK


def print_report(report: BuildReport, args, wrote: bool) -> None:
    for diagnostic in report.diagnostics:
        print(diagnostic.format(), file=sys.stderr)
    if report.failed(args.strict):
        stopped = " (warnings count as errors with --strict)" if args.strict and report.warnings else ""
        action = ("the new site is in place" if report.files_written else "nothing was written") if wrote else "check failed"
        print(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s){stopped}: {action}", file=sys.stderr)
        return
    summary = report.summary
    withheld = report.withheld_counts
    withheld_text = (f"; withheld {sum(withheld.values())} (" + ", ".join(f"{n} {reason}" for reason, n in withheld.items()) + ")"
                     if withheld else "")
    if getattr(args, "verbose", False):
        for item in summary.withheld:
            print(f"withheld: {display_path(item.path)} ({item.reason})", file=sys.stderr)
    # What stopped being published, always: a withdrawal must be seen to have ended, and the
    # same list is beside the output for purging caches (generator/output/removals.py).
    for removed in getattr(report, "removed", ()):
        print(f"no longer published: {removed.address} ({removed.reason})", file=sys.stderr)
    # Always listed, not only with --verbose: an accepted exception to the PII guard stays visible.
    for allowance in summary.allowances:
        print(f"allowed: {display_path(allowance.path)}:{allowance.line}: {allowance.text!r} ({allowance.reason})",
              file=sys.stderr)
    counts = f"{summary.articles} articles, {summary.testimonies} testimonies, {summary.pages} pages"
    if wrote and report.up_to_date:
        print(f"{display_path(report.out_dir)}/ is up to date with {counts}: no content, template or setting "
              f"changed since the build that wrote it ({report.files_written} files{withheld_text}); "
              f"checked in {report.seconds:.2f} s")
    elif wrote:
        unchanged = f" ({report.pages_reused} unchanged)" if report.pages_reused else ""
        cached = f", {report.files_cached} content files from cache" if report.files_cached else ""
        print(f"built {counts} into {display_path(report.out_dir)}/: {report.pages_rendered} HTML pages, "
              f"{report.files_written} files{unchanged}{cached}{withheld_text} in {report.seconds:.2f} s")
    else:
        warned = f", {len(report.warnings)} warning(s)" if report.warnings else ""
        print(f"checked {counts}: no errors{warned}{withheld_text}")


def run_bundle(args) -> int:
    if (config := _config(args)) is None:
        return EXIT_CONTENT
    zip_path = args.out or default_zip_path(config)
    report = write_bundle(config, zip_path, strict=args.strict, jobs=args.jobs, use_cache=not args.no_cache,
                          wait=args.wait)
    if report.failed(args.strict):
        print_report(report, args, wrote=True)
        return EXIT_CONTENT
    for diagnostic in report.diagnostics:
        print(diagnostic.format(), file=sys.stderr)
    print(f"bundled {report.summary.articles + report.summary.testimonies} items, {report.pages_rendered} HTML pages into {display_path(Path(zip_path))}")
    return EXIT_OK


def run_diff(args) -> int:
    if args.since is not None:
        return run_diff_since(args)
    if args.old is None or args.new is None:
        print("give two builds to compare (diff OLD NEW), or a git revision (diff --since REV)", file=sys.stderr)
        return EXIT_USAGE
    from generator.output.manifest import ManifestError, diff_manifests, page_address, read_manifest

    try:
        old, new = read_manifest(args.old), read_manifest(args.new)
    except ManifestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONTENT
    changes = diff_manifests(old, new)
    for label, paths in (("added", changes.added), ("removed", changes.removed), ("changed", changes.changed)):
        for path in paths:
            print(f"{label}: {page_address(path)}")
    if changes.is_empty:
        print("no changes")
    return EXIT_OK


def run_diff_since(args) -> int:
    from generator.changes import DiffFailed, as_markdown, as_text, changes_since

    if args.old is not None:
        print("diff --since compares a git revision with the working tree: give no OLD or NEW", file=sys.stderr)
        return EXIT_USAGE
    try:
        changes = changes_since(args.config, args.since)
    except DiffFailed as exc:
        for diagnostic in exc.diagnostics:
            print(diagnostic.format(), file=sys.stderr)
        print(f"cannot compare with {args.since}: {exc}", file=sys.stderr)
        return EXIT_CONTENT
    sys.stdout.write(as_markdown(changes, args.since) if args.format == "markdown" else as_text(changes))
    return EXIT_OK


def run_serve(args) -> int:
    from generator.serve import serve

    return serve(args.config, args.port, args.drafts)


def run_new(args) -> int:
    from generator.scaffold import new_item

    if args.kind == "article" and not (args.title or "").strip():
        print('give the article\'s title: python -m generator new article "Title"', file=sys.stderr)
        return EXIT_USAGE
    if (config := _config(args)) is None:
        return EXIT_CONTENT
    from generator.scaffold import same_title

    twin = same_title(config.content_dir / ARTICLE.folder, args.title) if args.kind == "article" else None
    path = new_item(config, args.kind, args.title)
    print(display_path(path))
    if twin is not None:
        print(f"note: {display_path(twin)} has the same title; if it is the same article, delete "
              f"{display_path(path)} and edit that one", file=sys.stderr)
    print("fill in the required fields and the text, then run: python -m generator check", file=sys.stderr)
    return EXIT_OK


def run_private(args) -> int:
    from generator.privacy import sealfiles, sealing

    if (config := _config(args)) is None:
        return EXIT_CONTENT
    files = sealfiles.record_files(config.content_dir)
    try:
        if args.action == "unseal":
            if args.file is None:
                print("name the file to open: python -m generator private unseal content/testimonies/t011.md",
                      file=sys.stderr)
                return EXIT_USAGE
            wanted = Path(args.file).resolve()
            chosen = [(path, front) for path, front in files if path.resolve() == wanted]
            if not chosen:
                print(f"{display_path(args.file)}: not a testimony or redact.yaml of this site", file=sys.stderr)
                return EXIT_USAGE
            identities = sealing.load_identities()
            if identities is None:
                print(f"set {sealing.IDENTITY_VARIABLE} to your age identity file to open sealed values", file=sys.stderr)
                return EXIT_USAGE
            changed = sealfiles.unseal_files(chosen, identities)
            verb = "opened for editing (seal it again before you commit: python -m generator private seal)"
        else:
            if not config.private_recipients:
                print(f"{display_path(config.path)}: list the age public keys to seal to under private_recipients "
                      f"(one per editor and one for CI)", file=sys.stderr)
                return EXIT_USAGE
            to = sealing.recipients(config.private_recipients)
            if args.action == "seal":
                changed, verb = sealfiles.seal_files(files, to), "sealed"
            else:
                identities = sealing.load_identities()
                if identities is None:
                    print(f"set {sealing.IDENTITY_VARIABLE} to your age identity file: rekey opens every sealed value",
                          file=sys.stderr)
                    return EXIT_USAGE
                changed, verb = sealfiles.rekey_files(files, identities, to), "sealed again to the keys in private_recipients"
    except sealing.SealError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONTENT
    for path in changed:
        print(f"{verb}: {display_path(path)}")
    if not changed:
        print(f"nothing to do: no file has values to {args.action}")
    return EXIT_OK


def run_review(args) -> int:
    """Every finding of the PII guard, grouped by testimony, for an editor to go through."""
    from generator.review import as_json, as_text, review

    if (config := _config(args)) is None:
        return EXIT_CONTENT
    reviewed, problems = review(config, tuple(args.paths))
    for problem in problems:
        print(problem.format(), file=sys.stderr)
    text = as_json(reviewed) if args.json else as_text(reviewed)
    if text:
        print(text)
    return EXIT_CONTENT if any(p.severity.value == "error" for p in problems) else EXIT_OK


COMMANDS = {
    "build": run_build,
    "check": lambda args: run_build(args, write=False),
    "serve": run_serve,
    "new": run_new,
    "bundle": run_bundle,
    "diff": run_diff,
    "private": run_private,
    "review": run_review,
}
