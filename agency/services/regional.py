"""The agency's own country's taxonomy: what its forms offer and its readers of text find."""

from __future__ import annotations

from flask import current_app

from matching.taxonomy import Taxonomy, regional_taxonomy


def country() -> str:
    return str(current_app.config.get("COUNTRY", "US"))


def taxonomy() -> Taxonomy:
    """Credentials and EHR systems of the agency's country (and those used everywhere)."""
    return regional_taxonomy(country())
