"""The engine's words as pages and forms show them: the skills, credentials, EHR systems and
languages it knows (with their names), the labels of its score components, availability in
words. Blueprints and forms read them here, never from `matching` (an import contract)."""

from __future__ import annotations

from matching.features import describe_blocks
from matching.scorer import LABELS
from matching.taxonomy import Taxonomy, load_taxonomy

# What each score component is called on a breakdown.
COMPONENT_LABELS: dict[str, str] = LABELS


def taxonomy() -> Taxonomy:
    """The vocabulary shipped with the engine (loaded once: it never changes at run time)."""
    return load_taxonomy()


def name_of(code: str) -> str:
    """The display name of any skill, credential, EHR or language code."""
    return load_taxonomy().name_of(code)


def availability_in_words(mask: int) -> list[str]:
    """The weekly availability mask as "Mon morning", ... (empty when none)."""
    return describe_blocks(mask)
