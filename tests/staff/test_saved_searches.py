"""Saved searches: the search on screen saved by name, run again in one click, one owner's
alone; the daily alert lists the candidates who registered since and match, once a day, and
says nothing when there is nothing new."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from agency.extensions import db
from agency.models import OutboxMessage, Role, SavedSearch, utcnow
from agency.services import pools, saved_searches
from agency.services.pools import PoolError
from agency.services.saved_searches import SavedSearchError
from tests.conftest import login


def _alerts() -> list[OutboxMessage]:
    return list(
        db.session.execute(
            db.select(OutboxMessage).where(OutboxMessage.dedupe_key.like("saved-search-alert:%"))
        ).scalars()
    )


def _save(client: Any, name: str, query: str, alert: bool = True) -> SavedSearch:
    data = {"name": name, "query": query}
    if alert:
        data["alert"] = "y"
    response = client.post("/staff/saved-searches", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return db.session.execute(db.select(SavedSearch).where(SavedSearch.name == name)).scalar_one()


def test_the_search_page_saves_its_filters_and_runs_them_again(client, staff, scene) -> None:
    query = "role=receptionist&zip_code=02139&radius=25&availability=0&availability=3&page=2"
    page = client.get(f"/staff/candidates?{query}").get_data(as_text=True)
    assert "Save this search" in page
    assert 'name="query"' in page and "zip_code=02139" in page  # the filters ride along
    search = _save(client, "Cambridge front desk", query)
    assert search.filters == {
        "role": "receptionist",
        "zip_code": "02139",
        "radius": "25",
        "availability": ["0", "3"],
    }  # the page number is no filter
    listing = client.get("/staff/saved-searches").get_data(as_text=True)
    assert "Cambridge front desk" in listing
    run = client.get(f"/staff/saved-searches/{search.id}/run")
    assert run.status_code == 302
    args = parse_qs(urlsplit(run.headers["Location"]).query)
    assert args == {
        "role": ["receptionist"],
        "zip_code": ["02139"],
        "radius": ["25"],
        "availability": ["0", "3"],
    }
    assert client.get(run.headers["Location"]).status_code == 200


def test_bad_filters_or_a_taken_name_are_form_errors(client, staff, scene) -> None:
    bad = client.post("/staff/saved-searches", data={"name": "x", "query": "zip_code=00000"})
    assert "Fix the search" in bad.get_data(as_text=True)
    _save(client, "Mine", "role=receptionist")
    again = client.post("/staff/saved-searches", data={"name": "mine", "query": ""})
    assert "already" in again.get_data(as_text=True)
    huge = client.post(
        "/staff/saved-searches", data={"name": "huge", "query": "&".join(["q=a"] * 500)}
    )
    assert huge.status_code == 200
    assert db.session.scalar(db.select(db.func.count(SavedSearch.id))) == 1


def test_a_search_is_its_owners_alone(client, staff, scene, make_user) -> None:
    search = _save(client, "Private", "role=receptionist")
    client.post("/logout")
    other = make_user(Role.STAFF)
    assert login(client, other.email).status_code == 302
    assert client.get(f"/staff/saved-searches/{search.id}/run").status_code == 404
    assert client.post(f"/staff/saved-searches/{search.id}/delete").status_code == 404
    assert "Private" not in client.get("/staff/saved-searches").get_data(as_text=True)


def test_the_daily_alert_lists_new_matches_once_a_day(client, staff, scene, make_candidate) -> None:
    search = _save(client, "Receptionists", "role=receptionist")
    _save(client, "Nobody", "q=zzzzzz-no-such-person")
    # Registered before the search was saved: not news.
    assert saved_searches.stage_daily_alerts() == 0
    newcomer = make_candidate(first_name="Newt", last_name="Comer", desired_roles=["receptionist"])
    make_candidate(first_name="Secre", last_name="Tary", desired_roles=["medical_secretary"])
    today = utcnow().date()
    assert saved_searches.stage_daily_alerts(today) == 1
    (message,) = _alerts()
    assert message.payload["to"] == staff.email
    (item,) = message.payload["context"]["searches"]  # the empty search is left out
    assert item["name"] == "Receptionists" and item["count"] == 1
    assert [c["name"] for c in item["candidates"]] == [newcomer.full_name]
    assert message.payload["context"]["unsubscribe_url"]
    # Once a day: a second run the same day sends nothing, and keeps the news for tomorrow.
    late = make_candidate(first_name="Late", last_name="Comer", desired_roles=["receptionist"])
    assert saved_searches.stage_daily_alerts(today) == 0
    assert saved_searches.stage_daily_alerts(today + timedelta(days=1)) == 1
    names = [c["name"] for c in _alerts()[-1].payload["context"]["searches"][0]["candidates"]]
    assert names == [late.full_name]
    # Nothing new: nothing sent.
    assert saved_searches.stage_daily_alerts(today + timedelta(days=2)) == 0
    db.session.expire_all()
    assert db.session.get(SavedSearch, search.id).alert


def test_no_alert_when_it_is_off_or_the_owner_turned_mail_off(
    client, staff, scene, make_candidate
) -> None:
    search = _save(client, "Quiet", "role=receptionist", alert=False)
    make_candidate(desired_roles=["receptionist"])
    assert saved_searches.stage_daily_alerts() == 0
    client.post(f"/staff/saved-searches/{search.id}/alert", data={"alert": "y"})
    db.session.expire_all()
    assert db.session.get(SavedSearch, search.id).alert
    staff.email_notifications = False
    db.session.commit()
    make_candidate(desired_roles=["receptionist"])
    assert saved_searches.stage_daily_alerts() == 0


def test_the_beat_schedule_runs_the_alerts_daily() -> None:
    from celery import Celery

    from workers.schedule import configure

    beat = Celery()
    configure(beat)
    entry = beat.conf.beat_schedule["saved-search-alerts"]
    assert entry["task"] == "workers.saved_search_alerts"
    assert entry["schedule"].hour == {7}


def test_names_differing_only_in_the_case_of_an_accented_letter_are_the_same_name(
    client, staff
) -> None:
    # SQLite's lower() leaves "Ú" alone: the check must not let the unique constraint answer.
    saved_searches.save(staff, "Úrsula's temps", {}, alert=False)
    with pytest.raises(SavedSearchError):
        saved_searches.save(staff, "úrsula's temps", {}, alert=False)
    pools.create("Épic desk", staff)
    with pytest.raises(PoolError):
        pools.create("épic DESK", staff)
