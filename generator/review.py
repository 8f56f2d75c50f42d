"""Review for editors: each finding of the PII guard, with the words around it and a suggested redaction."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from generator.privacy import pii, redact
from generator.config import SiteConfig
from generator.core.diagnostics import Diagnostic, display_path, error
from generator.core.types import Redactions


@dataclass(frozen=True, slots=True)
class Reviewed:
    """One testimony's findings, each with the reason it is accepted (allow:), if it is."""

    path: Path
    findings: tuple[tuple[pii.Finding, str | None], ...]
    withdrawn: bool = False


def review(config: SiteConfig, paths: tuple[Path, ...] = ()) -> tuple[list[Reviewed], list[Diagnostic]]:
    """The guard's findings in every testimony (or those under ``paths``), by file."""
    from generator.content.sources import discover
    from generator.content.read import read_document
    from generator.privacy.pii import check_testimony, redact_testimony
    from generator.content.validate import _validate_tags

    sources, problems = discover(config)
    problems = [p for p in problems if p.severity.value == "error"]
    redactions, redact_problems = redact.load_redactions(config.content_dir / "redact.yaml", config.max_file_bytes,
                                                      config.read_roots)
    problems.extend(redact_problems)
    tags, _ = _validate_tags(sources)
    redactions = Redactions(redactions.names, redactions.replacements, redactions.public,
                                tuple((tag.id, tag.label) for tag in tags.values()))
    wanted = [path.resolve() for path in paths]
    testimonies = [s for s in sources.files if s.kind == "testimony"
                   and (not wanted or any(s.path.resolve() == w or w in s.path.resolve().parents for w in wanted))]
    for path, resolved in zip(paths, wanted):
        if not any(s.path.resolve() == resolved or resolved in s.path.resolve().parents for s in testimonies):
            problems.append(error(path, None, "no testimony of this site is there: give a file or folder under "
                                              f"{display_path(config.content_dir / 'testimonies')}"))
    reviewed: list[Reviewed] = []
    for source in sorted(testimonies, key=lambda s: str(s.path)):
        raw, read_problems = read_document(source.path, source.kind, config.max_file_bytes, config.read_roots)
        if raw is None:
            problems.extend(read_problems)
            continue
        raw = redact_testimony(raw, redactions)
        consent = raw.front.data.get("consent") if isinstance(raw.front.data, dict) else None
        if isinstance(consent, dict) and consent.get("status") == "withdrawn":
            reviewed.append(Reviewed(source.path, (), withdrawn=True))
            continue
        findings, allowances = check_testimony(raw, redactions, config.language, pii.render_for_guard(raw.body),
                                               findings_only=True)
        accepted = {pii.allowance_key(a.text): a.reason for a in allowances}
        reviewed.append(Reviewed(source.path, tuple((f, accepted.get(f.text)) for f in findings)))
    return reviewed, problems


def as_text(reviewed: list[Reviewed]) -> str:
    lines: list[str] = []
    for item in reviewed:
        shown = display_path(item.path)
        if item.withdrawn:
            lines.append(f"{shown}: consent withdrawn: never published, not reviewed")
            continue
        if not item.findings:
            lines.append(f"{shown}: nothing found")
            continue
        lines.append(f"{shown}: {len(item.findings)} to review")
        for finding, reason in item.findings:
            lines.append(f"  {finding.line}: {finding.what} in {finding.where}: {finding.text!r}")
            lines.append(f"      {finding.context}")
            if reason is not None:
                lines.append(f"      allowed: {reason}")
            else:
                lines.append(f"      suggest: {finding.suggestion}")
    return "\n".join(lines)


def as_json(reviewed: list[Reviewed]) -> str:
    return json.dumps({"testimonies": [
        {"path": display_path(item.path), "withdrawn": item.withdrawn,
         "findings": [{"line": f.line, "what": f.what, "where": f.where, "text": f.text, "context": f.context,
                       "suggestion": f.suggestion, "allowed": reason} for f, reason in item.findings]}
        for item in reviewed]}, ensure_ascii=False, indent=2)
