"""An import-linter contract for Keel's rule that domains meet only at their public surface.

A module in `app.domains.<a>` may import from `app.domains.<b>` only the modules named in
`public_modules` (services, schemas, errors and dependencies): never `<b>`'s models or
repository. Written once here so that a new domain is covered without editing the config.
"""

from typing import Any

import grimp
from importlinter import Contract, ContractCheck, fields, output


class DomainBoundaryContract(Contract):
    type_name = "domain_boundaries"

    domains_package = fields.StringField()
    public_modules = fields.ListField(subfield=fields.StringField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        package = str(self.domains_package)
        public = {str(name) for name in self.public_modules}  # type: ignore[attr-defined]
        violations: list[dict[str, Any]] = []
        for importer in sorted(graph.find_descendants(package)):
            importer_domain = _domain_of(importer, package)
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                imported_domain = _domain_of(imported, package)
                if imported_domain in (None, importer_domain):
                    continue
                surface = imported.removeprefix(f"{package}.{imported_domain}").lstrip(".").split(".")[0]
                if surface not in public:
                    details = graph.get_import_details(importer=importer, imported=imported)
                    lines = sorted({detail["line_number"] for detail in details})
                    violations.append({"importer": importer, "imported": imported, "lines": lines})
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for violation in check.metadata["violations"]:
            lines = ", ".join(f"l.{line}" for line in violation["lines"])
            output.print_error(f"{violation['importer']} -> {violation['imported']} ({lines})", bold=False)
        output.new_line()
        output.print_error(
            f"Import another domain only through its {', '.join(self.public_modules)} modules.",  # type: ignore[call-overload]
            bold=False,
        )


def _domain_of(module: str, package: str) -> str | None:
    if not module.startswith(f"{package}."):
        return None
    return module.removeprefix(f"{package}.").split(".")[0]
