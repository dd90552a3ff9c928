"""The entry point of a serving process: `flask --app agency.wsgi run`, the `flask` commands
(the Makefile's FLASK_APP) and gunicorn (`agency.wsgi:app`). It sets up the process's logging
(agency/logs.py), which create_app leaves alone."""

from agency import create_app, logs

logs.configure()
app = create_app()
