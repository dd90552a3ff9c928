"""The Celery entry point: `celery -A workers.app worker` (and `beat`)."""

from agency import create_app

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
