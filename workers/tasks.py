"""Thin task adapters: take ids, run one service function, safe to run twice."""

from __future__ import annotations

from celery import Celery

from agency.services import delivery


def register(celery_app: Celery) -> None:
    @celery_app.task(name="workers.deliver_outbox_message", acks_late=True)
    def deliver_outbox_message(message_id: int) -> None:
        delivery.deliver(message_id)

    @celery_app.task(name="workers.sweep_outbox")
    def sweep_outbox() -> None:
        for message_id in delivery.due_message_ids():
            deliver_outbox_message.delay(message_id)
