"""Ids that arrive from outside (a URL, a form, a JSON body): what can name a row.

Every primary key is a 32-bit INTEGER on PostgreSQL (MAX_ID); a value that is written into a
foreign key, or sent to the driver, must be bounded by it or by the field that reads it. In a
URL, the router refuses anything past 64 bits (MAX_DATABASE_ID), which no driver can even send,
and a hook before every view refuses anything past MAX_ID: either is a plain 404, never an
overflow error (a 500), and no view checks ids itself.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, abort
from werkzeug.routing import IntegerConverter, Map

MAX_ID = 2**31 - 1
MAX_DATABASE_ID = 2**63 - 1


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in every route: a non-negative integer that fits a BIGINT, else no match.

    The pattern itself stops at 18 digits: werkzeug checks the methods of a rule whose pattern
    matched before its converter refuses the value, so a 19-digit id past 2**63 - 1 on a path
    with several methods answered 405 instead of 404."""

    regex = r"\d{1,18}"

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_DATABASE_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _bounded_ids(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    # Past MAX_ID the router's integer reaches the driver, which PostgreSQL refuses as out of
    # range for an INTEGER (a 500): no row has such an id, so the page does not exist.
    for value in (values or {}).values():
        if isinstance(value, int) and value > MAX_ID:
            abort(404)


def init_app(app: Flask) -> None:
    # Before any blueprint registers a route: rules look their converters up when added.
    app.url_map.converters["int"] = DatabaseIdConverter
    app.url_value_preprocessor(_bounded_ids)
