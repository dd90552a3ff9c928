"""Domain operations shared by views, CLI and tasks. No request objects here."""

from flask import Flask


def init_app(app: Flask) -> None:
    from agency.services import engine, outbox

    outbox.init_app(app)
    engine.init_app(app)
