"""The job board's result cards, each rendered once per version of its opening and clinic.

A card shows only the opening's and its clinic's own columns (and the distance searched from),
and both rows stamp `updated_at` on every change, so a card keyed by those stamps is never
stale. Rendering the 20 cards was two thirds of the job board's template time; the board is
the most requested page.
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock
from typing import Any

from flask import render_template, request
from markupsafe import Markup

from agency.public import bp

MAX_CARDS = 4096  # a few MB at most; openings beyond it are rendered again when shown

_cards: OrderedDict[tuple[Any, ...], Markup] = OrderedDict()
_lock = Lock()


@bp.app_template_global()
def job_card(opening: Any, miles: float | None = None) -> Markup:
    clinic = opening.clinic
    key = (
        request.script_root,
        opening.id,
        opening.updated_at,
        clinic.id,
        clinic.updated_at,
        None if miles is None else f"{miles:.1f}",
    )
    with _lock:
        card = _cards.get(key)
        if card is not None:
            _cards.move_to_end(key)
            return card
    card = Markup(render_template("public/_job_card.html", o=opening, miles=miles))  # noqa: S704 (autoescaped template)
    with _lock:
        _cards[key] = card
        if len(_cards) > MAX_CARDS:
            _cards.popitem(last=False)
    return card
