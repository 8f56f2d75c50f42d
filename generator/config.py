"""Load and check site.yaml into a frozen SiteConfig; paths resolve against the config's folder."""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from generator.core import fields as f, safefs
from generator.core.diagnostics import Diagnostic, error, printable
from generator.core.yamlio import parse_yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _stock_templates() -> Path:
    """Chorus's own templates: beside the package in a checkout; under share/chorus/ when Chorus is
    installed as a package (pip, or the pre-commit framework's hook)."""
    for candidate in (PROJECT_ROOT / "templates", Path(sys.prefix) / "share" / "chorus" / "templates",
                      PROJECT_ROOT / "share" / "chorus" / "templates"):
        if (candidate / "base.html").is_file():
            return candidate
    return PROJECT_ROOT / "templates"


PROJECT_TEMPLATES = _stock_templates()
# The config file is read before its own limits are known.
CONFIG_MAX_BYTES = 1_000_000


@dataclass(frozen=True, slots=True)
class SiteConfig:
    path: Path
    root: Path
    title: str
    description: str
    base_url: str
    language: str
    content_dir: Path
    templates_dir: Path
    output_dir: Path
    items_per_page: int
    feed_items: int
    content_warnings: Mapping[str, str]
    fold_content_warnings: bool
    quick_exit_url: str
    max_file_bytes: int
    max_image_bytes: int
    withdrawn: str = "remove"  # what a withdrawn testimony's address shows: nothing (404) or a notice
    private_recipients: tuple[str, ...] = ()  # age public keys the private records are sealed to
    # None: a private value in plain text is a warning; "plain": kept so on purpose (a note);
    # "sealed": an error
    private_records: str | None = None

    @property
    def read_roots(self) -> tuple[str, ...]:
        """The folders every file Chorus reads must lie in, links followed: the site's own and
        Chorus's templates (see generator/core/safefs.py)."""
        return safefs.real_roots((self.root, PROJECT_TEMPLATES))

    @property
    def base_path(self) -> str:
        """The path part of base_url, e.g. '/' or '/archive/'."""
        match = re.match(r"^https?://[^/]+(/.*)?$", self.base_url)
        return (match.group(1) or "/") if match else "/"


def _base_url(name, value, source):
    url = f.http_url(name, value, source)
    return url if url.endswith("/") else url + "/"


def _relative_dir(name, value, source):
    value = f.text(name, value, source)
    if "\0" in value:  # no file system accepts it; Path.resolve() would raise
        raise f.FieldError(f"'{name}' must be a folder name or path, got {value!r}")
    return Path(value)


def _age_recipient(name, value, source):
    value = f.text(name, value, source)
    if not re.match(r"^age1[02-9ac-hj-np-z]{58}$", value):
        raise f.FieldError(f"'{name}' must be an age public key (age1 and 58 letters and digits), got {value!r}: "
                           f"make a key pair with age-keygen, and list its public key")
    return value


def _warning_vocabulary(name, value, source):
    vocabulary = f.mapping(name, value, source)
    for key, label in vocabulary.items():
        if not re.match(r"^[a-z0-9]+(-[a-z0-9]+)*$", key):
            raise f.FieldError(f"content warning id {key!r} must be lower-case letters, digits and hyphens")
        if not isinstance(label, str) or not label.strip():
            raise f.FieldError(f"content warning {key!r} needs a label as text, e.g. {key}: \"Sexual harassment\"")
    return MappingProxyType({k: v.strip() for k, v in sorted(vocabulary.items())})


SCHEMA = (
    f.Field("title", f.text, required=True, doc="The archive's name, shown in every page header and the feed."),
    f.Field("description", f.text, default="", doc="One or two sentences on the home page, in the feed and in page metadata."),
    f.Field("base_url", _base_url, required=True, doc="The public web address, used for the feed, sitemap and canonical links."),
    f.Field("language", f.language, default="en", doc="Default BCP 47 language of the content; items may override it."),
    f.Field("content_dir", _relative_dir, default=Path("content"), doc="Folder of articles/, testimonies/, pages/ and tags.yaml."),
    f.Field("templates_dir", _relative_dir, default=Path("templates"), doc="Folder of Jinja templates; templates not found there come from Chorus."),
    f.Field("output_dir", _relative_dir, default=Path("_site"), doc="Where `build` writes the site; `--out` overrides it."),
    f.Field("items_per_page", f.positive_int, default=20, doc="Items on each page of the article, testimony and tag lists."),
    f.Field("feed_items", f.positive_int, default=30, doc="How many of the newest items the Atom feed holds."),
    f.Field("content_warnings", _warning_vocabulary, default=MappingProxyType({}), doc="The content-warning vocabulary: id -> label."),
    f.Field("fold_content_warnings", f.flag, default=True, doc="Fold bodies with content warnings behind a 'Show' control."),
    f.Field("quick_exit_url", f.http_url, default="https://www.wikipedia.org/", doc="Where the 'Leave this site' button goes."),
    f.Field("max_file_bytes", f.positive_int, default=1_000_000, doc="Largest content file accepted, in bytes."),
    f.Field("max_image_bytes", f.positive_int, default=20_000_000, doc="Largest image in content/media/ accepted, in bytes."),
    f.Field("private_recipients", f.list_of(_age_recipient, unique=True), default=(),
            doc="The age public keys (age1...) that private: records are sealed to: one per editor and one for CI."),
    f.Field("private_records", f.one_of("plain", "sealed"),
            doc="sealed: a private: value in plain text is an error; plain: kept so on purpose (a note); "
                "unset: a warning that says how to seal it."),
    f.Field("withdrawn", f.one_of("remove", "notice"), default="remove",
            doc="What a withdrawn testimony's address shows: nothing (remove) or a short withdrawal notice."),
)


def load_config(path: Path) -> tuple[SiteConfig | None, tuple[Diagnostic, ...]]:
    path = Path(path)
    if not os.path.lexists(path):
        return None, (error(path, None, "config file not found: pass --config PATH or run from the site's folder"),)
    try:
        # The config file may be a link (to a shared config, say); its folder, links followed, is the site's.
        raw = safefs.read(path, CONFIG_MAX_BYTES, safefs.real_roots([os.path.dirname(os.path.realpath(path))]),
                          noun="config file", setting=None)
    except safefs.Refused as exc:
        return None, (error(path, None, str(exc)),)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, (error(path, None, "the config file is not UTF-8 text: save it as UTF-8"),)
    doc, yaml_problems = parse_yaml(text)
    problems = [error(path, p.line, p.message) for p in yaml_problems]
    if doc is None:
        return None, tuple(problems)
    values, field_problems = f.check_fields(doc, SCHEMA, path, what="site config")
    problems.extend(field_problems)
    if problems:
        return None, tuple(problems)
    root = path.resolve().parent
    for name in ("content_dir", "templates_dir"):
        # Every file read comes from inside the site's folder: a folder configured (or linked) outside it is refused.
        folder = (root / values[name]).resolve()
        if not safefs.is_inside(str(folder), [str(root)]):
            problems.append(error(path, doc.line(name), f"'{name}' must be a folder inside the site's folder {printable(root)}, "
                                                        f"but it is {printable(folder)}: Chorus reads only files inside the site; "
                                                        f"move the folder in, or copy it"))
    if problems:
        return None, tuple(problems)
    config = SiteConfig(
        path=path.resolve(),
        root=root,
        title=values["title"],
        description=values["description"],
        base_url=values["base_url"],
        language=values["language"],
        content_dir=(root / values["content_dir"]).resolve(),
        templates_dir=(root / values["templates_dir"]).resolve(),
        output_dir=(root / values["output_dir"]).resolve(),
        items_per_page=values["items_per_page"],
        feed_items=values["feed_items"],
        content_warnings=values["content_warnings"],
        fold_content_warnings=values["fold_content_warnings"],
        quick_exit_url=values["quick_exit_url"],
        max_file_bytes=values["max_file_bytes"],
        max_image_bytes=values["max_image_bytes"],
        withdrawn=values["withdrawn"],
        private_recipients=values["private_recipients"],
        private_records=values["private_records"],
    )
    return config, ()


def template_dirs(config: SiteConfig) -> list[str]:
    """The site's own templates folder when it has one, then Chorus's."""
    dirs = [config.templates_dir] if config.templates_dir.is_dir() else []
    return [str(d) for d in dirs + [PROJECT_TEMPLATES]]
