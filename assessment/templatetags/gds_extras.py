"""Template helpers for GOV.UK Design System markup."""

from django import forms, template

register = template.Library()


@register.filter
def first_input_id(bound_field: forms.BoundField | None) -> str:
    """The id of the element an error summary link should focus.

    crispy-forms-gds gives radios and checkboxes ids ``id_<name>_1``, ``id_<name>_2`` … and no
    element carries the field's own id, so a link to ``#id_<name>`` would go nowhere.
    """
    if bound_field is None:
        return ""
    widget = bound_field.field.widget
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"id_{bound_field.html_name}_1"
    return bound_field.auto_id or ""
