"""The one shape of a refusal a form can show next to a field."""

from __future__ import annotations


class FieldError(ValueError):
    """A change the service refuses, in words the user can act on; `field` names the form field
    it is about (None: the form as a whole). Views show it with agency.forms.show_field_error."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
