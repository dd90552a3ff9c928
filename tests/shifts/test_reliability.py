"""Reliability from the shift record: a Beta prior at the population's mean, recent shifts
weighing more, and the engine ranking with it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from agency.extensions import db
from agency.services import reliability, shifts
from agency.services.engine import engine
from agency.services.reliability import Record
from tests.shifts.conftest import ShiftScene, book, make_shift, past_booking


def test_no_record_scores_the_population_mean_not_a_perfect_score(scene: ShiftScene) -> None:
    for _ in range(6):
        past_booking(scene, scene.workers[0], "attended")
    past_booking(scene, scene.workers[1], "no_show")
    mean = reliability.population_mean()
    assert 0.5 < mean < 1.0
    assert reliability.score(Record(), mean) == pytest.approx(mean)
    newcomer = scene.workers[2]
    assert reliability.value_for(newcomer.id) == pytest.approx(reliability.prior_mean())


@pytest.mark.parametrize(
    "outcomes",
    [
        ["no_show"],
        ["attended", "no_show"],
        ["attended", "attended", "attended", "late", "no_show"],
        ["late"] * 12,
    ],
)
def test_a_record_worse_than_the_mean_never_ranks_above_no_record(
    scene: ShiftScene, outcomes: list[str]
) -> None:
    worse, newcomer = scene.workers[0], scene.workers[1]
    for outcome in outcomes:
        past_booking(scene, worse, outcome)
    mean = reliability.prior_mean()
    record = reliability.record_of(worse.id)
    assert record.successes / record.observations < mean  # worse than the mean
    assert reliability.value_for(worse.id) < reliability.value_for(newcomer.id)
    # The two are otherwise the same person: the engine puts the newcomer first.
    ranked = engine().rank(scene.opening, k=10)
    scores = {m.candidate_id: m.score for m in ranked}
    assert scores[worse.id] < scores[newcomer.id]


def test_a_good_record_ranks_above_no_record(scene: ShiftScene) -> None:
    good, newcomer = scene.workers[0], scene.workers[1]
    past_booking(scene, scene.workers[2], "no_show")  # the population is not perfect
    for _ in range(20):  # enough shifts to stand clearly above the mean
        past_booking(scene, good, "attended")
    ranked = {m.candidate_id: m for m in engine().rank(scene.opening, k=10)}
    assert ranked[good.id].score > ranked[newcomer.id].score
    assert "strong track record on past placements" in ranked[good.id].explanation.strengths
    assert "strong track record on past placements" not in ranked[newcomer.id].explanation.strengths


def test_recent_shifts_weigh_more(scene: ShiftScene) -> None:
    recent_miss, old_miss = scene.workers[0], scene.workers[1]
    for worker, miss_days, hit_days in ((recent_miss, 5, 400), (old_miss, 400, 5)):
        past_booking(scene, worker, "no_show", days_ago=miss_days)
        past_booking(scene, worker, "attended", days_ago=hit_days)
    assert reliability.value_for(recent_miss.id) < reliability.value_for(old_miss.id)


def test_the_record_in_words(scene: ShiftScene) -> None:
    worker = scene.workers[0]
    for _ in range(11):
        past_booking(scene, worker, "attended")
    past_booking(scene, worker, "late")
    booking = book(make_shift(scene, timedelta(hours=10)), worker)
    shifts.cancel_booking(booking, "worker", "Car broke down", worker.user)
    db.session.commit()
    assert reliability.record_of(worker.id).describe() == (
        "12 shifts, 1 late arrival, 1 late cancellation"
    )
    assert reliability.describe([scene.workers[1].id]) == {scene.workers[1].id: "No shifts yet"}


def test_marking_attendance_reaches_the_next_ranking(scene: ShiftScene) -> None:
    worker = scene.workers[0]
    past_booking(scene, scene.workers[1], "attended")
    booking = past_booking(scene, worker, None, days_ago=1)
    before = {m.candidate_id: m.score for m in engine().rank(scene.opening, k=10)}
    shifts.mark_attendance(booking, "no_show", scene.member)
    db.session.commit()
    after = {m.candidate_id: m.score for m in engine().rank(scene.opening, k=10)}
    assert after[worker.id] < before[worker.id]
    # Staff correct it (the clinic marked the wrong person), with a reason.
    shifts.correct_attendance(booking, "attended", "Marked the wrong worker", scene.staff)
    db.session.commit()
    corrected = {m.candidate_id: m.score for m in engine().rank(scene.opening, k=10)}
    assert corrected[worker.id] > after[worker.id]


def test_the_staff_breakdown_shows_the_record(
    scene: ShiftScene, client: Any, login_as: Any
) -> None:
    worker = scene.workers[0]
    for _ in range(3):
        past_booking(scene, worker, "attended")
    past_booking(scene, worker, "no_show")
    login_as(scene.staff)
    page = client.get(
        f"/staff/openings/{scene.opening.id}/candidates/{worker.id}/breakdown?partial=1"
    ).get_data(as_text=True)
    assert "Track record" in page or "track record" in page
    assert "4 shifts, 1 no-show" in page


def test_a_few_candidates_values_are_their_values_among_everyone(scene: ShiftScene) -> None:
    good, poor, newcomer = scene.workers
    for _ in range(5):
        past_booking(scene, good, "attended")
    past_booking(scene, poor, "no_show")
    past_booking(scene, poor, "late", days_ago=40)
    everyone, prior = reliability.values_for_all()
    for person in (good, poor):
        alone, alone_prior = reliability.values_for([person.id])
        assert alone_prior == prior
        # The age discount is read at each call's own clock: equal to far more digits than
        # any ranking shows, not to the last bit.
        assert alone[person.id] == pytest.approx(everyone[person.id], rel=1e-9)
    assert reliability.values_for([newcomer.id]) == ({}, prior)
    # A process that has not built the pool yet still takes the prior from everyone's record,
    # not from the few asked about (whose own pooled record is empty here).
    reliability.forget_prior()
    _, fresh = reliability.values_for([newcomer.id])
    assert fresh == pytest.approx(prior, rel=1e-9)
    assert fresh != pytest.approx(reliability.population_mean({}))


def test_explaining_one_pair_reads_that_persons_record_only(
    scene: ShiftScene, make_candidate: Any, count_queries: Any
) -> None:
    person = scene.workers[0]
    past_booking(scene, person, "attended")

    def others_with_a_record(n: int) -> None:
        for i in range(n):
            past_booking(scene, make_candidate(first_name=f"Other{i}"), "attended")

    def statements_of_one_pair() -> list[str]:
        db.session.expire_all()
        with count_queries() as counted:
            engine().explain(person, scene.opening)
        return list(counted.statements)

    others_with_a_record(5)
    engine().explain(person, scene.opening)  # the text space and the prior: once per process
    few = statements_of_one_pair()
    others_with_a_record(45)
    many = statements_of_one_pair()
    assert len(few) == len(many)
    records = [s for s in many if "shift_bookings" in s]
    assert records and all(
        "shift_bookings.candidate_id IN" in s or "shift_bookings.candidate_id = ANY" in s
        for s in records
    )


def test_records_of_more_candidates_than_a_statement_may_bind(scene: ShiftScene) -> None:
    # A pool built from profiles asks for everyone at once: 100,000 ids at scale, more than
    # PostgreSQL's 65,535 bound parameters.
    person = scene.workers[0]
    past_booking(scene, person, "no_show")
    many = [person.id, *range(10**6, 10**6 + 70_000)]
    found = reliability.records(many)
    assert list(found) == [person.id]
    assert found[person.id].no_shows == reliability.record_of(person.id).no_shows == 1
