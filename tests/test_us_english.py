"""The product speaks US English: no British spellings in the templates or the application's
text (a list of the usual suspects; identifiers such as aria-labelledby are HTML, not words)."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BRITISH = re.compile(
    r"\b\w*(?:organis|licence|colour|favour|behaviour|centre\b|centres\b|judgement|authoris"
    r"|recognis|cancell(?:ed|ing)|travell|enrol\b|enrolment|programme|catalogue|analys[ei]|whilst|grey\b"
    r"|apologis|summaris|prioritis|realis|customis|finalis|specialis(?:e|ed|ing)\b|utilis"
    r"|minimis|maximis|optimis|labelled\b|labelling|neighbour|defence|offence|cheque"
    r"|ageing|fulfil\b|learnt|spelt|towards)\w*",
    re.IGNORECASE,
)
SKIP = {"agency/data/common_passwords.txt"}


def _files() -> list[Path]:
    found = [p for p in (ROOT / "templates").rglob("*") if p.suffix in (".html", ".txt", ".xml")]
    for suffix in ("*.py", "*.js", "*.css"):
        found += [p for p in (ROOT / "agency").rglob(suffix) if "migrations" not in p.parts]
    return [p for p in found if str(p.relative_to(ROOT)) not in SKIP]


def _is_code(line: str, start: int, end: int) -> bool:
    """A stored value or a name, not a word people read: part of a snake_case name or an
    attribute (`late_cancelled`, `.cancelled`), or a value quoted whole (`== 'cancelled'`):
    the statuses the database keeps ("cancelled") are data, renamed only with a migration."""
    word = line[start:end]
    before, after = line[start - 1 : start], line[end : end + 1]
    quoted = before != "" and before in "'\"" and after == before
    camel = any(c.isupper() for c in word[1:])
    return quoted or camel or "_" in word or (before in ("_", ".") and before != "")


def _text_lines(path: Path) -> list[tuple[int, str]]:
    """What a person may read: a template's lines; a Python module's string literals (its
    names and comments are code, not text)."""
    source = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        return list(enumerate(source.splitlines(), 1))
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return [(t.start[0], t.string) for t in tokens if t.type == tokenize.STRING]


def test_no_british_spellings_in_the_ui() -> None:
    hits = []
    for path in _files():
        for number, line in _text_lines(path):
            hits += [
                f"{path.relative_to(ROOT)}:{number}: {m.group(0)}"
                for m in BRITISH.finditer(line)
                if not _is_code(line, m.start(), m.end())
            ]
    assert hits == [], "\n".join(hits)


def test_the_check_knows_the_usual_british_words() -> None:
    for word in ("organisation", "licence", "colour", "centre", "authorise", "favourite"):
        assert BRITISH.search(word), word
    for word in (
        "organization",
        "license",
        "color",
        "center",
        "authorize",
        "aria-labelledby",
        "cancellation",
        "canceled",
    ):
        assert not BRITISH.search(word), word
