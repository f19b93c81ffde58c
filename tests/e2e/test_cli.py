"""The needlepoint command, end to end, through Typer's runner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from conftest import EXAMPLES, TODAY, expected_decision
from fakes import FixedClock
from needlepoint.bootstrap import bootstrap, consulting
from needlepoint.entrypoints.cli import main as cli

runner = CliRunner()


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's composition root uses the system clock; pin it to the suite's today."""
    monkeypatch.setattr(cli, "bootstrap", lambda: bootstrap(clock=FixedClock(TODAY)))
    monkeypatch.setattr(cli, "consulting", lambda: consulting(clock=FixedClock(TODAY)))


def _json(*args: str) -> dict[str, Any]:
    result = runner.invoke(cli.app, ["consult", *args, "--json"])
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_there_are_at_least_eight_examples_covering_every_decision() -> None:
    decisions = {expected_decision(p) for p in EXAMPLES}

    assert len(EXAMPLES) >= 8
    assert decisions == {"proceed", "needs_clearance", "defer", "decline"}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_each_example_reaches_the_decision_its_name_states(example: Path) -> None:
    report = _json(str(example), "--appointment", "2026-12-07T10:00")

    assert report["decision"] == expected_decision(example)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_the_readable_report_puts_the_decision_first(example: Path) -> None:
    result = runner.invoke(cli.app, ["consult", str(example)])

    assert result.exit_code == 0, result.output
    first_lines = "\n".join(result.stdout.splitlines()[:3]).upper()
    assert expected_decision(example).replace("_", " ").upper() in first_lines


def test_json_records_every_knowledge_table_version() -> None:
    report = _json(str(EXAMPLES[0]))

    assert {"contraindications", "needle_depths", "scales", "care", "sources"} <= set(
        report["knowledge_versions"]
    )


def test_an_appointment_anchors_the_care_timeline() -> None:
    report = _json(str(EXAMPLES[0]), "--appointment", "2026-12-07T10:00")

    assert report["first_session_at"] == "2026-12-07T10:00+00:00"
    assert report["series"]["dated"][0]["on"] == "2026-12-07"
    assert all(i["ends_at"] <= "2026-12-07T10:00+00:00" for i in report["care"]["pre"])


def test_a_deferred_patient_gets_no_dated_series_and_no_timeline() -> None:
    report = _json(str(next(p for p in EXAMPLES if "defer" in p.stem)))

    assert report["series"] is None
    assert report["care"] == {"pre": [], "post": []}


def test_hair_loss_is_reported_as_out_of_scope() -> None:
    report = _json(str(next(p for p in EXAMPLES if "hair-loss" in p.stem)))

    assert report["out_of_scope"][0]["indication"] == "hair_loss"
    assert "outside" in report["out_of_scope"][0]["note"]


def test_a_suspicious_lesion_on_the_chin_defers_the_cheeks_too() -> None:
    report = _json(str(next(p for p in EXAMPLES if "suspicious-lesion" in p.stem)))

    assert report["decision"] == "defer"
    assert report["series"] is None
    assert report["plan"]["zones"] == []
    assert "no contraindication" not in report["decision_summary"].lower()
    assert "Refer for a diagnosis" in report["decision_summary"]
    (lesion,) = report["findings"]
    assert lesion["rule_id"] == "suspicious-lesion-in-zone"
    assert lesion["zones"] == ["chin"]
    assert lesion["holds_programme"] is True


def test_the_readable_report_says_a_suspected_skin_cancer_holds_every_zone() -> None:
    example = next(p for p in EXAMPLES if "suspicious-lesion" in p.stem)

    result = runner.invoke(cli.app, ["consult", str(example)], env={"COLUMNS": "200"})

    assert result.exit_code == 0, result.output
    assert "holds every zone until resolved" in result.stdout
    assert "No contraindication" not in result.stdout


def test_a_recent_filler_starts_the_series_when_its_wait_ends_without_clearance_first() -> None:
    report = _json(str(next(p for p in EXAMPLES if "recent-filler" in p.stem)))

    (filler,) = report["findings"]
    first = filler["first_session"]
    assert report["decision"] == "needs_clearance"
    assert report["series"]["dated"][0]["on"] == filler["clears_on"] == "2026-11-23"
    assert first["standing"] == "wait_ends_by_first_session"
    assert report["series"]["clearance_before_first_session"] is False
    assert "before the first session" not in report["decision_summary"]
    assert "starts on or after 2026-11-23" in report["decision_summary"]


def test_an_appointment_after_the_isotretinoin_wait_keeps_the_cold_sores_to_clear_first() -> None:
    example = next(p for p in EXAMPLES if "recent-isotretinoin" in p.stem)

    report = _json(str(example), "--appointment", "2027-03-01T10:00")

    summary = report["decision_summary"]
    assert report["series"]["dated"][0]["on"] == "2027-03-01"
    assert "must clear cold-sore-history before the first session (2027-03-01)" in summary
    assert "isotretinoin-recent ends on 2027-02-14, so the series starts on or after" in summary
    assert report["series"]["clearance_before_first_session"] is True


def test_the_readable_report_gives_each_finding_its_first_session_words() -> None:
    example = next(p for p in EXAMPLES if "recent-isotretinoin" in p.stem)

    result = runner.invoke(cli.app, ["consult", str(example)], env={"COLUMNS": "200"})

    assert result.exit_code == 0, result.output
    assert "Its waiting period ends on 2027-02-14, no later than the first session" in result.stdout
    assert "A clinician must clear this before the first session (2027-02-14)." in result.stdout
    assert "must clear the findings below" not in result.stdout


def test_every_cited_source_is_listed_with_its_citation() -> None:
    report = _json(str(EXAMPLES[0]), "--appointment", "2026-12-07T10:00")

    assert report["sources"]
    assert "(unknown source)" not in report["sources"].values()


def test_a_malformed_file_exits_2_naming_the_field_without_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLES[0].read_text().replace("fitzpatrick: 3", "fitzpatrick: 7"))

    result = runner.invoke(cli.app, ["consult", str(bad)])

    assert result.exit_code == 2
    assert "patient.fitzpatrick" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_broken_yaml_exits_2_with_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("consulted_on: 2026-11-16\npatient: [unclosed\n")

    result = runner.invoke(cli.app, ["consult", str(bad)])

    assert result.exit_code == 2
    assert "line" in result.stderr


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(cli.app, ["consult", str(tmp_path / "nope.yaml")])

    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_json_input_is_accepted(tmp_path: Path) -> None:
    as_json = tmp_path / "consultation.json"
    as_json.write_text(json.dumps(yaml.safe_load(EXAMPLES[0].read_text()), default=str))

    report = _json(str(as_json))

    assert report["decision"] == "proceed"


def test_an_appointment_before_the_consultation_is_refused() -> None:
    result = runner.invoke(
        cli.app, ["consult", str(EXAMPLES[0]), "--appointment", "2026-01-01T10:00"]
    )

    assert result.exit_code == 2
    assert "appointment" in result.stderr


def test_an_appointment_that_is_not_a_date_is_refused() -> None:
    result = runner.invoke(cli.app, ["consult", str(EXAMPLES[0]), "--appointment", "next tuesday"])

    assert result.exit_code == 2
    assert "YYYY-MM-DDTHH:MM" in result.stderr


def test_a_wall_time_in_the_spring_forward_gap_is_refused() -> None:
    result = runner.invoke(
        cli.app, ["consult", str(EXAMPLES[0]), "--appointment", "2027-03-28T01:30"]
    )

    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_schema_prints_the_json_schema() -> None:
    result = runner.invoke(cli.app, ["schema"])

    schema = json.loads(result.stdout)
    assert result.exit_code == 0
    assert {"patient", "history", "treatments"} <= set(schema["properties"])


def test_knowledge_lists_every_table_with_its_version() -> None:
    result = runner.invoke(cli.app, ["knowledge"])

    assert result.exit_code == 0
    for table in ("contraindications", "needle_depths", "protocols", "care", "scales"):
        assert table in result.stdout


def test_knowledge_lists_one_tables_rows() -> None:
    result = runner.invoke(cli.app, ["knowledge", "contraindications"])

    assert result.exit_code == 0
    assert "isotretinoin-current" in result.stdout


def test_an_unknown_knowledge_table_exits_2() -> None:
    result = runner.invoke(cli.app, ["knowledge", "horoscopes"])

    assert result.exit_code == 2


def test_preparation_that_should_have_begun_before_the_consultation_is_flagged() -> None:
    report = _json(str(EXAMPLES[0]), "--appointment", "2026-11-23T10:00")

    short = [i["topic"] for i in report["care"]["pre"] if i["short_lead_time"]]
    assert short
    assert all(not i["short_lead_time"] for i in report["care"]["post"])


def test_the_readable_report_marks_every_unverified_score() -> None:
    result = runner.invoke(cli.app, ["consult", str(EXAMPLES[0])], env={"COLUMNS": "200"})

    scores = result.stdout.split("Scar scores", 1)[1].split("Plan", 1)[0]
    overall = next(line for line in scores.splitlines() if "overall" in line)
    # Grade 3 wording is verified; the GB quantitative table and the ECCA weights are not.
    assert "8/84 †unverified" in overall
    assert "90/540 †unverified" in overall
    assert "3 (moderate) †" not in overall


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = EXAMPLES[0].read_text()
    assert old in text
    path = tmp_path / "variant.yaml"
    path.write_text(text.replace(old, new, 1))
    return path


def test_markup_typed_into_a_text_field_is_shown_as_text(tmp_path: Path) -> None:
    path = _variant(tmp_path, "name: Harbour Skin Clinic", "name: 'Clinic [/bold] [red]A'")

    result = runner.invoke(cli.app, ["consult", str(path)], env={"COLUMNS": "200"})

    assert result.exit_code == 0, result.output
    assert "Clinic [/bold] [red]A" in result.stdout


def test_a_drug_name_with_markup_is_reported_literally(tmp_path: Path) -> None:
    path = _variant(
        tmp_path, "  topical_actives: [retinoid]", "  photosensitising_drugs: ['[bold]DOXY']"
    )

    result = runner.invoke(cli.app, ["consult", str(path)], env={"COLUMNS": "200"})

    assert result.exit_code == 0, result.output
    assert "[bold]DOXY" in result.stdout


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("consulted_on: 2026-11-16", "consulted_on: 0001-01-05", "consulted_on"),
        ("born_on: 1997-04-22", "born_on: 1890-04-22", "patient.born_on"),
        (
            "isotretinoin: {status: never}",
            "isotretinoin: {status: stopped, stopped_on: 1990-01-01}",
            "history.isotretinoin.stopped_on",
        ),
    ],
)
def test_impossible_dates_are_refused_by_name(
    tmp_path: Path, old: str, new: str, field: str
) -> None:
    result = runner.invoke(cli.app, ["consult", str(_variant(tmp_path, old, new))])

    assert result.exit_code == 2
    assert field in result.stderr
    assert "Traceback" not in result.output


def test_a_far_future_appointment_is_refused() -> None:
    result = runner.invoke(
        cli.app, ["consult", str(EXAMPLES[0]), "--appointment", "9999-12-31T10:00"]
    )

    assert result.exit_code == 2
    assert "two years" in result.stderr


def test_a_folder_given_as_the_file_is_named_as_a_folder(tmp_path: Path) -> None:
    result = runner.invoke(cli.app, ["consult", str(tmp_path)])

    assert result.exit_code == 2
    assert "is a folder" in result.stderr


def test_consult_reads_no_setting_but_the_session_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEEDLEPOINT_PORTAL_LINK_MINUTES", "1441")
    monkeypatch.setenv("NEEDLEPOINT_DEFAULT_SESSION_TIME", "14:30")

    report = _json(str(EXAMPLES[0]))
    refused = runner.invoke(cli.app, ["db", "upgrade"])

    assert report["appointment_provisional"] is True
    assert report["first_session_at"].startswith(report["series"]["dated"][0]["on"] + "T14:30")
    assert refused.exit_code == 3
    assert "NEEDLEPOINT_PORTAL_LINK_MINUTES" in refused.stderr


def test_an_unusable_setting_exits_3_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEEDLEPOINT_DEFAULT_SESSION_TIME", "nine")

    result = runner.invoke(cli.app, ["consult", str(EXAMPLES[0])])

    assert result.exit_code == 3
    assert "NEEDLEPOINT_DEFAULT_SESSION_TIME" in result.stderr
