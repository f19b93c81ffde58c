"""An import-linter contract: areas meet only at their public modules.

``services/<area>/`` packages may import another area only through its ``facade`` (the use
cases and the steps other areas run inside their own transactions) or its ``ports`` (the
protocols of its repositories and unit of work). Everything else in an area is its own.
ADR 0025 explains the areas; ``pyproject.toml`` configures the contract.
"""

from __future__ import annotations

from typing import cast

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output


class AreaContract(Contract):
    """Another area is imported only through its public modules.

    Configuration: ``container`` (the package holding the areas), ``areas`` (their names)
    and ``public`` (the submodules another area may import).
    """

    type_name = "areas"

    container = fields.StringField()
    areas = fields.ListField(subfield=fields.StringField())
    public = fields.ListField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:  # noqa: ARG002
        """Every direct import from one area into another's non-public module."""
        container = str(self.container)
        areas = [str(a) for a in cast("list[str]", self.areas)]
        public = {str(p) for p in cast("list[str]", self.public)}
        broken = []
        for area in areas:
            package = f"{container}.{area}"
            for importer in sorted(graph.find_descendants(package) | {package}):
                for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                    owner = _area_of(imported, container, areas)
                    if owner in (None, area) or _is_public(imported, container, owner, public):
                        continue
                    lines = graph.get_import_details(importer=importer, imported=imported)
                    line = lines[0]["line_number"] if lines else 0
                    broken.append({"importer": importer, "imported": imported, "line": line})
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        """One line per import that crosses into another area's internals."""
        for item in check.metadata["broken"]:
            output.print_error(
                f"{item['importer']} -> {item['imported']} (l.{item['line']}): "
                "import the area's facade (or its ports) instead",
                bold=False,
            )
            output.new_line()


def _area_of(module: str, container: str, areas: list[str]) -> str | None:
    prefix = f"{container}."
    if not module.startswith(prefix):
        return None
    first = module[len(prefix) :].split(".", 1)[0]
    return first if first in areas else None


def _is_public(module: str, container: str, area: str, public: set[str]) -> bool:
    rest = module[len(f"{container}.{area}") :].lstrip(".")
    return rest == "" or rest.split(".", 1)[0] in public
