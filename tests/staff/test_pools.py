"""Talent pools: created by name, filled from the search results (in bulk) and from a
candidate's page, emptied, deleted; ranked against an opening in one click with the scores the
review shows; a merge keeps one membership per pool."""

from __future__ import annotations

import re
from typing import Any

from agency.extensions import db
from agency.models import AuditEvent, Role, TalentPool, TalentPoolMember
from agency.services import duplicates, pools
from agency.services.engine import engine


def _pool(client: Any, name: str) -> TalentPool:
    response = client.post("/staff/pools", data={"name": name})
    assert response.status_code == 302
    return db.session.execute(db.select(TalentPool).where(TalentPool.name == name)).scalar_one()


def _member_ids(pool: TalentPool) -> set[int]:
    return set(pools.member_ids(pool.id))


def test_a_pool_is_filled_from_the_search_results_in_bulk(client, staff, scene) -> None:
    pool = _pool(client, "Epic front-desk temps, Boston")
    page = client.get("/staff/candidates").get_data(as_text=True)
    assert 'name="candidate_ids"' in page and "Add to pool" in page
    back = "/staff/candidates?role=receptionist"
    ids = [scene.near.id, scene.other.id]
    response = client.post(
        "/staff/pools/members",
        data={"pool_id": str(pool.id), "candidate_ids": [str(i) for i in ids], "back": back},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(back)
    assert _member_ids(pool) == set(ids)
    # Adding again adds nobody twice.
    client.post("/staff/pools/members", data={"pool_id": str(pool.id), "candidate_ids": ids})
    assert db.session.scalar(db.select(db.func.count(TalentPoolMember.id))) == 2
    html = client.get(f"/staff/pools/{pool.id}").get_data(as_text=True)
    assert scene.near.full_name in html and scene.other.full_name in html
    assert scene.far.full_name not in html
    assert db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "pool_members_added")
    ).first()


def test_the_way_back_never_leaves_the_staff_pages(client, staff, scene) -> None:
    pool = _pool(client, "Elsewhere")
    for back in ("https://evil.example.com/", "//evil.example.com/staff/", "/staff/\\evil"):
        response = client.post(
            "/staff/pools/members",
            data={"pool_id": str(pool.id), "candidate_ids": [str(scene.near.id)], "back": back},
        )
        assert response.headers["Location"].endswith("/staff/candidates")


def test_a_candidate_is_added_from_their_page_and_removed_from_the_pool(
    client, staff, scene
) -> None:
    pool = _pool(client, "Coders")
    page = client.get(f"/staff/candidates/{scene.far.id}").get_data(as_text=True)
    assert "In no pool." in page and "Add to pool" in page
    client.post(
        "/staff/pools/members",
        data={
            "pool_id": str(pool.id),
            "candidate_ids": [str(scene.far.id)],
            "back": f"/staff/candidates/{scene.far.id}",
        },
    )
    page = client.get(f"/staff/candidates/{scene.far.id}").get_data(as_text=True)
    assert "Coders" in page and "In no pool." not in page
    client.post(f"/staff/pools/{pool.id}/remove", data={"candidate_ids": [str(scene.far.id)]})
    assert _member_ids(pool) == set()


def test_bad_input_never_crashes_nor_adds(client, staff, scene) -> None:
    pool = _pool(client, "Strict")
    for data in (
        {"pool_id": "999999", "candidate_ids": [str(scene.near.id)]},
        {"pool_id": str(pool.id), "candidate_ids": ["abc"]},
        {"pool_id": str(pool.id), "candidate_ids": [str(2**40)]},
        {"pool_id": str(pool.id)},
    ):
        assert client.post("/staff/pools/members", data=data).status_code == 302
    assert _member_ids(pool) == set()
    duplicate = client.post("/staff/pools", data={"name": "strict"})
    assert "exists already" in duplicate.get_data(as_text=True)


def test_renaming_and_deleting_a_pool_leave_the_candidates(client, staff, scene) -> None:
    pool = _pool(client, "Old name")
    pools.add(pool, [scene.near.id], staff)
    db.session.commit()
    client.post(f"/staff/pools/{pool.id}/rename", data={"name": "New name"})
    db.session.expire_all()
    assert db.session.get(TalentPool, pool.id).name == "New name"
    pool_id, near_id = pool.id, scene.near.id
    client.post(f"/staff/pools/{pool_id}/delete")
    db.session.expire_all()
    assert db.session.get(TalentPool, pool_id) is None
    assert db.session.get(type(scene.near), near_id) is not None


def test_a_pool_is_ranked_against_an_opening_with_the_reviews_scores(client, staff, scene) -> None:
    pool = _pool(client, "Ranked")
    pools.add(pool, [scene.near.id, scene.far.id], staff)
    db.session.commit()
    page = client.get(f"/staff/pools/{pool.id}").get_data(as_text=True)
    assert scene.opening.title in page  # offered in the "rank against" list
    pick = client.get(f"/staff/pools/{pool.id}/rank", query_string={"opening_id": scene.opening.id})
    assert pick.status_code == 302
    assert pick.headers["Location"].endswith(f"/staff/pools/{pool.id}/openings/{scene.opening.id}")
    html = client.get(pick.headers["Location"]).get_data(as_text=True)
    # Only the pool's members, the eligible one first, the other with the engine's reason.
    assert scene.other.full_name not in html
    assert html.index(scene.near.full_name) < html.index(scene.far.full_name)
    assert "beyond the 20-mile commute" in html
    expected = engine().explain_in_pool(scene.opening, [scene.near.id])[scene.near.id].score
    assert f"Breakdown of {round(expected)}" in html
    # The review's own actions work from here.
    assert f'action="/staff/openings/{scene.opening.id}/act"' in html
    rows = re.findall(r'data-candidate="(\d+)"', html)
    assert [int(r) for r in rows] == [scene.near.id, scene.far.id]


def test_an_unknown_opening_or_pool_is_a_404(client, staff, scene) -> None:
    pool = _pool(client, "Lonely")
    assert client.get(f"/staff/pools/{pool.id}/openings/999999").status_code == 404
    assert client.get(f"/staff/pools/999999/openings/{scene.opening.id}").status_code == 404
    bad = client.get(f"/staff/pools/{pool.id}/rank", query_string={"opening_id": "x"})
    assert bad.status_code == 302


def test_other_roles_cannot_reach_pools(client, make_user, login_as) -> None:
    login_as(make_user(Role.CANDIDATE))
    assert client.get("/staff/pools").status_code == 403
    assert client.post("/staff/pools", data={"name": "x"}).status_code == 403


def test_a_merge_keeps_one_membership_per_pool(app, staff, scene, make_candidate) -> None:
    pool = pools.create("Merged", staff)
    other_pool = pools.create("Only the duplicate", staff)
    twin = make_candidate(first_name="Nora", last_name="Near")
    pools.add(pool, [scene.near.id, twin.id], staff)
    pools.add(other_pool, [twin.id], staff)
    db.session.commit()
    duplicates.merge(scene.near, twin, staff)
    db.session.commit()
    assert _member_ids(pool) == {scene.near.id}
    assert _member_ids(other_pool) == {scene.near.id}
