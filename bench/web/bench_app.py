"""The product app plus two baseline routes, for the load test only (never imported by agency).

`/_bench/baseline`: one ORM query for 20 open openings with their clinic, a small Jinja
template. `/_bench/hello`: a plain string. gunicorn runs with the product's settings
(scripts/gunicorn.conf.py): the pool is built once in the master before the workers are forked,
so the measured run does not include it (bench_web.py reports the boot separately).
"""

from __future__ import annotations

from flask import Flask, render_template_string
from sqlalchemy.orm import joinedload

from agency import create_app
from agency.extensions import db
from agency.models import Opening, OpeningStatus
from agency.security import public

BASELINE = """<!doctype html><title>Openings</title><ul>
{% for o in openings %}<li>{{ o.title }} at {{ o.clinic.name }}, {{ o.clinic.city }}</li>
{% endfor %}</ul>"""


def bench_app() -> Flask:
    app = create_app()

    @app.route("/_bench/baseline")
    @public
    def baseline() -> str:
        openings = (
            db.session.execute(
                db.select(Opening)
                .options(joinedload(Opening.clinic))
                .where(Opening.status == OpeningStatus.OPEN.value)
                .order_by(Opening.id)
                .limit(20)
            )
            .scalars()
            .all()
        )
        return render_template_string(BASELINE, openings=openings)

    @app.route("/_bench/hello")
    @public
    def hello() -> str:
        return "hello"

    return app
