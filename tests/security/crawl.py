"""Walk the site as one persona: every page it may open, every form and query name it is shown."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from flask import Flask
from flask.testing import FlaskClient

from agency.extensions import db
from agency.models import Role
from agency.services import taxonomy_sync
from tests.factories import PASSWORD
from tests.security.conftest import (
    Form,
    World,
    build_world,
    endpoints,
    parse_page,
    reset_tables,
    url_for_rule,
)

PERSONAS = {
    "anonymous": None,
    "candidate_b": Role.CANDIDATE,
    "clinic_y": Role.CLINIC,
    "staff": Role.STAFF,
    "admin": Role.ADMIN,
}
# Pages the URL map alone does not reach with the right arguments.
EXTRA_PAGES = {
    "anonymous": ["/unsubscribe/{unsubscribe}"],
    "candidate_b": ["/jobs/1"],
    "clinic_y": ["/clinic/openings/new?role=receptionist", "/clinic/openings/new?role=secretary"],
    "staff": ["/staff/clinics?show=approved", "/staff/outbox?show=dead"],
    "admin": [],
}
# Ending the session mid-sweep would test nothing but the login page.
SKIP_ACTIONS = {"/logout"}


def page_token(client: FlaskClient, page: str) -> str:
    """The CSRF token a page hands out (empty when protection is off)."""
    html = client.get(page).get_data(as_text=True)
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    return found.group(1) if found else ""


@dataclass
class Sweep:
    """The app, a client logged in as the persona, and a way to start over after a write."""

    app: Flask
    persona: str
    world: World
    client: FlaskClient = field(init=False)
    dirty: bool = False

    def __post_init__(self) -> None:
        self.client = self._login()

    def _login(self) -> FlaskClient:
        client = self.app.test_client()
        if PERSONAS[self.persona] is not None:
            response = client.post(
                "/login",
                data={
                    "email": self.world.users[self.persona].email,
                    "password": PASSWORD,
                    "csrf_token": page_token(client, "/login"),
                },
            )
            assert response.status_code == 302
        return client

    def restart(self) -> None:
        """Fresh data after requests that were allowed to write (ids come out the same)."""
        if not self.dirty:
            return
        self.dirty = False
        old_ids = self.world.ids
        reset_tables()
        taxonomy_sync.sync()
        db.session.commit()
        self.world = build_world()
        assert self.world.ids == old_ids
        self.client = self._login()


def pages(app: Flask, sweep: Sweep) -> list[str]:
    role = PERSONAS[sweep.persona]
    pages = []
    for endpoint, rule, methods in endpoints(app):
        policy = getattr(app.view_functions[endpoint], "allowed_roles", None)
        if "GET" not in methods or (policy is not None and role not in policy):
            continue
        pages.append(url_for_rule(rule, sweep.world.ids))
    pages += [p.format(**sweep.world.secrets) for p in EXTRA_PAGES[sweep.persona]]
    return pages


def crawl(app: Flask, sweep: Sweep) -> tuple[dict[tuple, Form], dict[str, set[str]]]:
    """Every form on every page the persona may open, and the query names each page takes."""
    forms: dict[tuple, Form] = {}
    queries: dict[str, set[str]] = {}
    for page in pages(app, sweep):
        response = sweep.client.get(page)
        assert response.status_code < 500, page
        path = urlsplit(page).path
        queries.setdefault(path, set()).update(k for k, _ in parse_qsl(urlsplit(page).query))
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        found, links = parse_page(page, response.get_data(as_text=True))
        for link in links:
            parts = urlsplit(link)
            if parts.query and not parts.netloc:
                queries.setdefault(parts.path, set()).update(k for k, _ in parse_qsl(parts.query))
        for form in found:
            if urlsplit(form.action).path in SKIP_ACTIONS:
                continue
            if form.method == "GET":
                queries.setdefault(urlsplit(form.action).path, set()).update(form.field_names())
            forms.setdefault(form.key(), form)
    return forms, queries


def start_sweep(app: Flask, persona: str) -> Sweep:
    taxonomy_sync.sync()
    db.session.commit()
    return Sweep(app, persona, build_world())
