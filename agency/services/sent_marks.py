"""Mark delivered outbox messages sent on a thread of their own, while the worker sends the next.

The mark is what closes a message's at-least-once window (SMTP acceptance -> row marked sent: a
worker killed inside it sends the message again, with the same Message-ID). Committed on the
worker's own thread, every mark cost the sender a transaction; committed here, the sender moves
on at once and the marks that pile up meanwhile share one UPDATE and one commit, so the window
stays one commit wide (not a batch wide) and no mark waits for a slow send after it.
`flush()` waits until every mark handed over is committed: a batch ends only after it.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections import defaultdict
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import tuple_, update

from agency.extensions import db
from agency.models import OutboxMessage, OutboxStatus, utcnow

log = logging.getLogger(__name__)

IDLE_SECONDS = 2.0  # the thread ends after this long without marks (a new one starts on demand)


@dataclass(frozen=True)
class Mark:
    id: int
    attempt: int
    note: str


def write(marks: list[Mark]) -> set[int]:
    """Mark these claims sent where they are still held; commit; return the ids marked."""
    by_note: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for m in marks:
        by_note[m.note[:2000]].append((m.id, m.attempt))
    now, done = utcnow(), set[int]()
    for note, pairs in by_note.items():
        done.update(
            db.session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.status == OutboxStatus.SENDING,
                    tuple_(OutboxMessage.id, OutboxMessage.attempts).in_(pairs),
                )
                .values(status=OutboxStatus.SENT, sent_at=now, locked_until=None, last_error=note)
                .returning(OutboxMessage.id)
                .execution_options(synchronize_session=False)
            ).scalars()
        )
    db.session.commit()
    for m in marks:
        if m.id not in done:
            log.error(
                "outbox %s: lease lost before it was marked sent (attempt %s)", m.id, m.attempt
            )
    return done


class Marker:
    def __init__(self, app: Flask) -> None:
        self.app, self.pid = app, os.getpid()
        self.marks: queue.Queue[Mark] = queue.Queue()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def put(self, mark: Mark) -> None:
        self.marks.put(mark)
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="outbox-marks", daemon=True)
                self.thread.start()

    def flush(self) -> None:
        self.marks.join()

    def _run(self) -> None:
        with self.app.app_context():
            while True:
                try:
                    first = self.marks.get(timeout=IDLE_SECONDS)
                except queue.Empty:
                    with self.lock:
                        if self.marks.empty():
                            self.thread = None
                            return
                    continue
                batch = [first]
                while True:
                    try:
                        batch.append(self.marks.get_nowait())
                    except queue.Empty:
                        break
                try:
                    write(batch)
                except Exception:  # the rows stay "sending"; after the lease they are sent again
                    db.session.rollback()
                    log.exception("could not mark %d outbox message(s) sent", len(batch))
                finally:
                    db.session.remove()
                    for _ in batch:
                        self.marks.task_done()


def marker(app: Flask) -> Marker:
    """This process's marker for the app (a forked child starts its own)."""
    current: Marker | None = app.extensions.get("outbox_marker")
    if current is None or current.pid != os.getpid():
        current = app.extensions["outbox_marker"] = Marker(app)
    return current
