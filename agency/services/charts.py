"""Small server-rendered SVG charts (no JavaScript, no inline styles: classes and attributes).

Each function returns safe markup: every label is escaped here, so templates can print it as is.
Colors come from `static/css/staff.css` through the `series-N` classes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 480
BAR_HEIGHT = 26
BAR_GAP = 10


@dataclass(frozen=True)
class Series:
    name: str
    # None: nothing to measure (a month without fills has no average): no bar, "none" in words.
    values: Sequence[float | None]


def _fmt(value: float, unit: str = "") -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".") if value % 1 else f"{int(value)}"
    return f"{text}{unit}"


def _open(chart_id: str, title: str, desc: str, width: int, height: int) -> list[str]:
    cid = escape(chart_id)
    return [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{cid}-title {cid}-desc" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
    ]


def hbar_chart(
    chart_id: str, title: str, bars: Sequence[tuple[str, float]], unit: str = ""
) -> Markup:
    """Horizontal bars, one per (label, value): the pipeline funnel, rankings."""
    label_w = 120
    plot_w = WIDTH - label_w - 60
    height = max(len(bars), 1) * (BAR_HEIGHT + BAR_GAP) + BAR_GAP
    top = max((v for _, v in bars), default=0) or 1
    desc = "; ".join(f"{label}: {_fmt(v, unit)}" for label, v in bars) or "No data yet."
    out = _open(chart_id, title, desc, WIDTH, height)
    for i, (label, value) in enumerate(bars):
        y = BAR_GAP + i * (BAR_HEIGHT + BAR_GAP)
        w = max(plot_w * value / top, 2 if value else 0)
        mid = y + BAR_HEIGHT / 2
        out.append(
            f'<text class="chart-label" x="{label_w - 8}" y="{mid:.1f}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(label)}</text>'
        )
        out.append(
            f'<rect class="chart-bar series-{i % 6}" x="{label_w}" y="{y}" width="{w:.1f}" '
            f'height="{BAR_HEIGHT}" rx="4"/>'
        )
        out.append(
            f'<text class="chart-value" x="{label_w + w + 6:.1f}" y="{mid:.1f}" '
            f'dominant-baseline="middle">{escape(_fmt(value, unit))}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 (every piece above is escaped)


def column_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    unit: str = "",
    height: int = 220,
) -> Markup:
    """Vertical columns per label, one column per series side by side, with a legend."""
    left, right, top_pad, bottom = 36, 8, 12, 44 if len(series) > 1 else 28
    plot_w, plot_h = WIDTH - left - right, height - top_pad - bottom
    n = max(len(labels), 1)
    peak = max((v for s in series for v in s.values if v is not None), default=0) or 1
    slot = plot_w / n
    col_w = max(min(slot * 0.7 / max(len(series), 1), 36), 2)
    parts = []
    for s in series:
        values = ", ".join(
            f"{label} {'none' if v is None else _fmt(v, unit)}"
            for label, v in zip(labels, s.values, strict=False)
        )
        parts.append(f"{s.name}: {values}" if values else f"{s.name}: no data")
    out = _open(chart_id, title, "; ".join(parts) or "No data yet.", WIDTH, height)
    base_y = top_pad + plot_h
    for frac in (0.5, 1.0):
        y = base_y - plot_h * frac
        out.append(
            f'<line class="chart-grid" x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        out.append(
            f'<text class="chart-axis" x="{left - 4}" y="{y:.1f}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(_fmt(round(peak * frac, 1), unit))}</text>'
        )
    out.append(
        f'<line class="chart-axis-line" x1="{left}" x2="{WIDTH - right}" '
        f'y1="{base_y}" y2="{base_y}"/>'
    )
    group_w = col_w * len(series)
    for i, label in enumerate(labels):
        x0 = left + i * slot + (slot - group_w) / 2
        for j, s in enumerate(series):
            value = s.values[i] if i < len(s.values) else 0
            if value is None:
                continue
            h = plot_h * value / peak
            out.append(
                f'<rect class="chart-bar series-{j % 6}" x="{x0 + j * col_w:.1f}" '
                f'y="{base_y - h:.1f}" width="{col_w - 1:.1f}" height="{h:.1f}">'
                f"<title>{escape(s.name)}, {escape(label)}: {escape(_fmt(value, unit))}</title>"
                "</rect>"
            )
        out.append(
            f'<text class="chart-axis" x="{left + i * slot + slot / 2:.1f}" y="{base_y + 14}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    if len(series) > 1:
        x = left
        for j, s in enumerate(series):
            out.append(
                f'<rect class="chart-bar series-{j % 6}" x="{x}" y="{height - 14}" '
                'width="10" height="10" rx="2"/>'
            )
            out.append(
                f'<text class="chart-legend" x="{x + 14}" y="{height - 5}">{escape(s.name)}</text>'
            )
            x += 24 + 7 * len(s.name)
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 (every piece above is escaped)
