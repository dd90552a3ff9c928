"""The ETag flask-smorest gives a response body, computed the same way for If-Match checks on
routes where If-Match is optional (POST moves)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_smorest.etag import EtagMixin


def etag_of(body: dict[str, Any], schema: type[ma.Schema]) -> str:
    return EtagMixin._generate_etag(schema().dump(body))
