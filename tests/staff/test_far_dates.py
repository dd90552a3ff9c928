"""Dates at the edge of the calendar: a page that works out the day or week after a typed date
answers with an error by the field (or today's page), never a 500."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_a_report_period_in_year_9999_is_an_error_by_the_field(client: FlaskClient, admin) -> None:
    response = client.get("/staff/admin/bias-audit?start=9999-12-30&end=9999-12-31")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Enter a date between 1900 and 2199." in html
    assert 'value="9999-12-31"' in html  # what was typed is kept


def test_week_pages_fall_back_to_this_week_for_far_dates(client: FlaskClient, staff) -> None:
    for url in ("/staff/shifts?week=9999-12-31", "/staff/money?week=9999-12-31"):
        far = client.get(url)
        assert far.status_code == 200, url
        assert "9999" not in far.get_data(as_text=True), url
    assert client.get("/staff/shifts?week=0001-01-01").status_code == 200
