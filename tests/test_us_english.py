"""The product speaks US English: no British spellings in the templates or the application's
text (a list of the usual suspects; identifiers such as aria-labelledby are HTML, not words)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BRITISH = re.compile(
    r"\b\w*(?:organis|licence|colour|favour|behaviour|centre\b|centres\b|judgement|authoris"
    r"|recognis|cancell|travell|enrol\b|enrolment|programme|catalogue|analys[ei]|whilst|grey\b"
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


def test_no_british_spellings_in_the_ui() -> None:
    hits = []
    for path in _files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            hits += [
                f"{path.relative_to(ROOT)}:{number}: {m.group(0)}" for m in BRITISH.finditer(line)
            ]
    assert hits == [], "\n".join(hits)


def test_the_check_knows_the_usual_british_words() -> None:
    for word in ("organisation", "licence", "colour", "centre", "authorise", "favourite"):
        assert BRITISH.search(word), word
    for word in ("organization", "license", "color", "center", "authorize", "aria-labelledby"):
        assert not BRITISH.search(word), word
