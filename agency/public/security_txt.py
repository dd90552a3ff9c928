"""/.well-known/security.txt (RFC 9116): where to report a security problem (SECURITY_CONTACT)."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, current_app, url_for
from flask.typing import ResponseReturnValue

from agency.models import utcnow
from agency.public import bp
from agency.security import public


def contact_uri(contact: str) -> str:
    """RFC 9116 wants a URI: a bare e-mail address becomes a mailto: link."""
    return contact if ":" in contact else f"mailto:{contact}"


@bp.route("/.well-known/security.txt")
@public
def security_txt() -> ResponseReturnValue:
    # Expires is required; a rolling year keeps the file valid without anyone editing it.
    expires = (utcnow() + timedelta(days=365)).replace(microsecond=0)
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    lines = [
        f"Contact: {contact_uri(current_app.config['SECURITY_CONTACT'])}",
        f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "Preferred-Languages: en",
        f"Canonical: {base}{url_for('public.security_txt')}",
    ]
    return Response("\n".join(lines) + "\n", mimetype="text/plain")
