"""Server-drawn charts: a month with nothing to measure is not drawn as zero."""

from __future__ import annotations

from agency.services import charts


def test_a_month_without_fills_has_no_bar_and_says_none() -> None:
    svg = str(
        charts.column_chart(
            "ttf",
            "Average days to fill",
            ["Jan", "Feb", "Mar"],
            [charts.Series("Days to fill", [None, 12.5, None])],
            unit="d",
        )
    )
    assert "0d" not in svg
    assert svg.count("<rect") == 1 and "Feb: 12.5d" in svg
    assert "Days to fill: Jan none, Feb 12.5d, Mar none" in svg


def test_a_real_zero_is_still_drawn() -> None:
    svg = str(charts.column_chart("p", "Placements", ["W1", "W2"], [charts.Series("P", [0, 3])]))
    assert svg.count("<rect") == 2 and "W1: 0" in svg
