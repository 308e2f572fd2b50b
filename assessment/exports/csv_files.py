"""CSV files of an assessment's answers (and the helpers the action plan's CSV uses).

CSV files open in Excel: UTF-8 with a byte-order mark, and any cell that Excel would read as a
formula (starting with =, +, -, @, or a tab or carriage return) is prefixed with an apostrophe so
that it stays text.
"""

import csv
import io

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from assessment.evidence import evidence_of
from assessment.results import scored

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: list[str], rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return "\ufeff" + buffer.getvalue()


def csv_response(filename: str, header: list[str], rows: list[list]) -> HttpResponse:
    response = HttpResponse(csv_text(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=filename) or ""
    )
    return response


def _item_cell(item) -> str:
    """An evidence item in a cell: its title and dates."""
    dates = [f"produced {item.produced.isoformat()}"]
    if item.period_start and item.period_end:
        dates.append(f"covers {item.period_start.isoformat()} to {item.period_end.isoformat()}")
    if item.review_by:
        dates.append(f"review by {item.review_by.isoformat()}")
    return f"{item.title} ({', '.join(dates)})"


def answers_csv_rows(assessment) -> tuple[list[str], list[list]]:
    """One row per question that applies to the partnership, answered or not."""
    data = scored(assessment)
    levels = {q.code: q for t in data.result.themes for q in t.questions}
    header = [
        "Theme",
        "Code",
        "Question",
        "Answer",
        "Level",
        "Points",
        "How do you know",
        "Evidence items",
        "Not applicable because",
        "Answered by",
        "Agency",
        "Updated",
    ]
    items = evidence_of(data)
    rows = []
    for question in data.questions:
        answer = data.answers.get(question.pk)
        result = levels.get(question.code)
        if answer is None:
            value = ""
        elif question.kind in ("single", "yes_no", "multiple"):
            value = "; ".join(o.label for o in answer.chosen_options(question.options.all()))
        elif question.kind == "indicator":
            value = (
                f"{answer.numerator} of {answer.denominator}"
                if answer.numerator is not None
                else ""
            )
        elif question.kind == "count":
            value = "" if answer.number is None else str(answer.number)
        elif question.kind == "date":
            value = answer.date_value.isoformat() if answer.date_value else ""
        else:
            value = answer.text
        rows.append(
            [
                question.theme.title,
                question.code,
                question.text,
                value,
                (result.level or "") if result else "",
                "" if not result or result.points is None else result.points,
                answer.evidence if answer else "",
                "; ".join(_item_cell(i) for i in items.get(question.code, [])),
                answer.not_applicable_reason if answer else "",
                (answer.author_email or "") if answer else "",
                answer.agency if answer else "",
                answer.updated.isoformat(timespec="seconds") if answer and answer.updated else "",
            ]
        )
    return header, rows
