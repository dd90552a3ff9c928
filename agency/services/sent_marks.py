"""Mark delivered outbox messages sent on a thread of their own, while the worker sends the next.

The mark is what closes a message's at-least-once window (SMTP acceptance -> row marked sent: a
worker killed inside it sends the message again, with the same Message-ID). Committed on the
worker's own thread, every mark cost the sender a transaction; committed here, the sender moves
on at once. Marks share one UPDATE and one commit: those that piled up meanwhile, and those that
arrive within GATHER_SECONDS of the first (with pipelined SMTP a message is sent faster than a
commit's round trip, and one commit per message was PostgreSQL's biggest cost), up to
GATHER_MAX. So the window stays a few milliseconds plus one commit wide (not a batch wide), and
no mark waits for a slow send after it. `flush()` writes what is gathered at once and waits until
every mark handed over is committed: a batch ends only after it.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections import defaultdict
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import tuple_, update

from agency.extensions import db
from agency.models import OutboxMessage, OutboxStatus, utcnow

log = logging.getLogger(__name__)

IDLE_SECONDS = 2.0  # the thread ends after this long without marks (a new one starts on demand)
GATHER_SECONDS = 0.005  # a mark waits at most this long for others to share its commit
GATHER_MAX = 20  # marks in one commit at most (a batch's worth)
_NOW = None  # put by flush(): write what is gathered without waiting


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
        self.marks: queue.Queue[Mark | None] = queue.Queue()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def put(self, mark: Mark) -> None:
        self.marks.put(mark)
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="outbox-marks", daemon=True)
                self.thread.start()

    def flush(self) -> None:
        with self.lock:
            if self.thread is not None and self.thread.is_alive():
                self.marks.put(_NOW)
        self.marks.join()

    def _gather(self, first: Mark | None) -> tuple[list[Mark], int]:
        """The first mark and those that come within GATHER_SECONDS (none after a flush), and
        how many queue items that took (flush sentinels included)."""
        batch, taken = [first] if first is not None else [], 1
        deadline = time.monotonic() + GATHER_SECONDS
        hurry = first is None
        while len(batch) < GATHER_MAX:
            try:
                if hurry:
                    item = self.marks.get_nowait()
                else:
                    item = self.marks.get(timeout=max(deadline - time.monotonic(), 0))
            except queue.Empty:
                break
            taken += 1
            if item is None:
                hurry = True
            else:
                batch.append(item)
        return batch, taken

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
                batch, taken = self._gather(first)
                try:
                    if batch:
                        write(batch)
                except Exception:  # the rows stay "sending"; after the lease they are sent again
                    db.session.rollback()
                    log.exception("could not mark %d outbox message(s) sent", len(batch))
                finally:
                    db.session.remove()
                    for _ in range(taken):
                        self.marks.task_done()


def marker(app: Flask) -> Marker:
    """This process's marker for the app (a forked child starts its own)."""
    current: Marker | None = app.extensions.get("outbox_marker")
    if current is None or current.pid != os.getpid():
        current = app.extensions["outbox_marker"] = Marker(app)
    return current
