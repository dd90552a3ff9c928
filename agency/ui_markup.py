"""Small UI helpers the templates call many times per page: icon, badge, score meter, role.

They were Jinja macros; a list of 20-25 rows calls them a hundred times, and a macro call costs
ten times a function call (bench/README.md). `templates/_macros/ui.html` re-exports them under
their old names and documents them; the markup is unchanged.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask import Flask, g, url_for
from markupsafe import Markup, escape

from agency.url_templates import id_url

BADGE_KINDS = frozenset({"success", "warning", "danger", "muted", "info", "primary"})
ROLE_LABELS = {
    "receptionist": "Medical receptionist",
    "secretary": "Medical secretary",
    "hybrid": "Receptionist & secretary",
}


def trusted_html(html: str) -> Markup:
    # For this module and field_markup: every value they interpolate goes through escape()
    # (or is WTForms' own Markup); Markup.format would escape for us but costs as much as the
    # macros these functions replaced.
    return Markup(html)  # noqa: S704


def css_classes(*names: str) -> str:
    """The non-empty names, space-separated."""
    return " ".join(n for n in names if n)


def _icons_href() -> str:
    href = g.get("_icons_href")
    if href is None:
        href = g._icons_href = url_for("static", filename="icons.svg")
    return str(href)


def icon(name: str, label: str | None = None, class_: str = "") -> Markup:
    """Decorative by default (aria-hidden); give `label` when the icon is the only content."""
    if not label:
        # A list page draws the same few decorative icons sixty times: build each once.
        return _decorative_icon(_icons_href(), name, class_)
    cls = css_classes("icon", class_)
    return trusted_html(
        f'<svg class="{escape(cls)}" width="24" height="24" role="img" '
        f'aria-label="{escape(label)}" focusable="false"><title>{escape(label)}</title>'
        f'<use href="{escape(_icons_href())}#{escape(name)}"></use></svg>'
    )


@lru_cache(maxsize=512)
def _decorative_icon(href: str, name: str, class_: str) -> Markup:
    cls = css_classes("icon", class_)
    return trusted_html(
        f'<svg class="{escape(cls)}" width="24" height="24" aria-hidden="true" focusable="false">'
        f'<use href="{escape(href)}#{escape(name)}"></use></svg>'
    )


def badge(text: Any, kind: str = "muted") -> Markup:
    kind = kind if kind in BADGE_KINDS else "muted"
    return trusted_html(f'<span class="badge badge-{kind}">{escape(text)}</span>')


def score_meter(
    value: Any, label: str = "Match score", show_value: bool = True, class_: str = ""
) -> Markup:
    """A 0-100 score as <meter> (no inline width: CSP-safe) with the number; None counts as 0.
    Colors: >= 75 green, 50-74 amber, < 50 red."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = 0.0
    v = max(0.0, min(100.0, v))
    shown = int(round(v, 0))
    cls = css_classes("score", class_)
    label_ = escape(label)
    number = f'<span class="score-value" aria-hidden="true">{shown}</span>' if show_value else ""
    return trusted_html(
        f'<span class="{escape(cls)}">\n'
        f'  <meter class="score-bar" min="0" max="100" low="50" high="75" optimum="100" '
        f'value="{v:.1f}"\n    aria-label="{label_}: {shown} out of 100" '
        f'title="{label_}: {shown}/100">{shown}/100</meter>{number}\n</span>'
    )


def role_label(role_type: Any) -> Markup:
    """Human wording for receptionist / secretary / hybrid."""
    key = str(getattr(role_type, "value", role_type))
    return escape(ROLE_LABELS.get(key, key.replace("_", " ").capitalize()))


def init_app(app: Flask) -> None:
    # ui.html re-exports them under their macro names, so templates keep importing from there.
    app.jinja_env.globals.update(
        ui_icon=icon, ui_badge=badge, ui_score_meter=score_meter, ui_role_label=role_label
    )
    # For links in loops: one rule-map lookup per page instead of one per row.
    app.jinja_env.globals["id_url"] = id_url
