"""The API's resource blueprints (one per resource: one tag each in the OpenAPI description)."""

from flask_smorest import Blueprint

PREFIX = "/api/v1"

openings_bp = Blueprint(
    "api_openings", __name__, url_prefix=PREFIX, description="Openings clinics post"
)
submittals_bp = Blueprint(
    "api_submittals",
    __name__,
    url_prefix=PREFIX,
    description="Candidates the agency submitted to a clinic, as the clinic portal shows them",
)
applications_bp = Blueprint(
    "api_applications",
    __name__,
    url_prefix=PREFIX,
    description="The pipeline (staff): applications and their stage moves",
)
candidates_bp = Blueprint(
    "api_candidates",
    __name__,
    url_prefix=PREFIX,
    description="Candidate profiles (staff; a candidate reads their own)",
)
matches_bp = Blueprint(
    "api_matches",
    __name__,
    url_prefix=PREFIX,
    description="The engine's ranked candidates for an opening with each score's breakdown",
)

ALL = (openings_bp, submittals_bp, applications_bp, candidates_bp, matches_bp)


def _setup() -> None:
    from agency.api import auth
    from agency.extensions import csrf, limiter

    for blueprint in ALL:
        # Token authentication only: no cookie reaches a decision, so no CSRF token is needed.
        csrf.exempt(blueprint)
        limiter.limit(auth.rate_limit, key_func=auth.rate_limit_key)(blueprint)
        blueprint.before_request(auth.load_token)


_setup()
