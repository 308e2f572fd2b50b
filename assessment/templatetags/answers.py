"""Showing an answer's values in words (check your answers, conflicts, history)."""

from django import template

from assessment.forms.answers import first_input_id
from assessment.models import Kind

register = template.Library()
register.filter("first_input", first_input_id)


def _date(value) -> str:
    return value.strftime("%-d %B %Y") if value else ""


@register.simple_tag
def describe(question, values: dict, options) -> list[tuple[str, str]]:
    """Rows of (what, value) for an answer given as plain values (see workflow.values_of)."""
    if values.get("not_applicable"):
        return [("Answer", "Does not apply"), ("Why", values.get("not_applicable_reason") or "")]
    by_pk = {o.pk: o for o in options}
    rows: list[tuple[str, str]] = []
    kind = question.kind
    if kind in (Kind.SINGLE, Kind.YES_NO, Kind.MULTIPLE):
        chosen = [by_pk[pk] for pk in values.get("selected") or [] if pk in by_pk]
        rows.append(
            (
                "Answer",
                "; ".join(f"{o.label} ({o.get_level_display().lower()})" for o in chosen)
                or "Not answered",
            )
        )
    elif kind == Kind.INDICATOR:
        numerator, denominator = values.get("numerator"), values.get("denominator")
        if numerator is not None and denominator:
            rows.append(
                ("Figure", f"{numerator} of {denominator} ({100 * numerator / denominator:.1f}%)")
            )
        else:
            rows.append(("Figure", "Not answered"))
    elif kind == Kind.COUNT:
        rows.append(
            ("Number", "Not answered" if values.get("number") is None else str(values["number"]))
        )
    elif kind == Kind.DATE:
        rows.append(("Date", _date(values.get("date_value")) or "Not answered"))
    else:
        rows.append(("Answer", values.get("text") or "Not answered"))
    if values.get("period_start") or values.get("period_end"):
        rows.append(
            ("Period", f"{_date(values.get('period_start'))} to {_date(values.get('period_end'))}")
        )
    rows.append(("How do you know?", values.get("evidence") or "Not given"))
    return rows
