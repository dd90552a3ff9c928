"""One compile per URL rule for the whole test process, instead of one per test.

Every test builds its own app, and for each of the app's ~200 URL rules werkzeug generates and
compiles two small Python functions (`Rule._compile_builder`): over half of `create_app`, and
about a quarter of the suite's time. The generated function depends only on the rule's text,
its parsed parts, its defaults and its converters, and keeps no state (the rule arrives as an
argument), so one compiled function serves the same rule in every app. The production server
builds one app and is left as it is. tests/test_url_builders.py checks the cached builders
give the URLs a fresh compile gives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing.rules import Rule

_compile = Rule._compile_builder
_cache: dict[tuple[Any, ...], Callable[..., tuple[str, str]]] = {}


def _key(rule: Rule, append_unknown: bool) -> tuple[Any, ...]:
    defaults = sorted((name, repr(value)) for name, value in (rule.defaults or {}).items())
    converters = sorted(
        (name, type(c), repr({k: v for k, v in vars(c).items() if k != "map"}))
        for name, c in rule._converters.items()
    )
    return (rule.rule, tuple(rule._trace), tuple(defaults), tuple(converters), append_unknown)


def _cached_compile(rule: Rule, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
    key = _key(rule, append_unknown)
    builder = _cache.get(key)
    if builder is None:
        builder = _cache[key] = _compile(rule, append_unknown)
    return builder


def install() -> None:
    Rule._compile_builder = _cached_compile  # type: ignore[method-assign, assignment]


def fresh_compile(rule: Rule, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
    """werkzeug's own compile, bypassing the cache (for the test that compares the two)."""
    return _compile(rule, append_unknown)
