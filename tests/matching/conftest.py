"""Fixtures wrapping the plain factories in engine_factories (no app, no database)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from engine_factories import make_candidate_plain, make_opening_plain

from matching.features import CandidateProfile, OpeningSpec


@pytest.fixture
def make_candidate() -> Callable[..., CandidateProfile]:
    return make_candidate_plain


@pytest.fixture
def make_opening() -> Callable[..., OpeningSpec]:
    return make_opening_plain
