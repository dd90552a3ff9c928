"""What makes a password acceptable (services.password_policy); the registration page's short and
common cases are in tests/auth/test_register.py."""

from __future__ import annotations

from agency.services.password_policy import MAX_LENGTH, MIN_LENGTH, problems


def test_a_long_uncommon_password_passes() -> None:
    assert problems("correct horse battery staple", "maria@example.com") == []


def test_the_length_limits_are_inclusive() -> None:
    assert problems("k" * (MIN_LENGTH - 1) + "9") == []
    assert problems("k7" * (MAX_LENGTH // 2)) == []
    assert problems("k7" * (MAX_LENGTH // 2) + "x") == [f"Use at most {MAX_LENGTH} characters."]


def test_a_common_password_is_refused_whatever_its_case() -> None:
    assert problems("1QAZ2WSX3EDC") == [
        "This password is too common; choose one that is harder to guess."
    ]


def test_the_email_address_is_not_a_password_even_with_spaces_or_capitals() -> None:
    found = problems("Maria.Lopez@Example.com", " maria.lopez@example.com ")
    assert found == ["Do not use your e-mail address as your password."]
    assert problems("maria.lopez@example.com") == []  # no address given, nothing to compare


def test_every_problem_is_reported_at_once() -> None:
    assert len(problems("abc@x.io", "ABC@x.io")) == 2  # too short and the address
