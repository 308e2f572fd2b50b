from django import template

from assessment.agency_views import QuestionViews

register = template.Library()


@register.filter
def cell(row: QuestionViews, agency: str) -> str:
    """How one agency's view of a question reads in the side-by-side table."""
    return row.cell(agency)
