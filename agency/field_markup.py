"""`render_field` for the templates: one WTForms field with its label, help and errors.

It was a Jinja macro calling three more macros per field; filter bars and forms render up to a
dozen fields per page, and the macro calls were a measurable share of the job board's and the
review page's time (bench/README.md). The markup is unchanged: `templates/_macros/forms.html`
documents the keywords and exports this function under the same name.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, Input, NumberInput, Select, html_params
from wtforms.widgets.core import clean_key

from agency.ui_markup import css_classes, trusted_html

HIDDEN_TYPES = frozenset({"HiddenField", "CSRFTokenField"})
SUBMIT_TYPES = frozenset({"SubmitField"})
FILE_TYPES = frozenset({"FileField", "MultipleFileField"})
GROUP_TYPES = frozenset({"FieldList", "FormField"})


def _string_errors(field: Any) -> list[str]:
    """The field's own messages (a FormField's or FieldList's children show theirs)."""
    errors = field.errors
    if isinstance(errors, dict) or not isinstance(errors, list | tuple):
        return []
    return [e for e in errors if isinstance(e, str)]


def _error_id(field: Any, index: int) -> str:
    return f"{field.id}-error" if index == 0 else f"{field.id}-error-{index + 1}"


def _error_list(field: Any, errors: list[str]) -> str:
    return "".join(
        f'<p class="field-error" id="{escape(_error_id(field, i))}">{escape(e)}</p>'
        for i, e in enumerate(errors)
    )


def _required_mark(field: Any) -> str:
    return '<span class="req" aria-hidden="true"> *</span>' if field.flags.required else ""


def _label(field: Any, text: Any = None, hidden: bool = False) -> str:
    cls = ' class="visually-hidden"' if hidden else ""
    shown = text if text is not None else field.label.text
    return f'<label for="{escape(field.id)}"{cls}>{escape(shown)}{_required_mark(field)}</label>'


def _help(field: Any, has_help: bool) -> str:
    if not has_help:
        return ""
    return f'<p class="help" id="{escape(field.id)}-help">{escape(field.description)}</p>'


def _attrs(values: dict[str, Any]) -> str:
    """Render attributes: class_ -> class, data_x -> data-x, True -> bare, False/None -> omitted."""
    out = []
    for key, value in values.items():
        if value is None or value is False:
            continue
        name = (key[:-1] if key.endswith("_") else key).replace("_", "-")
        out.append(f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"')
    return "".join(out)


def _plain_choices(field: Any) -> list[SelectChoice] | None:
    """The choices of a single <select> without groups or per-option attributes, else None."""
    choices = getattr(field, "choices", None)
    if type(field.widget) is not Select or field.widget.multiple or not isinstance(choices, list):
        return None
    for c in choices:
        if type(c) is not SelectChoice or c.render_kw or c.optgroup is not None:
            return None
    return choices


def _html_params(**kwargs: Any) -> str:
    """wtforms.widgets.html_params, same output: that one formats each attribute through
    Markup.format (string.Formatter), most of an input's rendering time."""
    params = []
    for key, value in sorted(kwargs.items()):
        key = clean_key(key)
        if value is True:
            params.append(str(escape(key)))
        elif value is not False:
            params.append(f'{escape(key)}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return " ".join(params)


def _widget_kwargs(field: Any, attrs: dict[str, Any]) -> dict[str, Any]:
    """What DefaultMeta.render_field hands the widget: cleaned keys over the field's render_kw."""
    kwargs = {clean_key(k): v for k, v in (field.render_kw or {}).items()}
    kwargs.update((clean_key(k), v) for k, v in attrs.items())
    kwargs.setdefault("id", field.id)
    return kwargs


def _add_flags(field: Any, names: list[str], kwargs: dict[str, Any]) -> None:
    """The validators' flags the widget renders (required, maxlength...). WTForms walks
    dir(flags) for each field, which sorts every attribute name; the set flags are its __dict__."""
    flags = getattr(field.flags, "__dict__", {})
    for name in names:
        if name in flags and name not in kwargs:
            value = flags[name]
            kwargs[name] = value() if callable(value) else value


def _select(field: Any, choices: list[SelectChoice], attrs: dict[str, Any]) -> str:
    kwargs = _widget_kwargs(field, attrs)
    _add_flags(field, field.widget.validation_attrs, kwargs)
    coerce, data = field.coerce, field.data
    options = []
    for c in choices:
        value = escape(str(c.value) if isinstance(c.value, bool) else c.value)
        selected = "selected " if coerce(c.value) == data else ""
        options.append(f'<option {selected}value="{value}">{escape(c.label or c.value)}</option>')
    return f"<select {_html_params(name=field.name, **kwargs)}>{''.join(options)}</select>"


def _input(field: Any, attrs: dict[str, Any]) -> str:
    widget = field.widget
    kwargs = _widget_kwargs(field, attrs)
    if type(widget).__call__ is CheckboxInput.__call__ and getattr(field, "checked", field.data):
        kwargs.setdefault("checked", True)
    if type(widget).__call__ is NumberInput.__call__:
        for name in ("step", "min", "max"):
            if getattr(widget, name) is not None:
                kwargs.setdefault(name, getattr(widget, name))
    kwargs.setdefault("type", widget.input_type)
    if "value" not in kwargs:
        kwargs["value"] = field._value()
    datalist = getattr(field, "_datalist", None)
    if datalist is not None and "list" not in kwargs:
        kwargs["list"] = datalist if isinstance(datalist, str) else datalist.id
    _add_flags(field, widget.validation_attrs, kwargs)
    return f"<input {_html_params(name=field.name, **kwargs)}>"


_PLAIN_INPUTS = (Input.__call__, NumberInput.__call__, CheckboxInput.__call__)


def _widget(field: Any, attrs: dict[str, Any]) -> Any:
    """The field's widget markup. Plain inputs and single <select>s are written here, the
    markup WTForms' own byte for byte (tests/test_markup.py compares the two): WTForms builds
    a Choice and calls html_params for every option and sorts dir(flags) for every field, a
    third of the job board's template time. Anything else goes to the widget."""
    widget = field.widget
    call = type(widget).__call__
    if call in _PLAIN_INPUTS and widget.html_params is html_params:
        return _input(field, attrs)
    choices = _plain_choices(field)
    if choices is not None:
        return _select(field, choices, attrs)
    return field(**attrs)


def render_field(field: Any, **kwargs: Any) -> Markup:
    """A field in its wrapper. Extra keywords go to the widget, except label (False hides it
    but keeps it for screen readers), label_text, wrapper_class and inline (side-by-side
    choices)."""
    attrs = dict(kwargs)
    show_label = attrs.pop("label", True)
    label_text = attrs.pop("label_text", None)
    wrapper_class = attrs.pop("wrapper_class", "")
    inline = attrs.pop("inline", False)
    ftype = field.type
    has_help = bool(getattr(field, "description", None))
    errors = _string_errors(field)
    if ftype not in GROUP_TYPES:
        ids = [f"{field.id}-help"] if has_help else []
        ids += [_error_id(field, i) for i in range(len(errors))]
        if ids:
            joined = (attrs.get("aria-describedby", "") + " " + " ".join(ids)).strip()
            attrs["aria-describedby"] = joined
    if errors:
        attrs["aria-invalid"] = "true"
    error_class = "has-error" if errors else ""
    title = label_text if label_text is not None else field.label.text

    if ftype in HIDDEN_TYPES:
        return trusted_html(field(**attrs))

    if ftype in SUBMIT_TYPES:
        fallback = attrs.pop("class", "btn-primary")
        cls = attrs.pop("class_", fallback)
        return trusted_html(field(class_="btn " + cls, **attrs))

    if ftype == "FormField":
        legend = f"<legend>{escape(title)}</legend>" if show_label else ""
        children = "\n".join(render_field(sub) for sub in field)
        return trusted_html(
            f'<fieldset class="{escape(css_classes("fieldset-group", wrapper_class))}" '
            f'id="{escape(field.id)}">{legend}{_help(field, has_help)}\n{children}\n</fieldset>'
        )

    if ftype == "FieldList":
        legend = f"<legend>{escape(title)}</legend>" if show_label else ""
        entries = "".join(
            f'<div class="field-list-item">'
            f"{render_field(entry, label_text=f'{title} {i}', **attrs)}</div>"
            for i, entry in enumerate(field, start=1)
        )
        return trusted_html(
            f'<fieldset class="{escape(css_classes("field field-list-wrap", wrapper_class))}" '
            f'id="{escape(field.id)}">{legend}{_help(field, has_help)}'
            f'<div class="field-list">{entries}</div>{_error_list(field, errors)}</fieldset>'
        )

    if ftype == "BooleanField":
        cls = css_classes("field field-check", error_class, wrapper_class)
        return trusted_html(
            f'<div class="{escape(cls)}">{_widget(field, attrs)}'
            f"{_label(field, label_text, not show_label)}{_help(field, has_help)}"
            f"{_error_list(field, errors)}</div>"
        )

    option_widget = getattr(field, "option_widget", None)
    option_input = getattr(option_widget, "input_type", None)
    if ftype == "RadioField" or option_input in ("checkbox", "radio"):
        # Radio buttons, or a SelectMultipleField whose option_widget is CheckboxInput.
        described = attrs.pop("aria-describedby", None)
        group = _attrs({"aria-describedby": described}) if described else ""
        if option_input == "checkbox":
            # WTForms copies the group's validators onto every option: a "required" checkbox
            # group would then demand every box. The server validates the group instead.
            attrs["required"] = False
        choices = getattr(field, "choices", None)
        layout = "choices-inline" if inline else ""
        if not inline and choices and len(choices) > 6:
            layout = "choices-columns"
        legend_cls = "" if show_label else ' class="visually-hidden"'
        options = "".join(
            f'<div class="choice">{opt(**attrs)} '
            f'<label for="{escape(opt.id)}">{escape(opt.label.text)}</label></div>'
            for opt in field
        )
        cls = css_classes("field", error_class, wrapper_class)
        return trusted_html(
            f'<fieldset class="{escape(cls)}" id="{escape(field.id)}"{group}>'
            f"<legend{legend_cls}>{escape(title)}{_required_mark(field)}</legend>"
            f'{_help(field, has_help)}<div class="{escape(css_classes("choices", layout))}">'
            f"{options}</div>{_error_list(field, errors)}</fieldset>"
        )

    # Text-like inputs, selects, textareas, file inputs, dates, numbers...
    file_class = "field-file" if ftype in FILE_TYPES else ""
    cls = css_classes("field", file_class, error_class, wrapper_class)
    return trusted_html(
        f'<div class="{escape(cls)}">{_label(field, label_text, not show_label)}'
        f"{_widget(field, attrs)}{_error_list(field, errors)}{_help(field, has_help)}</div>"
    )


def init_app(app: Any) -> None:
    # forms.html re-exports it as `render_field`, so templates keep importing it from there.
    app.jinja_env.globals["field_markup"] = render_field
