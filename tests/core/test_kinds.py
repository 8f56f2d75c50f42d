"""The kinds table (generator/core/kinds.py) is what the stages ask; these check that each row
holds together, so a new kind that forgets a piece fails here rather than in a reader's browser."""

import json

from generator.core import schema
from generator.core.kinds import ITEM_KINDS, KINDS
from generator.output.export import COLUMNS
from generator.output.routes import BY_NAME
from tests.conftest import PROJECT, build_site


def test_every_kind_names_its_own_model_folder_and_existing_template():
    for kind in KINDS.values():
        assert kind.model.kind == kind.name and kind.model.folder == kind.folder
        assert kind.fields in (schema.ARTICLE, schema.TESTIMONY, schema.PAGE)
        if kind.template is not None:
            assert (PROJECT / "templates" / kind.template).is_file(), kind.template
    assert BY_NAME["item"].template == "{kind}.html"


def test_export_columns_are_columns_and_kinds_differ_only_where_they_say(tmp_path):
    for kind in ITEM_KINDS:
        assert kind.export_columns <= set(COLUMNS)
    report = build_site(PROJECT / "tests" / "fixtures" / "basic", tmp_path / "out", use_cache=False)
    assert not report.failed(), report.errors
    items = json.loads((tmp_path / "out" / "data" / "items.json").read_text(encoding="utf-8"))["items"]
    by_kind = {row["kind"]: row for row in items}
    assert by_kind["article"]["source"] and by_kind["article"]["pseudonym"] is None
    assert by_kind["testimony"]["pseudonym"] and by_kind["testimony"]["source"] is None
    # A testimony is dated to the month in the export too.
    assert len(by_kind["testimony"]["date"]) == len("2018-02")
    for row in items:
        assert row["url"].endswith(f"/{KINDS[row['kind']].folder}/{row['slug']}/")
