"""flask_smorest's abort with its real type: it never returns (the library has no type hints,
so without this mypy thinks a loader may go on with None after a 404)."""

from __future__ import annotations

from typing import Any, NoReturn

from flask_smorest import abort as _abort


def abort(status: int, **kwargs: Any) -> NoReturn:
    """Stop with an error response in the API's JSON shape (message, errors)."""
    _abort(status, **kwargs)
    raise AssertionError("flask_smorest.abort returned")  # pragma: no cover (it raises)
