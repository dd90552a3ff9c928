"""What a newcomer does first, one request each, right after the server starts: the home page,
a staff log-in, a clinic sign-up, a candidate's profile save. Times in ms with the password
hashing (argon2id, measured here in-process) taken out. bench_web.py runs it before its mix;
alone, against a server already started (e.g. `make run` with PORT=5000 on the demo data):

    .venv/bin/python bench/first_visits.py [--base http://127.0.0.1:5000]
"""

from __future__ import annotations

import argparse
import re
import time
from html.parser import HTMLParser
from typing import Any

import requests

DEMO_PASSWORD = "clinicmatch-demo-2026"
USER_AGENT = "clinicmatch-bench/1.0"
TARGET_MS = 300


class _FormFields(HTMLParser):
    """The fields a browser would send for the first <form> whose class contains `cls`."""

    def __init__(self, cls: str) -> None:
        super().__init__()
        self.cls, self.inside, self.select = cls, False, ""
        self.fields: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and self.cls in a.get("class", "").split():
            self.inside = True
        if not self.inside:
            return
        name = a.get("name", "")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.fields.append((name, a.get("value", "y")))
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select and "selected" in a:
            self.fields.append((self.select, a.get("value", "")))
        elif tag == "textarea" and name:
            self.fields.append((name, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = ""
        elif tag == "form":
            self.inside = False


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found, "no CSRF token on the page"
    return found.group(1)


def _session() -> requests.Session:
    s = requests.Session()
    s.headers["User-Agent"] = USER_AGENT
    return s


def _timed(fn: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = fn()
    return result, (time.perf_counter() - started) * 1000


def hash_ms() -> float:
    """One argon2id hash with the product's parameters (a log-in verifies one, a sign-up makes
    one), on this machine."""
    from argon2 import PasswordHasher, Type

    hasher = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4, type=Type.ID)
    hasher.hash("warm up the library once")
    return min(_timed(lambda: hasher.hash("a long and memorable sentence"))[1] for _ in range(3))


def run(base: str) -> list[tuple[str, float]]:
    argon = hash_ms()
    out: list[tuple[str, float]] = []
    s = _session()
    r, ms = _timed(lambda: s.get(f"{base}/", timeout=60))
    assert r.status_code == 200, r.status_code
    out.append(("home page, first request", ms))

    token = _csrf(s.get(f"{base}/login", timeout=60).text)
    form = {"csrf_token": token, "email": "staff@demo.clinicmatch.test", "password": DEMO_PASSWORD}
    r, ms = _timed(lambda: s.post(f"{base}/login", data=form, allow_redirects=False, timeout=60))
    assert r.status_code == 302, r.status_code
    out.append(("staff log-in (POST)", ms - argon))
    r, ms = _timed(lambda: s.get(f"{base}/staff/", timeout=60))
    out.append(("staff dashboard after log-in", ms))

    s = _session()
    token = _csrf(s.get(f"{base}/register", timeout=60).text)
    signup = {
        "csrf_token": token,
        "account_type": "clinic",
        "email": f"bench-{time.time_ns()}@example.com",
        "password": "a long and memorable sentence",
        "confirm": "a long and memorable sentence",
        "clinic_name": "Bench Family Practice",
        "zip_code": "02139",
        "phone": "617 555 0142",
        "accept_terms": "y",
    }
    r, ms = _timed(lambda: s.post(f"{base}/register", data=signup, allow_redirects=False))
    assert r.status_code == 302, f"clinic sign-up answered {r.status_code}"
    out.append(("clinic sign-up (POST)", ms - argon))

    s = _session()
    token = _csrf(s.get(f"{base}/login", timeout=60).text)
    form = {"csrf_token": token, "email": "candidate@demo.clinicmatch.test"}
    form["password"] = DEMO_PASSWORD
    s.post(f"{base}/login", data=form, allow_redirects=False, timeout=60)
    parser = _FormFields("profile-form")
    parser.feed(s.get(f"{base}/me/profile", timeout=60).text)
    r, ms = _timed(
        lambda: s.post(f"{base}/me/profile", data=parser.fields, allow_redirects=False, timeout=60)
    )
    assert r.status_code == 302, f"profile save answered {r.status_code}"
    out.append(("candidate profile save (POST)", ms))
    return out


def report(rows: list[tuple[str, float]]) -> None:
    print(f"first visits (one request each, password hashing aside; target < {TARGET_MS} ms)")
    for name, ms in rows:
        print(f"  {name:<34} {ms:7.0f} ms  {'ok' if ms < TARGET_MS else 'SLOW'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:5000")
    report(run(parser.parse_args().base))


if __name__ == "__main__":
    main()
