"""Self-identification is out of the engine's reach: no import chain leads from `matching` or the
engine bridge to it, and the import-linter contract that guards this stays in pyproject.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
SELF_ID_MODULES = {"agency.models.self_id", "agency.services.self_id", "agency.services.bias_audit"}
ENGINE = {"matching", "agency.services.engine"}


def test_no_import_chain_leads_from_the_engine_to_self_identification() -> None:
    graph = grimp.build_graph("agency", "matching", "workers")
    for forbidden in SELF_ID_MODULES:
        assert forbidden in graph.modules, forbidden
        for source in ENGINE:
            importers = {source} | graph.find_descendants(source)
            for module in importers:
                chain = graph.find_shortest_chain(importer=module, imported=forbidden)
                assert chain is None, f"{module} reaches {forbidden}: {chain}"
    # The check can fail: the audit itself does read the answers.
    assert graph.find_shortest_chain(
        importer="agency.services.bias_audit", imported="agency.models.self_id"
    )


def test_the_contract_guarding_it_is_declared() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    guard = next(c for c in contracts if c["name"] == "the engine never reads self-identification")
    assert guard["type"] == "forbidden"
    assert set(guard["source_modules"]) >= ENGINE
    assert set(guard["forbidden_modules"]) == SELF_ID_MODULES
    assert not guard.get("allow_indirect_imports", False)
