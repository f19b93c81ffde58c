"""docs/settings.md is generated from the Settings models and lists every variable."""

from __future__ import annotations

import re
from pathlib import Path

from needlepoint.entrypoints.cli.settings_doc import settings_markdown

PAGE = Path(__file__).resolve().parents[2] / "docs" / "settings.md"
SRC = Path(__file__).resolve().parents[2] / "src"


def test_the_settings_page_is_up_to_date() -> None:
    checked_in = PAGE.read_text(encoding="utf-8")

    assert checked_in == settings_markdown(), (
        "docs/settings.md is stale: run `make docs` and commit docs/settings.md"
    )


def test_every_variable_the_code_names_has_a_row() -> None:
    named = {
        name
        for path in SRC.rglob("*.py")
        for name in re.findall(r"NEEDLEPOINT_[A-Z_]+\*?", path.read_text(encoding="utf-8"))
        if not name.endswith(("_", "*"))  # NEEDLEPOINT_SMTP_* names a group, not a variable
    }
    rows = set(re.findall(r"^\| `(NEEDLEPOINT_[A-Z_]+)` \|", settings_markdown(), re.MULTILINE))

    assert sorted(named - rows) == []


def test_every_row_has_a_type_a_default_and_a_description() -> None:
    rows = [line for line in settings_markdown().splitlines() if line.startswith("| `")]

    # AUDIT_KEY 22, HTTPS_ONLY 23, BREAK_GLASS_MINUTES 24, REAUTH_MINUTES and ADMIN_TWO_STEP 26,
    # the field and backup keys (ADR 0039) 29, API_TOKEN_DAYS (ADR 0037) 30,
    # ANALYTICS_FEW_PATIENTS (ADR 0045) 31
    assert len(rows) == 31
    assert [r for r in rows if "| |" in r or "None |" in r or "PydanticUndefined" in r] == []
