"""The API's browsable documentation: Swagger UI over /api/v1/openapi.json, served from the
files the flask-swagger-ui package ships (no CDN: the site works offline)."""

from __future__ import annotations

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, abort, render_template, send_from_directory
from flask.typing import ResponseReturnValue

from agency.security import public

bp = Blueprint("api_docs_page", __name__, url_prefix="/api/v1/docs")
ASSETS = Path(flask_swagger_ui.__file__).resolve().parent / "dist"
SERVED = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png"})


@bp.route("/")
@public
def docs() -> ResponseReturnValue:
    # The site's own CSP applies: Swagger UI's scripts and styles are files of this site.
    return render_template("api/docs.html")


@bp.route("/assets/<name>")
@public
def asset(name: str) -> ResponseReturnValue:
    if name not in SERVED:
        abort(404)
    return send_from_directory(ASSETS, name, max_age=86400)
