"""The rules an imported row is checked by: the very forms staff and clinics type into.

Each checker binds its form once and runs every row through `process` and `validate` (binding a
form per row cost more than the rules themselves), so a row passes exactly when the same values
typed into the page would. The candidate form's rules each judge one field alone, so a candidate
row is checked field by field, each value once (see `FieldByField`). Registered with the import
service when the blueprint loads.
"""

from __future__ import annotations

import re
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import Form

from agency.forms import BaseForm, base_problems
from agency.models import ImportKind
from agency.opening_forms import OpeningForm
from agency.services import imports, openings
from agency.services.engine import taxonomy
from agency.staff.forms import CandidateIntakeForm

_LIST_SPLIT = re.compile(r"\s*[;,|]\s*")


def _items(cell: str) -> list[str]:
    return [item for item in _LIST_SPLIT.split(cell.strip()) if item]


def _choice(cell: str) -> str:
    """A select's value as people type it: "Temp to hire" -> "temp_to_hire"."""
    return re.sub(r"[\s-]+", "_", cell.strip().lower())


def _skill_codes() -> dict[str, str]:
    """Skill code or name (any case) -> code."""
    out: dict[str, str] = {}
    for skill in taxonomy().skills:
        out[skill.code.lower()] = skill.code
        out[skill.name.lower()] = skill.code
    return out


def _skills(cell: str, codes: dict[str, str], default_level: int) -> tuple[dict[str, int], str]:
    """ "scheduling:3; Insurance verification" -> {code: level}; or the problem in words."""
    found: dict[str, int] = {}
    for item in _items(cell):
        name, _, level = item.partition(":")
        code = codes.get(name.strip().lower())
        if code is None:
            return {}, f"Unknown skill: {name.strip()[:60]}."
        if level.strip() and not (level.strip().isdigit() and 0 <= int(level) <= 4):
            return {}, f"The level of {name.strip()[:60]} must be 0 to 4."
        found[code] = int(level) if level.strip() else default_level
    return found, ""


# Values remembered per field (a file's ZIP codes, roles and names repeat; e-mails do not):
# past this many, a field's memory starts over, so a large file cannot grow it without end.
REMEMBERED_VALUES = 20_000


class FieldByField:
    """A form's rules applied one field at a time, each distinct value of a field judged once.

    For a form whose every rule judges one field alone (no `validate_<field>` methods, no
    `validate` of its own beyond the base form's), a row is valid exactly when each of its
    values is valid in its field. Each field is checked by the form's own class with the other
    fields taken out (WTForms drops a field set to None in a subclass), so the filters, the
    validators and the base form's checks are the form's very own; only the framework's work
    per row (processing and validating seven fields to judge the two that are new) is saved.
    Returns None from `for_form` when the form's rules may span fields: check whole rows then.
    """

    def __init__(self, form_class: type[Form], names: list[str]) -> None:
        self.names = names
        self.forms = {
            name: type(
                f"{form_class.__name__}Only_{name}",
                (form_class,),
                {other: None for other in names if other != name},
            )(formdata=None, meta={"csrf": False})
            for name in names
        }
        self.known: dict[str, dict[str, tuple[Any, str]]] = {name: {} for name in names}

    @classmethod
    def for_form(cls, form: Form) -> FieldByField | None:
        form_class = type(form)
        names = [field.name for field in form]
        inline = {f"{kind}_{name}" for kind in ("validate", "filter") for name in names}
        if form_class.validate is not BaseForm.validate or inline & set(dir(form_class)):
            return None
        return cls(form_class, names)

    def _judge(self, name: str, value: str | None) -> tuple[Any, str]:
        # The steps of form.process and form.validate for the one field, minus the framework's
        # loops around them: a cell is always text, so the base form's formdata filter (which
        # drops files and non-text) has nothing to drop, and for_form made sure there are no
        # inline filters or validators to pass along.
        form = self.forms[name]
        field = form[name]
        field.process(MultiDict({} if value is None else {name: value}))
        ok = field.validate(form)
        problems = [*field.errors, *base_problems(field)]
        if ok and not problems:
            return field.data, ""
        return None, problems[0]

    def __call__(self, values: dict[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        data: dict[str, Any] = {}
        problems: list[tuple[str, str]] = []
        for name in self.names:
            value = values.get(name)
            known = self.known[name]
            key = "\x00absent" if value is None else value
            found = known.get(key)
            if found is None:
                if len(known) >= REMEMBERED_VALUES:
                    known.clear()
                found = known[key] = self._judge(name, value)
            data[name], problem = found
            if problem:
                problems.append((name, problem))
        return data, problems


class CandidateRows:
    """A candidate row by the staff intake form's rules (the sign-up's), plus a skills list."""

    def __init__(self) -> None:
        self.form = CandidateIntakeForm(formdata=None, meta={"csrf": False})
        self.fields = FieldByField.for_form(self.form)
        self.codes = _skill_codes()

    def __call__(self, values: dict[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        data = {k: v for k, v in values.items() if k != "skills"}
        if "desired_role" in data:
            data["desired_role"] = _choice(data["desired_role"])
        if self.fields is not None:
            cleaned, problems = self.fields(data)
        else:
            form = self.form
            form.process(MultiDict(data))
            problems = [] if form.validate() else [(n, e[0]) for n, e in form.errors.items() if e]
            cleaned = form.data
        skills, problem = _skills(values.get("skills", ""), self.codes, default_level=2)
        if problem:
            problems.append(("skills", problem))
        if problems:
            return {}, problems
        return {**cleaned, "skills": skills}, []


class OpeningRows:
    """An opening row by the opening form's rules, then the opening service's own (a start date
    in the past, pay in order)."""

    def __init__(self) -> None:
        self.form = OpeningForm(formdata=None, meta={"csrf": False})
        self.codes = _skill_codes()
        tax = taxonomy()
        self.names = {
            field: {c.lower(): c for c, _ in choices} | {n.lower(): c for c, n in choices}
            for field, choices in (
                ("credentials", [(c.code, c.name) for c in tax.credentials]),
                ("ehr_systems", [(e.code, e.name) for e in tax.ehr]),
                ("languages", [(lang.code, lang.name) for lang in tax.language_defs]),
            )
        }

    def __call__(self, values: dict[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        form = self.form
        data: MultiDict[str, str] = MultiDict()
        for name, value in values.items():
            if name in ("role_type", "employment_type"):
                data.add(name, _choice(value))
            elif name in self.names:
                for item in _items(value):
                    data.add(name, self.names[name].get(item.lower(), item))
            elif name != "skills":
                data.add(name, value)
        skills, problem = _skills(values.get("skills", ""), self.codes, default_level=2)
        if problem:
            return {}, [("skills", problem)]
        for code, level in skills.items():
            data.add(f"level_{code}", str(level))
            data.add(f"weight_{code}", "medium")
        form.process(data)
        if not form.validate():
            return {}, [(n, e[0]) for n, e in form.errors.items() if e]
        draft = form.to_draft()
        found = openings.problems(draft)
        if found:
            return {}, [(e.field or "", str(e)) for e in found]
        return {"draft": draft}, []


imports.register_checker(ImportKind.CANDIDATES.value, CandidateRows)
imports.register_checker(ImportKind.OPENINGS.value, OpeningRows)
