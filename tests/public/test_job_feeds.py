"""Job distribution: the aggregator XML feed, the sitemap, the Atom feed of new openings, the
completed JobPosting data, and the 410 page of a filled or closed opening."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta
from typing import Any

from flask.testing import FlaskClient

from agency.models import utcnow
from tests.public.test_job_detail import ld_json

# The fields Indeed's XML feed specification requires of every <job>.
INDEED_REQUIRED = (
    "title",
    "date",
    "referencenumber",
    "url",
    "company",
    "city",
    "state",
    "country",
    "description",
)
# Google's required JobPosting properties, and the ones this brief asks for on top.
GOOGLE_REQUIRED = ("title", "description", "datePosted", "hiringOrganization", "jobLocation")
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SCHEMA_ORG_EMPLOYMENT = {
    "FULL_TIME",
    "PART_TIME",
    "CONTRACTOR",
    "TEMPORARY",
    "INTERN",
    "VOLUNTEER",
    "PER_DIEM",
    "OTHER",
}


def _posted(make_opening: Any, clinic: Any = None, **kw: Any) -> Any:
    return make_opening(clinic, posted_at=utcnow(), **kw)


def test_indeed_feed_lists_open_openings_with_required_fields(
    client: FlaskClient, make_clinic: Any, make_opening: Any
) -> None:
    clinic = make_clinic(name="Smith & Sons <Clinic>")
    shown = _posted(make_opening, clinic, description="Greet patients & answer phones")
    _posted(make_opening, clinic, status="draft")
    _posted(make_opening, make_clinic(approved=False))
    response = client.get("/jobs.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    assert root.tag == "source" and root.findtext("publisher") == "ClinicMatch"
    jobs = root.findall("job")
    assert len(jobs) == 1
    job = jobs[0]
    for name in INDEED_REQUIRED:
        assert (job.findtext(name) or "").strip(), name
    assert job.findtext("company") == "Smith & Sons <Clinic>"
    assert job.findtext("url").endswith(f"/jobs/{shown.id}")
    assert job.findtext("referencenumber") == f"clinicmatch-{shown.id}"
    assert job.findtext("salary") == "$18.00 - $24.00 per hour"
    assert job.findtext("jobtype") == "temporary, fulltime"
    assert "Greet patients & answer phones" in job.findtext("description")


def test_sitemap_is_valid_and_lists_public_pages(
    client: FlaskClient, make_clinic: Any, make_opening: Any
) -> None:
    opening = _posted(make_opening, make_clinic())
    draft = _posted(make_opening, make_clinic(), status="draft")
    root = ET.fromstring(client.get("/sitemap.xml").data)
    assert root.tag == f"{SITEMAP}urlset"
    locs = [u.findtext(f"{SITEMAP}loc") for u in root.findall(f"{SITEMAP}url")]
    assert any(loc.endswith("/jobs") for loc in locs)
    assert any(loc.endswith(f"/jobs/{opening.id}") for loc in locs)
    assert not any(loc.endswith(f"/jobs/{draft.id}") for loc in locs)


def test_atom_feed_takes_the_board_filters(
    client: FlaskClient, make_clinic: Any, make_opening: Any
) -> None:
    clinic = make_clinic()
    front = _posted(make_opening, clinic, title="Front desk receptionist")
    back = _posted(make_opening, clinic, title="Billing secretary", role_type="secretary")
    response = client.get("/jobs/feed.atom")
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)
    titles = [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]
    assert len(titles) == 2
    filtered = ET.fromstring(client.get("/jobs/feed.atom?role=secretary").data)
    ids = [e.findtext(f"{ATOM}id") for e in filtered.findall(f"{ATOM}entry")]
    assert len(ids) == 1 and ids[0].endswith(f"/jobs/{back.id}")
    assert front.id != back.id
    self_link = filtered.find(f"{ATOM}link[@rel='self']").get("href")
    assert "role=secretary" in self_link
    # A bad filter is left out, as on the board, never an error.
    assert client.get("/jobs/feed.atom?min_pay=lots").status_code == 200


def test_job_posting_has_what_google_for_jobs_needs(
    client: FlaskClient, make_clinic: Any, make_opening: Any
) -> None:
    start = date.today() + timedelta(days=14)
    opening = _posted(make_opening, make_clinic(), start_date=start, employment_type="per_diem")
    data = ld_json(client.get(f"/jobs/{opening.id}").get_data(as_text=True))
    for name in GOOGLE_REQUIRED:
        assert data.get(name), name
    assert data["jobLocation"]["address"]["addressCountry"] == "US"
    assert data["directApply"] is True
    assert date.fromisoformat(data["validThrough"]) == start + timedelta(days=60)
    assert set(data["employmentType"]) <= SCHEMA_ORG_EMPLOYMENT
    assert data["baseSalary"]["value"]["unitText"] == "HOUR"
    assert data["baseSalary"]["currency"] == "USD"
    ended = _posted(make_opening, make_clinic(), start_date=start, end_date=start + timedelta(3))
    data = ld_json(client.get(f"/jobs/{ended.id}").get_data(as_text=True))
    assert data["validThrough"] == (start + timedelta(3)).isoformat()


def test_filled_or_closed_opening_is_gone_with_similar_open_ones(
    client: FlaskClient, make_clinic: Any, make_opening: Any
) -> None:
    clinic = make_clinic()
    filled = _posted(make_opening, clinic, title="Filled front desk", status="filled")
    closed = _posted(make_opening, clinic, title="Closed front desk", status="closed")
    similar = _posted(make_opening, clinic, title="Open front desk")
    other_kind = _posted(make_opening, clinic, title="Coding secretary", role_type="secretary")
    page = client.get(f"/jobs/{filled.id}")
    assert page.status_code == 410
    html = page.get_data(as_text=True)
    assert "has been filled" in html and similar.title in html
    assert other_kind.title not in html and "noindex" in html
    gone = client.get(f"/jobs/{closed.id}")
    assert gone.status_code == 410 and "is closed" in gone.get_data(as_text=True)
    # Never published: still a plain 404 (a draft's title must not leak).
    never = make_opening(clinic, title="Secret draft then closed", status="closed")
    assert client.get(f"/jobs/{never.id}").status_code == 404
