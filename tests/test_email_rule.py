"""The e-mail rule's shortcut for a plainly written ASCII address agrees with email_validator,
which judges every other input (and words every refusal)."""

from __future__ import annotations

import random
import string

import email_validator
import pytest
from werkzeug.datastructures import MultiDict
from wtforms import EmailField

from agency.forms import BaseForm, EmailAddress, plainly_valid_email

ATEXT = string.ascii_letters + string.digits + "!#$%&'*+/=?^_`{|}~-"
# Characters that sit at the edges of the rules: dots, hyphens, quotes, spaces, brackets,
# non-ASCII letters and digits, a fullwidth @, combining marks, controls.
ODD = '."()<>[]\\,;: @\t\u00e9\u00df\u0661\uff20\u0301\u200b\x00\u00a0'
TLDS = [
    "com", "org", "io", "museum", "c", "c0", "123", "test", "TEST", "local", "localhost",
    "onion", "arpa", "invalid", "example", "xn--p1ai", "co--m", "x" * 63, "x" * 64, "\u00e9t",
]  # fmt: skip


def _local(rng: random.Random) -> str:
    size = rng.choice([1, 2, 5, 12, 40, 63, 64, 65, 70])
    chars = ATEXT + "." * 6 + (ODD if rng.random() < 0.3 else "")
    return "".join(rng.choice(chars) for _ in range(size))


def _label(rng: random.Random) -> str:
    size = rng.choice([0, 1, 2, 4, 8, 20, 62, 63, 64])
    chars = string.ascii_letters + string.digits + "-" * 4 + (ODD if rng.random() < 0.2 else "")
    label = "".join(rng.choice(chars) for _ in range(size))
    if rng.random() < 0.1:
        label = rng.choice(["xn--", "ab--", "a-", "-a", "xn--abc-", "ZZ--"]) + label
    return label


def generated(count: int) -> list[str]:
    rng = random.Random(11)
    found = []
    for _ in range(count):
        labels = [_label(rng) for _ in range(rng.choice([0, 1, 1, 2, 3, 5]))]
        domain = ".".join([*labels, rng.choice(TLDS)])
        if rng.random() < 0.05:  # near the 253/254 limits
            domain = ".".join(["a" * 63] * 3 + ["b" * rng.randint(55, 62)]) + ".com"
        address = f"{_local(rng)}@{domain}"
        if rng.random() < 0.05:
            address = address.replace("@", rng.choice(["", "@@", "\uff20", " @", "@."]), 1)
        found.append(address)
    # The shapes real files hold, so the shortcut is known to take most of them.
    found += [f"person{n}.{tag}@example.com" for n in range(200) for tag in "ab"]
    found += ["Ann.Lee+jobs@Mail.Example.ORG", "o'brien@clinic-1.us", "x@y.co"]
    return found


def by_library(value: str) -> bool:
    try:
        email_validator.validate_email(value, check_deliverability=False)
    except email_validator.EmailNotValidError:
        return False
    return True


def test_every_address_the_shortcut_takes_the_library_accepts() -> None:
    addresses = generated(60_000)
    taken = [a for a in addresses if plainly_valid_email(a)]
    wrongly = [a for a in taken if not by_library(a)]
    assert wrongly == []
    # The generated set reaches both sides of the shortcut's every check.
    accepted = [a for a in addresses if by_library(a)]
    assert 0.3 < len(taken) / len(accepted) < 1
    assert len(addresses) - len(accepted) > 10_000


class EmailForm(BaseForm):
    email = EmailField("E-mail", validators=[EmailAddress()])


@pytest.mark.parametrize(
    "value",
    [
        "person1.a@example.com",
        "x@y.test",
        "a..b@example.com",
        "ann@xn--p1ai.com",
        "ann@ab--c.com",
        "ann@localhost",
        "\u00e9lise@example.com",
        "ann@exa_mple.com",
        "a" * 65 + "@example.com",
        "ann@" + "a" * 64 + ".com",
        "",
    ],
)
def test_the_form_rule_gives_the_library_verdict_and_message(app, value: str) -> None:
    with app.test_request_context():
        form = EmailForm(formdata=MultiDict({"email": value}), meta={"csrf": False})
        assert form.validate() is by_library(value)
        assert form.email.errors == ([] if by_library(value) else ["Invalid email address."])
