"""Steps every browser journey shares."""

from __future__ import annotations

import re
from typing import Any

from tests.factories import PASSWORD

_LEFT_LOGIN = re.compile(r"^(?!.*/login(\?.*)?$).*")


def log_in(page: Any, email: str, password: str = PASSWORD) -> None:
    """Log in through the real form and wait until the browser has left it.

    A click returns before the POST's answer arrives; a `goto` fired in that gap
    cancels the login, so every journey waits for the redirect here.
    """
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(_LEFT_LOGIN)
