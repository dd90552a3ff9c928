"""The demo agency fills every chart of the staff dashboard."""

from __future__ import annotations

from datetime import date

from flask import Flask
from sqlalchemy import select

from agency.extensions import db
from agency.models import Application, Opening, StageChange
from agency.services import demo
from agency.services.staff_queries import dashboard as board_queries


def test_every_dashboard_chart_has_data_with_the_demo(app: Flask) -> None:
    with app.app_context():
        demo.seed(n_candidates=40, n_openings=10, n_clinics=4)
        db.session.commit()
        board = board_queries.dashboard_charts(date.today())

        assert board["has_placements"] and board["has_fills"]
        for name in ("funnel", "placements", "time_to_fill", "demand"):
            assert '<rect class="chart-bar' in str(board[name]), name
        assert "Days to fill: " in str(board["time_to_fill"])

        filled = db.session.execute(select(Opening).where(Opening.status == "filled")).scalars()
        for opening in filled:
            assert opening.filled_at is not None
            placed = (
                db.session.execute(
                    select(Application).where(
                        Application.opening_id == opening.id, Application.stage == "placed"
                    )
                )
                .scalars()
                .all()
            )
            assert len(placed) == opening.positions
            for application in placed:
                steps = db.session.execute(
                    select(StageChange.to_stage, StageChange.created_at)
                    .where(StageChange.application_id == application.id)
                    .order_by(StageChange.created_at)
                ).all()
                assert steps[0][0] == "applied" and steps[-1][0] == "placed"
                assert steps[-1][1] == opening.filled_at
