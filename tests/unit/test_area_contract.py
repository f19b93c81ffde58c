"""The import-linter contract that keeps the service areas apart (tools/area_contract.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import grimp
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tools.area_contract import AreaContract

OPTIONS = {
    "container": "app.services",
    "areas": ["billing", "records"],
    "public": ["facade", "ports"],
}


def _graph(*imports: tuple[str, str]) -> grimp.ImportGraph:
    graph = grimp.ImportGraph()
    for module in ("app", "app.services", "app.services.billing", "app.services.records"):
        graph.add_module(module)
    for importer, imported in imports:
        graph.add_import(importer=importer, imported=imported, line_number=3, line_contents="-")
    return graph


def _check(graph: grimp.ImportGraph) -> list[dict[str, object]]:
    contract = AreaContract(name="areas", session_options={}, contract_options=OPTIONS)
    result = contract.check(graph, verbose=False)
    broken: list[dict[str, object]] = result.metadata["broken"]
    assert result.kept == (not broken)
    return broken


@pytest.mark.parametrize("public", ["facade", "ports"])
def test_another_areas_facade_and_ports_may_be_imported(public: str) -> None:
    graph = _graph(("app.services.billing.invoices", f"app.services.records.{public}"))

    assert _check(graph) == []


def test_an_area_may_import_its_own_modules_and_the_shared_kernel() -> None:
    graph = _graph(
        ("app.services.billing.invoices", "app.services.billing.tariffs"),
        ("app.services.billing.invoices", "app.services.audit"),
    )

    assert _check(graph) == []


def test_another_areas_internal_module_breaks_the_contract_naming_the_import() -> None:
    graph = _graph(("app.services.billing.invoices", "app.services.records.patients"))

    assert _check(graph) == [
        {
            "importer": "app.services.billing.invoices",
            "imported": "app.services.records.patients",
            "line": 3,
        }
    ]
