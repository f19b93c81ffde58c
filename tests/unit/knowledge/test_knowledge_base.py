"""The knowledge base as a whole: cited, versioned, consistent and documented."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from needlepoint.domain.programme import ClinicalKnowledge
from needlepoint.domain.vocabulary import Zone
from needlepoint.knowledge import catalogue, files, reference

DOCS = Path(__file__).resolve().parents[3] / "docs"
DATA = Path(files.__file__).resolve().parent / "data"
SNAPSHOT_PATH = DATA / files.SNAPSHOT


def _known_sources() -> set[str]:
    return {s.id for s in catalogue.sources().sources}


def test_every_row_cites_a_known_source() -> None:
    known = _known_sources()

    unknown = [
        (table, row_id, source)
        for table, row_id, row in catalogue.cited_rows()
        for source in row.sources
        if source not in known
    ]

    assert unknown == []


def test_no_source_is_unused() -> None:
    cited = {s for _, _, row in catalogue.cited_rows() for s in row.sources}

    assert _known_sources() - cited == set()


def test_source_ids_are_unique() -> None:
    ids = [s.id for s in catalogue.sources().sources]

    assert len(ids) == len(set(ids))


def test_row_ids_are_unique_within_each_table() -> None:
    seen: dict[tuple[str, str], int] = {}
    for table, row_id, _ in catalogue.cited_rows():
        seen[(table, row_id)] = seen.get((table, row_id), 0) + 1

    assert [key for key, count in seen.items() if count > 1] == []


def test_rule_ids_are_unique_and_kebab_case() -> None:
    ids = [r.id for r in catalogue.load_knowledge().ruleset.rules]

    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) for i in ids)


def test_every_table_file_has_a_version() -> None:
    versions = catalogue.table_versions()

    assert set(versions) == set(files.table_names())
    assert all(versions.values())


def test_every_range_is_ordered() -> None:
    knowledge: ClinicalKnowledge = catalogue.load_knowledge()
    tables = knowledge.planning

    for row in tables.depths:
        assert row.depth is None or row.depth.min_mm <= row.depth.max_mm
    for protocol in tables.protocols:
        s, i = protocol.sessions, protocol.interval
        assert s.min_count <= s.default_count <= s.max_count
        assert i.min_days <= i.default_days <= i.max_days
    for template in knowledge.care.templates:
        assert template.start_offset_hours <= template.end_offset_hours


def test_every_zone_has_a_limit_and_no_plan_reaches_inside_the_orbital_rim() -> None:
    tables = catalogue.load_knowledge().planning

    assert set(tables.zones) == set(Zone)
    assert tables.zones[Zone.EYELIDS].max_depth_mm is None
    assert not [r for r in tables.depths if r.zone is Zone.EYELIDS and r.depth is not None]


def test_every_finding_adjustment_names_a_real_rule() -> None:
    knowledge = catalogue.load_knowledge()
    rule_ids = {r.id for r in knowledge.ruleset.rules}

    assert {a.rule_id for a in knowledge.planning.finding_adjustments} <= rule_ids


def test_unverified_rows_are_reported_in_the_table_listing() -> None:
    listing = {t.name: t for t in catalogue.describe_tables()}

    assert listing["scales"].unverified_rows > 0


def test_every_table_is_described_in_the_docs() -> None:
    text = (DOCS / "knowledge.md").read_text(encoding="utf-8")

    assert [t for t in files.table_names() if f"`{t}.yaml`" not in text] == []


def test_the_rendered_tables_in_the_docs_are_up_to_date() -> None:
    checked_in = (DOCS / "knowledge-tables.md").read_text(encoding="utf-8")

    assert checked_in == reference.render_markdown(), "run `make docs` and commit the result"


def test_every_rule_appears_in_the_rendered_tables() -> None:
    text = reference.render_markdown()
    rules = catalogue.load_knowledge().ruleset.rules

    assert [r.id for r in rules if f"`{r.id}`" not in text] == []


def test_the_parsed_snapshot_matches_the_yaml_tables() -> None:
    snapshot = (SNAPSHOT_PATH).read_text(encoding="utf-8")

    assert snapshot == files.snapshot_json(), "run `make docs` and commit the result"


def test_the_snapshot_gives_exactly_what_parsing_the_yaml_gives() -> None:
    stored = json.loads(SNAPSHOT_PATH.read_text(encoding="utf-8"))["tables"]

    for name in files.table_names():
        from_yaml = yaml.safe_load((DATA / f"{name}.yaml").read_text(encoding="utf-8"))
        assert json.loads(json.dumps(from_yaml, default=str)) == stored[name], name
