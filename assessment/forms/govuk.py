"""GOV.UK Design System markup for the fields of an answer form, written in Python.

A theme page draws a dozen answer forms of radios with hints, date inputs and character counts.
Through crispy-forms-gds that took about 2,600 template renders a page, 25 to 35 times the cost
of a bare Django view. These functions write the markup of the GOV.UK components (the same
classes and ids as crispy-forms-gds, so error summary links and the GOV.UK JavaScript behave the
same) in a fraction of the time. Every value passes through ``_e``, which escapes it unless it
is already safe HTML. Other forms keep their crispy layouts.
"""

import html
from collections.abc import Iterable

from django import forms
from django.utils.safestring import SafeString, mark_safe


def _e(value: object) -> str:
    """Escape a value for HTML text or a quoted attribute, unless it is already safe HTML.

    The standard library's escape, not Django's: Django's is wrapped for lazy strings and that
    wrapper was most of the cost of a page."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value), quote=True)


def _attrs(**attrs: object) -> str:
    """` name="value"` pairs; None and False are left out, True is a bare attribute.
    ``class_`` stands for ``class``, and underscores become hyphens (``aria_describedby``)."""
    out = []
    for name, value in attrs.items():
        if value is None or value is False:
            continue
        name = name.rstrip("_").replace("_", "-")
        out.append(f" {name}" if value is True else f' {name}="{_e(value)}"')
    return "".join(out)


def _errors(field: forms.BoundField) -> tuple[str, list[str]]:
    """The error messages of a field and their ids, numbered from 1 as crispy-forms-gds does."""
    ids = [f"{field.auto_id}_{n}_error" for n in range(1, len(field.errors) + 1)]
    messages = "".join(
        f'<p id="{error_id}" class="govuk-error-message">'
        f'<span class="govuk-visually-hidden">Error:</span> {_e(message)}</p>'
        for error_id, message in zip(ids, field.errors, strict=True)
    )
    return messages, ids


def _hint(field: forms.BoundField) -> tuple[str, list[str]]:
    if not field.help_text:
        return "", []
    hint_id = f"{field.auto_id}_hint"
    # help_text is either our own safe HTML (the question intro) or plain text, escaped.
    return f'<div id="{hint_id}" class="govuk-hint">{_e(field.help_text)}</div>', [hint_id]


def _group(field: forms.BoundField, body: str) -> str:
    error = " govuk-form-group--error" if field.errors else ""
    return f'<div id="div_{field.auto_id}" class="govuk-form-group{error}">{body}</div>'


def _label(field: forms.BoundField, code: str) -> str:
    """The field's label; with ``code`` (a question's), the code first as visually hidden text,
    so that a label repeated on every question ("How do you know?") says which one it is."""
    if not code:
        return _e(field.label)
    return f'<span class="govuk-visually-hidden">{_e(code)} </span>{_e(field.label)}'


def _describedby(ids: list[str]) -> str | None:
    return " ".join(ids) or None


def hidden(field: forms.BoundField) -> SafeString:
    return mark_safe(  # noqa: S308 - _attrs escapes
        f"<input{_attrs(type='hidden', name=field.html_name, value=field.value(), id=field.auto_id)}>"
    )


def choices(
    field: forms.BoundField,
    *,
    legend: str,
    exclusive: str = "",
    reveals: dict[str, tuple[str, str]] | None = None,
    heading: bool = True,
    small: bool = False,
) -> SafeString:
    """Radios (one answer) or checkboxes (several), each option with its hint, under a legend
    that is the page's h2 for the question (or, without ``heading``, a plain legend).
    ``exclusive`` is the value of a checkbox such as "None of these": after an "or" divider,
    and unticking the others when ticked. ``reveals`` maps an option's value to the id and
    markup of what is shown when it is chosen (the GOV.UK conditional reveal: without JavaScript, always shown)."""
    reveals = reveals or {}
    multiple = isinstance(field.field.widget, forms.CheckboxSelectMultiple)
    kind = "checkboxes" if multiple else "radios"
    value = field.value()
    selected = {str(v) for v in value or ()} if multiple else {str(value)}
    hint, hint_ids = _hint(field)
    errors, error_ids = _errors(field)
    if not isinstance(field.field, forms.ChoiceField):
        raise TypeError(f"{field.name} is not a choice field")
    # Django normalises the choices (a callable becomes an iterator); the stubs' getter type
    # still names the callables the setter accepts.
    choices: Iterable = field.field.choices  # type: ignore[assignment]
    items = []
    for number, choice in enumerate(choices, start=1):
        option_value, label = choice[0], choice[1]
        option_hint = getattr(choice, "hint", "")
        input_id = f"{field.auto_id}_{number}"
        attrs = _attrs(
            type="checkbox" if multiple else "radio",
            name=field.html_name,
            class_=f"govuk-{kind}__input",
            id=input_id,
            value=option_value,
            checked=str(option_value) in selected,
            disabled=field.field.disabled,
            aria_describedby=f"{input_id}_hint" if option_hint else None,
            data_behaviour="exclusive" if multiple and option_value == exclusive else None,
            # Radios reveal through our own script (static/src/app.js): GOV.UK's marks them
            # aria-expanded, which a radio may not carry.
            data_app_reveal=f"conditional-{reveals[option_value][0]}"
            if option_value in reveals
            else None,
        )
        if multiple and option_value == exclusive:
            items.append('<div class="govuk-checkboxes__divider">or</div>')
        items.append(
            f'<div class="govuk-{kind}__item"><input{attrs}>'
            f'<label class="govuk-label govuk-{kind}__label" for="{input_id}">{_e(label)}</label>'
            + (
                f'<div id="{input_id}_hint" class="govuk-hint govuk-{kind}__hint">{_e(option_hint)}</div>'
                if option_hint
                else ""
            )
            + "</div>"
        )
        if option_value in reveals:
            reveal_id, markup = reveals[option_value]
            hidden = "" if str(option_value) in selected else f" govuk-{kind}__conditional--hidden"
            items.append(
                f'<div class="govuk-{kind}__conditional{hidden}" id="conditional-{reveal_id}">{markup}</div>'
            )
    return mark_safe(  # noqa: S308 - every value escaped by _e or _attrs
        _group(
            field,
            f'<fieldset class="govuk-fieldset"{_attrs(aria_describedby=_describedby(hint_ids + error_ids))}>'
            '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">'
            + (f'<h2 class="govuk-fieldset__heading">{_e(legend)}</h2>' if heading else _e(legend))
            + f'</legend>{hint}{errors}<div class="govuk-{kind}{" govuk-" + kind + "--small" if small else ""}" data-module="govuk-{kind}">{"".join(items)}</div>'
            "</fieldset>",
        )
    )


def text_input(field: forms.BoundField, *, width: str = "", code: str = "") -> SafeString:
    """A one-line input; ``width`` is a GOV.UK width class such as ``govuk-!-width-one-quarter``."""
    hint, hint_ids = _hint(field)
    errors, error_ids = _errors(field)
    classes = " ".join(
        c for c in ("govuk-input", width, "govuk-input--error" if errors else "") if c
    )
    attrs = _attrs(
        type="text",
        name=field.html_name,
        value=field.value(),
        inputmode=field.field.widget.attrs.get("inputmode"),
        class_=classes,
        aria_describedby=_describedby(hint_ids + error_ids),
        aria_invalid="true" if errors else None,
        disabled=field.field.disabled,
        id=field.auto_id,
    )
    return mark_safe(  # noqa: S308 - every value escaped by _e or _attrs
        _group(
            field,
            f'<label class="govuk-label" for="{field.auto_id}">{_label(field, code)}</label>'
            f"{hint}{errors}<input{attrs}>",
        )
    )


def date_input(field: forms.BoundField, *, code: str = "") -> SafeString:
    """Day, month and year boxes in a fieldset whose legend is the field's label."""
    value = field.value()
    if not isinstance(value, list | tuple):
        value = field.field.widget.decompress(value)
    hint, hint_ids = _hint(field)
    errors, error_ids = _errors(field)
    error_class = " govuk-input--error" if errors else ""
    parts = []
    for number, (name, width) in enumerate((("Day", 2), ("Month", 2), ("Year", 4))):
        part_id = f"{field.auto_id}_{number}"
        part = value[number] if value and value[number] not in (None, "") else None
        attrs = _attrs(
            type="text",
            name=f"{field.html_name}_{number}",
            value=part,
            inputmode="numeric",
            class_=f"govuk-input govuk-date-input__input govuk-input--width-{width}{error_class}",
            aria_invalid="true" if errors else None,
            disabled=field.field.disabled,
            id=part_id,
        )
        parts.append(
            '<div class="govuk-date-input__item"><div class="govuk-form-group">'
            f'<label class="govuk-label govuk-date-input__label" for="{part_id}">{name}</label>'
            f"<input{attrs}></div></div>"
        )
    return mark_safe(  # noqa: S308 - every value escaped by _e or _attrs
        _group(
            field,
            f'<fieldset class="govuk-fieldset" role="group"{_attrs(aria_describedby=_describedby(hint_ids + error_ids))}>'
            f'<legend class="govuk-fieldset__legend">{_label(field, code)}</legend>{hint}{errors}'
            f'<div class="govuk-date-input" id="{field.auto_id}">{"".join(parts)}</div></fieldset>',
        )
    )


def textarea(
    field: forms.BoundField, *, rows: int = 5, max_characters: int = 0, code: str = ""
) -> SafeString:
    """A textarea; with ``max_characters``, the GOV.UK character count around it."""
    hint, hint_ids = _hint(field)
    errors, error_ids = _errors(field)
    info_id = f"{field.auto_id}-info"
    classes = "govuk-textarea"
    if max_characters:
        classes += " govuk-js-character-count"
    if errors:
        classes += " govuk-textarea--error"
    attrs = _attrs(
        name=field.html_name,
        rows=rows,
        maxlength=field.field.max_length if isinstance(field.field, forms.CharField) else None,
        class_=classes,
        aria_describedby=_describedby(hint_ids + ([info_id] if max_characters else []) + error_ids),
        aria_invalid="true" if errors else None,
        disabled=field.field.disabled,
        id=field.auto_id,
    )
    # The newline after <textarea> is dropped by the HTML parser, so a value that starts with
    # one keeps it (as Django's own widget does).
    body = (
        f'<label class="govuk-label" for="{field.auto_id}">{_label(field, code)}</label>{hint}{errors}'
        f"<textarea{attrs}>\n{_e(field.value() or '')}</textarea>"
    )
    if not max_characters:
        return mark_safe(_group(field, body))  # noqa: S308 - every value escaped
    body += (
        f'<div id="{info_id}" class="govuk-hint govuk-character-count__message">'
        f"You can enter up to {max_characters} characters</div>"
    )
    return mark_safe(  # noqa: S308 - every value escaped by _e or _attrs
        '<div class="govuk-character-count" data-module="govuk-character-count" '
        f'data-maxlength="{max_characters}">{_group(field, body)}</div>'
    )


def checkbox(field: forms.BoundField, *, code: str = "", reveal: str = "") -> SafeString:
    """One small checkbox, such as "this question does not apply"; ``reveal`` is markup shown
    when it is ticked (the GOV.UK conditional reveal: without JavaScript, always shown)."""
    errors, error_ids = _errors(field)
    checked = bool(field.value())
    reveal_id = f"conditional-{field.auto_id}"
    attrs = _attrs(
        type="checkbox",
        name=field.html_name,
        class_="govuk-checkboxes__input",
        id=field.auto_id,
        checked=checked,
        aria_describedby=_describedby(error_ids),
        disabled=field.field.disabled,
        data_aria_controls=reveal_id if reveal else None,
    )
    conditional = (
        f'<div class="govuk-checkboxes__conditional{"" if checked else " govuk-checkboxes__conditional--hidden"}" id="{reveal_id}">{reveal}</div>'
        if reveal
        else ""
    )
    return mark_safe(  # noqa: S308 - every value escaped by _e or _attrs; reveal is safe markup
        _group(
            field,
            f'{errors}<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">'
            f'<div class="govuk-checkboxes__item"><input{attrs}>'
            f'<label class="govuk-label govuk-checkboxes__label" for="{field.auto_id}">{_label(field, code)}</label>'
            f"</div>{conditional}</div>",
        )
    )


def fieldset(*, legend: str, intro: str, body: Iterable[str]) -> SafeString:
    """The fieldset around a question whose answer is several fields (numbers, dates, text)."""
    return mark_safe(  # noqa: S308 - every value escaped by _e
        '<fieldset class="govuk-fieldset"><legend class="govuk-fieldset__legend govuk-fieldset__legend--s">'
        f'<h2 class="govuk-fieldset__heading">{_e(legend)}</h2></legend>{_e(intro)}{"".join(_e(part) for part in body)}'
        "</fieldset>"
    )
