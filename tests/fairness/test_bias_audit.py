"""The bias audit finds a disparity planted in synthetic data, flags it, and marks what it cannot
judge; admins alone read it, as a page and as CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from agency.extensions import db
from agency.models import Role
from agency.services import bias_audit, demo

TODAY = date.today()
MONTH = (TODAY - timedelta(days=30), TODAY)


def _group(table: bias_audit.CategoryTable, label: str) -> bias_audit.GroupResult:
    return next(g for g in table.groups if g.label == label)


def test_the_planted_selection_gap_is_found_and_flagged(planted: list[int]) -> None:
    report = bias_audit.report(*MONTH)
    assert report.selection.population == 51
    sex = report.selection.table("sex")
    men, women = _group(sex, "Male"), _group(sex, "Female")
    # The man selected once and rejected later counts as selected; the old placement of a
    # rejected woman lies outside the period and does not.
    assert (men.n, men.hits, men.rate) == (20, 10, 0.5)
    assert (women.n, women.hits, women.rate) == (20, 4, 0.2)
    assert men.impact_ratio == 1.0 and men.status == "ok"
    assert women.impact_ratio == pytest.approx(0.4) and women.status == "flagged"
    # Three people, all selected: shown with their rate, too few to judge, never the reference.
    few = _group(sex, "Another sex or gender identity")
    assert (few.n, few.rate, few.status) == (3, 1.0, "too_small")
    assert few.impact_ratio == pytest.approx(2.0)
    # Declined and never answered are counted apart, not compared.
    declined, missing = _group(sex, "Prefer not to say"), _group(sex, "Not answered")
    assert (declined.n, declined.status, declined.impact_ratio) == (4, "unknown", None)
    assert (missing.n, missing.status) == (4, "unknown")


def test_race_without_a_gap_is_not_flagged_but_the_intersection_is(planted: list[int]) -> None:
    report = bias_audit.report(*MONTH)
    race = report.selection.table("race_ethnicity")
    assert race.flagged == []
    white, black = _group(race, "White"), _group(race, "Black or African American")
    assert white.rate == black.rate == pytest.approx(7 / 20)
    # An answer nobody gave is listed, as too few to judge.
    assert _group(race, "Hispanic or Latino").n == 0
    crossed = report.selection.table("sex+race_ethnicity")
    assert crossed.title == "Sex and race/ethnicity"
    assert report.selection.tables.index(crossed) == len(bias_audit.CATEGORIES)  # first pair
    flagged = {g.label for g in crossed.flagged}
    assert flagged == {"Female · White", "Female · Black or African American"}
    assert _group(crossed, "Male · White").impact_ratio == 1.0


def test_the_scoring_rate_compares_best_scores_with_the_median(planted: list[int]) -> None:
    report = bias_audit.report(*MONTH)
    assert report.median_score == 60.0
    sex = report.scoring.table("sex")
    assert _group(sex, "Male").rate == 1.0
    women = _group(sex, "Female")
    assert women.rate == 0.25 and women.impact_ratio == 0.25 and women.flagged
    assert report.flagged_count >= 4


def test_a_period_without_activity_is_an_empty_report_not_an_error(planted: list[int]) -> None:
    long_ago = TODAY - timedelta(days=2000)
    report = bias_audit.report(long_ago, long_ago + timedelta(days=30))
    assert report.selection.population == 0 and report.median_score is None
    assert report.flagged_count == 0


def test_the_csv_holds_every_row_the_page_shows(planted: list[int]) -> None:
    report = bias_audit.report(*MONTH)
    rows = list(csv.DictReader(io.StringIO(bias_audit.to_csv(report))))
    women = next(
        r
        for r in rows
        if r["metric"] == "selection" and r["category"] == "Sex" and r["group"] == "Female"
    )
    assert women["people"] == "20" and women["rate"] == "0.200"
    assert women["impact_ratio"] == "0.400" and women["note"] == "impact ratio under 0.8"
    groups = sum(len(t.groups) for m in report.metrics for t in m.tables)
    assert len(rows) == groups


@pytest.fixture
def admin(make_user: Any) -> Any:
    return make_user(Role.ADMIN)


def test_the_admin_page_shows_the_flag_and_links_the_csv(
    client: FlaskClient, login_as: Any, admin: Any, planted: list[int]
) -> None:
    login_as(admin)
    start, end = MONTH
    page = client.get(f"/staff/admin/bias-audit?start={start}&end={end}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Flagged: impact ratio under 0.8" in html and "too few to judge" in html
    assert "Selection rate by sex and race/ethnicity" in html
    export = client.get(f"/staff/admin/bias-audit.csv?start={start}&end={end}")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    assert "attachment" in export.headers["Content-Disposition"]
    assert "Female,20,4,0.200,0.400" in export.get_data(as_text=True)


def test_a_period_ending_before_it_starts_is_an_error_next_to_the_field(
    client: FlaskClient, login_as: Any, admin: Any
) -> None:
    login_as(admin)
    page = client.get("/staff/admin/bias-audit?start=2026-05-01&end=2026-04-01")
    assert page.status_code == 200
    assert "The end of the period is before its start." in page.get_data(as_text=True)
    assert client.get("/staff/admin/bias-audit?start=nonsense").status_code == 200
    assert client.get("/staff/admin/bias-audit.csv?start=nonsense").status_code == 400


@pytest.mark.parametrize("role", [Role.STAFF, Role.CLINIC, Role.CANDIDATE])
def test_only_admins_read_the_audit(
    client: FlaskClient, login_as: Any, make_user: Any, role: Role
) -> None:
    login_as(make_user(role))
    assert client.get("/staff/admin/bias-audit").status_code == 403
    assert client.get("/staff/admin/bias-audit.csv").status_code == 403


def test_the_demo_gives_the_report_something_to_show(app: Flask) -> None:
    demo.seed(n_candidates=60, n_openings=8, n_clinics=3)
    db.session.commit()
    report = bias_audit.report(TODAY - timedelta(days=365), TODAY)
    sex = report.selection.table("sex")
    answered = [g for g in sex.groups if g.status != "unknown"]
    assert sum(g.n for g in answered) > 0
    assert _group(sex, "Prefer not to say").n + _group(sex, "Not answered").n > 0
