"""Celery: the app wiring, the beat schedule and thin tasks that call agency.services."""
