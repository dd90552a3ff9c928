"""Readers of the candidate pool against its delta sync on another thread: a ranking never sees
a committed change half applied, because a writer waits for every lease on the pool to end.

Two real threads, each with its own app context and database session. Each round the reader
ranks inside a lease; the writer commits one change to every candidate (one transaction) and
applies it through the sync path. The writer is held in the middle of applying it (after the
first candidate) until the reader has ranked again, so on a pool without leases the reader's
second ranking sees one candidate changed and the others not, every time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from agency.extensions import db
from agency.models import Candidate
from agency.services.engine import pool as pool_module
from agency.services.engine.pool import NestedLease, opening_spec
from matching.ranking import CandidatePool, rank

# The reader and the writer must see each other's commits.
pytestmark = pytest.mark.commits

ROUNDS = 3
PEOPLE = 6
# What any one wait may take before the test gives up on the other thread.
LIMIT = 30.0
# How long a reader holding a lease leaves the writer, which has read its rows by then, to start
# writing (it must not): without leases it writes at once, within microseconds.
GRACE = 0.5


def _scores(bridge: Any, spec: Any, pool: CandidatePool) -> dict[int, float]:
    return {m.candidate_id: m.score for m in rank(spec, pool, k=PEOPLE, scorer=bridge.scorer)}


def _on_thread(app: Flask, work: Callable[[], None], errors: list[BaseException]) -> None:
    with app.app_context():
        try:
            work()
        except BaseException as exc:  # reported by the test: a thread's failure must fail it
            errors.append(exc)
        finally:
            db.session.remove()


def test_a_ranking_never_sees_a_change_half_applied(
    app: Flask, bridge: Any, taxonomy: Any, make_candidate: Any, make_opening: Any, monkeypatch: Any
) -> None:
    # A coder's opening: typing speed counts, so a change of it moves every score.
    opening = make_opening(role_type="secretary", title="Medical coder")
    people = [make_candidate(desired_roles=["secretary"], typing_wpm=40).id for _ in range(PEOPLE)]
    spec = opening_spec(opening)
    db.session.commit()
    with bridge.pool() as pool:  # built before the threads start
        first = _scores(bridge, spec, pool)
    assert set(first) == set(people) and len(set(first.values())) == 1  # identical people
    db.session.remove()

    start = threading.Barrier(2)
    in_lease = [threading.Event() for _ in range(ROUNDS)]
    loaded = [threading.Event() for _ in range(ROUNDS)]
    half_applied = [threading.Event() for _ in range(ROUNDS)]
    looked = [threading.Event() for _ in range(ROUNDS)]
    now = {"round": 0}
    errors: list[BaseException] = []
    seen: list[tuple[bool, dict[int, float]]] = []  # per round: did the writer get in, scores

    def writer_here() -> bool:
        return threading.current_thread() is writer

    read_profiles = pool_module.load_profiles

    def load_profiles(*args: Any, **kwargs: Any) -> Any:
        found = read_profiles(*args, **kwargs)
        if writer_here():  # the writer has what it applies: it writes next
            loaded[now["round"]].set()
        return found

    update = CandidatePool.update

    def update_then_hold(pool: CandidatePool, profile: Any) -> None:
        update(pool, profile)
        r = now["round"]
        if writer_here() and not half_applied[r].is_set():
            half_applied[r].set()  # one candidate of the change written, the others not yet
            assert looked[r].wait(LIMIT)

    monkeypatch.setattr(pool_module, "load_profiles", load_profiles)
    monkeypatch.setattr(CandidatePool, "update", update_then_hold)

    def read() -> None:
        for r in range(ROUNDS):
            start.wait(LIMIT)
            with bridge.pool() as pool:
                before = _scores(bridge, spec, pool)
                in_lease[r].set()
                assert loaded[r].wait(LIMIT)
                got_in = half_applied[r].wait(GRACE)
                during = _scores(bridge, spec, pool)
                looked[r].set()
            assert len(set(before.values())) == 1
            seen.append((got_in, during))

    def write() -> None:
        for r in range(ROUNDS):
            start.wait(LIMIT)
            now["round"] = r
            assert in_lease[r].wait(LIMIT)
            for person in db.session.execute(
                db.select(Candidate).where(Candidate.id.in_(people))
            ).scalars():
                person.typing_wpm = 50 + 10 * r
            db.session.commit()
            with bridge.pool():  # the sync path applies the change
                pass

    reader = threading.Thread(target=_on_thread, args=(app, read, errors))
    writer = threading.Thread(target=_on_thread, args=(app, write, errors))
    reader.start()
    writer.start()
    reader.join(LIMIT * ROUNDS)
    writer.join(LIMIT * ROUNDS)
    assert not reader.is_alive() and not writer.is_alive()
    assert errors == []
    for _, during in seen:
        assert len(set(during.values())) == 1, f"a half-applied change was ranked: {during}"
    assert [got_in for got_in, _ in seen] == [False] * ROUNDS  # no write during a lease
    with bridge.pool() as pool:  # every change did arrive, whole
        last = _scores(bridge, spec, pool)
    assert len(set(last.values())) == 1 and set(last.values()) != set(first.values())


def test_a_lease_inside_a_lease_is_refused_not_deadlocked(
    bridge: Any, taxonomy: Any, make_candidate: Any
) -> None:
    make_candidate()
    with bridge.pool():
        with pytest.raises(NestedLease), bridge.pool():
            pass
        with pytest.raises(NestedLease):
            bridge.refresh_candidate(1)
    with bridge.pool() as pool:  # the lease was given back
        assert len(pool) == 1
