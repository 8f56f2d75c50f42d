"""The fields' docs (core/schema.py), written out for people: the comments of a new file made by
`python -m generator new`, and the README's tables of fields. `python -m generator.fielddocs`
writes the tables into README.md between their marks; tests/test_docs.py checks they are current.
"""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

from generator.core import schema

WIDTH = 96
NESTED = {"consent": schema.CONSENT}  # fields whose value is a mapping with a schema of its own
_README_MARK = re.compile(r"(<!-- fields: (\w+) -->\n)(.*?)(<!-- /fields -->)", re.S)


def _comment(doc: str, indent: str = "") -> list[str]:
    plain = doc.replace("`", "")
    return textwrap.wrap(plain, WIDTH - len(indent) - 2, initial_indent=f"{indent}# ", subsequent_indent=f"{indent}# ",
                         break_on_hyphens=False)


def new_file_front_matter(kind: str, title: str = "") -> str:
    """The front matter of a new file of this kind: every field a new file shows, required ones
    first, each under its doc as a comment."""
    fields = [field for field in schema.BY_KIND[kind] if field.scaffold is not None]
    fields.sort(key=lambda field: not field.required)  # stable: the schema's order within each group
    what = "the testimony" if kind == "testimony" else "the text"
    lines = ["---", '# Fill in every field marked "required", write ' + what + " below the closing ---,",
             "# then run: python -m generator check"]
    for field in fields:
        lines += _comment(field.doc + (" Required." if field.required else ""))
        value = field.scaffold.replace("{title}", title)
        lines.append(f"{field.name}:{' ' + value if value else ''}")
        for nested in NESTED.get(field.name, ()):
            lines += _comment(nested.doc, "  ")
            lines.append(f"  {nested.name}:{' ' + nested.scaffold if nested.scaffold else ''}")
    return "\n".join(lines + ["---", ""])


def readme_table(kind: str) -> str:
    """The README's table of a kind's fields; a field documented exactly as the article's field of
    the same name is listed in one row, "as for articles"."""
    article = {field.name: field.doc for field in schema.ARTICLE}
    rows, same = [], []
    for field in schema.BY_KIND[kind]:
        if kind != "article" and article.get(field.name) == field.doc:
            same.append(field.name)
            continue
        meaning = field.doc
        if isinstance(field.default, str) and field.default:
            meaning += f" Default: `{field.default}`."
        rows.append((not field.required, f"| `{field.name}` |{' yes ' if field.required else ' '}| {meaning} |"))
    rows.sort(key=lambda row: row[0])  # required fields first, as in a new file
    lines = [line for _optional, line in rows]
    if same:
        lines.append(f"| {', '.join(f'`{name}`' for name in same)} | | as for articles |")
    return "\n".join(["| field | required | meaning |", "|---|---|---|", *lines, ""])


def with_tables(readme: str) -> str:
    """The README with each `<!-- fields: kind -->` block holding that kind's current table."""
    return _README_MARK.sub(lambda m: m.group(1) + readme_table(m.group(2)) + m.group(4), readme)


def main(argv: list[str]) -> int:
    path = Path(argv[0] if argv else "README.md")
    text = path.read_text(encoding="utf-8")
    updated = with_tables(text)
    if updated != text:
        path.write_text(updated, encoding="utf-8")
        print(f"{path}: field tables updated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
