"""Template helpers for GOV.UK Design System markup."""

from functools import lru_cache

from django import forms, template
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html

from assessment.models import Agency, Nation
from assessment.models.framework import anchor, cite

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
    if isinstance(widget, forms.MultiWidget):  # GOV.UK date input: the day box
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id or ""


@lru_cache(maxsize=64)
def _sources_url(slug: str, version: str, prefix: str) -> str:
    return reverse("sources", args=[slug, version])


@register.simple_tag
def citation(reference: dict, framework) -> str:
    """A citation ('Annex 4 para 62', 'HMICFRS 2023, recommendation 3') linking to where the
    framework's sources page lists it.

    A page cites hundreds of references of one framework: the URL of its sources page is
    looked up once (per script prefix), not once per citation.
    """
    url = _sources_url(framework.slug, framework.version, get_script_prefix())
    return format_html(
        '<a class="govuk-link" href="{}#{}">{}</a>', url, anchor(reference), cite(reference)
    )


@register.filter
def level_tag(level: str) -> str:
    """GOV.UK tag colour for a ladder level; the level's name is always written too."""
    return {
        "poor": "govuk-tag--red",
        "developing": "govuk-tag--orange",
        "established": "govuk-tag--blue",
        "good": "govuk-tag--green",
    }.get(level, "govuk-tag--grey")


@register.filter
def agency_names(codes: list[str]) -> str:
    labels = dict(Agency.choices)
    return ", ".join(labels.get(code, code) for code in codes)


@register.filter
def nation_names(codes: list[str]) -> str:
    labels = dict(Nation.choices)
    names = [labels.get(code, code) for code in codes]
    return "England and Wales" if len(names) == 2 else ", ".join(names)


@register.filter
def agency_label(code: str) -> str:
    return dict(Agency.choices).get(code, code)


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key)


@register.filter
def thousands(number: int) -> str:
    """10000 -> '10,000'."""
    return f"{number:,}"
