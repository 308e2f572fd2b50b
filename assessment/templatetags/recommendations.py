"""Template helpers for recommendations and the register."""

from django import template

register = template.Library()


@register.filter
def related_to(related: dict, code: str) -> list:
    """The recommendations related to a question code, from a {code: [recommendation]} map."""
    return related.get(code, []) if related else []


@register.filter
def theme_code(question_code: str) -> str:
    """'PP' from 'PP-03'."""
    return question_code.rsplit("-", 1)[0]
