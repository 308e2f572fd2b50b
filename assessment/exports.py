"""CSV and JSON exports, and JSON import.

CSV files open in Excel: UTF-8 with a byte-order mark, and any cell that Excel would read as a
formula (starting with =, +, -, @, or a tab or carriage return) is prefixed with an apostrophe so
that it stays text.
"""

import csv
import io
import json
from datetime import date

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import content_disposition_header

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
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response


# JSON: the partnership's own data, to take away and bring back ----------------------------

SCHEMA = "partnership-self-assessment"
SCHEMA_VERSION = 1
MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 8
MAX_ITEMS = 5000


class ImportProblem(ValueError):
    """A file that cannot be imported; ``problems`` lists every reason found."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def export_assessment(assessment) -> dict:
    """Everything the assessment holds, as documented in docs/export-format.md."""
    from assessment import snapshots
    from assessment.models import Action, Answer, Comment

    answers = (
        Answer.objects.filter(assessment=assessment)
        .select_related("question", "answered_by")
        .prefetch_related("question__options")
        .order_by("question__theme__order", "question__order")
    )
    snapshot = snapshots.latest(assessment)
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "framework": {"slug": assessment.framework.slug, "version": assessment.framework.version},
        "partnership": {
            "name": assessment.partnership.name,
            "nation": assessment.partnership.nation,
        },
        "assessment": {
            "title": assessment.title,
            "period_start": assessment.period_start.isoformat(),
            "period_end": assessment.period_end.isoformat(),
            "status": assessment.status,
            "carried_from": assessment.carried_from.title if assessment.carried_from else None,
        },
        "answers": [
            {
                "question": a.question.code,
                "selected": [o.label for o in a.question.options.all() if o.pk in a.selected],
                "numerator": a.numerator,
                "denominator": a.denominator,
                "number": a.number,
                "date": a.date_value.isoformat() if a.date_value else None,
                "period_start": a.period_start.isoformat() if a.period_start else None,
                "period_end": a.period_end.isoformat() if a.period_end else None,
                "text": a.text,
                "evidence": a.evidence,
                "not_applicable": a.not_applicable,
                "not_applicable_reason": a.not_applicable_reason,
                "needs_reconfirmation": a.needs_reconfirmation,
                "answered_by": a.answered_by.email if a.answered_by else None,
                "agency": a.agency,
                "updated": a.updated.isoformat(timespec="seconds"),
            }
            for a in answers
        ],
        "comments": [
            {
                "theme": c.theme.code,
                "question": c.question.code if c.question else None,
                "author": c.author.email if c.author else None,
                "text": c.text,
                "created": c.created.isoformat(timespec="seconds"),
            }
            for c in Comment.objects.filter(assessment=assessment).select_related(
                "theme", "question", "author"
            )
        ],
        "actions": [
            {
                **a.as_data(),
                "notes": [
                    {
                        "kind": n.kind,
                        "author": n.author.email if n.author else None,
                        "text": n.text,
                        "created": n.created.isoformat(timespec="seconds"),
                    }
                    for n in a.notes.select_related("author")
                ],
            }
            for a in Action.objects.filter(assessment=assessment)
            .select_related("owner")
            .order_by("due", "created")
        ],
        "history": {
            "answer_changes": Answer.history.filter(assessment_id=assessment.pk).count(),
            "status_changes": [
                {
                    "at": h.history_date.isoformat(timespec="seconds"),
                    "status": h.status,
                    "reason": h.history_change_reason or "",
                }
                for h in assessment.history.order_by("history_date")
            ],
        },
        "snapshot": {
            "sha256": snapshot.sha256,
            "created": snapshot.created.isoformat(timespec="seconds"),
            "schema_version": snapshots.version_of(snapshot.data),
            "unchanged": (check := snapshots.check(snapshot)).ok,
            "check": check.message,
            "data": snapshot.data,
        }
        if snapshot
        else None,
    }


def answers_csv_rows(assessment) -> tuple[list[str], list[list]]:
    """One row per question that applies to the partnership, answered or not."""
    from assessment.results import scored

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
        "Not applicable because",
        "Answered by",
        "Agency",
        "Updated",
    ]
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
                answer.not_applicable_reason if answer else "",
                (answer.author_email or "") if answer else "",
                answer.agency if answer else "",
                answer.updated.isoformat(timespec="seconds") if answer else "",
            ]
        )
    return header, rows


def _reject_duplicates(pairs):
    keys = [k for k, _ in pairs]
    duplicated = sorted({k for k in keys if keys.count(k) > 1})
    if duplicated:
        raise ImportProblem(
            [f"The file repeats the key {', '.join(repr(k) for k in duplicated)} in one object"]
        )
    return dict(pairs)


def _depth(value, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max([_depth(v, level + 1) for v in value.values()] or [level + 1])
    if isinstance(value, list):
        return max([_depth(v, level + 1) for v in value] or [level + 1])
    return level


def parse_json(raw: bytes) -> dict:
    if len(raw) > MAX_BYTES:
        raise ImportProblem([f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB"])
    try:
        data = json.loads(raw.decode("utf-8-sig"), object_pairs_hook=_reject_duplicates)
    except UnicodeDecodeError:
        raise ImportProblem(["The file is not UTF-8 text"]) from None
    except RecursionError:
        raise ImportProblem([f"The file is nested more than {MAX_DEPTH} levels deep"]) from None
    except json.JSONDecodeError as error:
        raise ImportProblem(
            [f"The file is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"]
        ) from None
    if not isinstance(data, dict):
        raise ImportProblem(["The file must hold one JSON object"])
    if _depth(data) > MAX_DEPTH:
        raise ImportProblem([f"The file is nested more than {MAX_DEPTH} levels deep"])
    return data


def _code(value) -> str | None:
    """A code (question, theme, agency …) from the file: text, or nothing usable."""
    return value if isinstance(value, str) else None


def _date(value, where: str, problems: list[str], required: bool = False) -> date | None:
    if value is None:
        if required:
            problems.append(f"{where}: a date is required")
        return None
    if not isinstance(value, str):
        problems.append(f"{where}: must be a date like 2025-03-31")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"{where}: {value[:40]!r} is not a date like 2025-03-31")
        return None


def _count(value, where: str, problems: list[str]) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10_000_000:
        problems.append(f"{where}: must be a whole number from 0 to 10,000,000")
        return None
    return value


def _text(value, where: str, problems: list[str], limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.append(f"{where}: must be text")
        return ""
    if len(value) > limit:
        problems.append(f"{where}: longer than {limit} characters")
    return value


def validate_import(data: dict, partnership) -> dict:
    """Check everything before writing anything. Returns the cleaned plan, or raises ImportProblem."""
    from assessment.models import (
        Action,
        ActionStatus,
        Agency,
        Answer,
        Comment,
        Framework,
        Priority,
        Question,
    )

    problems: list[str] = []
    if data.get("schema") != SCHEMA:
        raise ImportProblem([f"This is not a self-assessment export (schema must be {SCHEMA!r})"])
    if data.get("schema_version") != SCHEMA_VERSION:
        raise ImportProblem(
            [
                f"Schema version {data.get('schema_version')!r} is not supported (this service reads version {SCHEMA_VERSION})"
            ]
        )
    framework_ref = data.get("framework")
    if not isinstance(framework_ref, dict):
        raise ImportProblem(["framework: must name a slug and a version"])
    framework = Framework.objects.filter(
        slug=framework_ref.get("slug"), version=framework_ref.get("version")
    ).first()
    if framework is None:
        raise ImportProblem(
            [
                f"framework: {framework_ref.get('slug')!r} version {framework_ref.get('version')!r} is not loaded in this service"
            ]
        )
    meta = data.get("assessment")
    if not isinstance(meta, dict):
        raise ImportProblem(["assessment: must describe the self-assessment (title and period)"])
    title = _text(meta.get("title"), "assessment.title", problems, 200).strip() or None
    if title is None:
        problems.append("assessment.title: a title is required")
    start = _date(meta.get("period_start"), "assessment.period_start", problems, required=True)
    end = _date(meta.get("period_end"), "assessment.period_end", problems, required=True)
    if start and end and end <= start:
        problems.append("assessment.period_end: must be after period_start")

    questions = {
        q.code: q
        for q in Question.objects.filter(theme__framework=framework)
        .select_related("theme")
        .prefetch_related("options")
    }
    members = {m.user.email.lower(): m.user for m in partnership.memberships.select_related("user")}

    def sequence(key: str) -> list:
        value = data.get(key) or []
        if not isinstance(value, list):
            problems.append(f"{key}: must be a list")
            return []
        if len(value) > MAX_ITEMS:
            problems.append(f"{key}: more than {MAX_ITEMS} items")
            return []
        return value

    answers, seen = [], set()
    for index, item in enumerate(sequence("answers")):
        where = f"answers[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: must be an object")
            continue
        question = questions.get(_code(item.get("question")))
        if question is None:
            problems.append(f"{where}: unknown question code {str(item.get('question'))[:40]!r}")
            continue
        where = f"answers[{index}] ({question.code})"
        if question.code in seen:
            problems.append(f"{where}: the question is answered twice")
        seen.add(question.code)
        if not question.applies_to(partnership.nation):
            problems.append(
                f"{where}: this question does not apply in {partnership.get_nation_display()}"
            )
        labels = {o.label: o.pk for o in question.options.all()}
        selected = item.get("selected") or []
        if not isinstance(selected, list) or not all(isinstance(s, str) for s in selected):
            problems.append(f"{where}.selected: must be a list of answer labels")
            selected = []
        unknown = [s for s in selected if s not in labels]
        if unknown:
            problems.append(
                f"{where}.selected: {unknown[0][:60]!r} is not an answer to this question"
            )
        if question.kind in ("single", "yes_no") and len(selected) > 1:
            problems.append(f"{where}.selected: only one answer may be chosen")
        numerator = _count(item.get("numerator"), f"{where}.numerator", problems)
        denominator = _count(item.get("denominator"), f"{where}.denominator", problems)
        if (
            numerator is not None
            and denominator is not None
            and (denominator == 0 or numerator > denominator)
        ):
            problems.append(
                f"{where}: numerator must be at most denominator, which must be more than 0"
            )
        values = {
            "selected": sorted(labels[s] for s in selected if s in labels),
            "numerator": numerator,
            "denominator": denominator,
            "number": _count(item.get("number"), f"{where}.number", problems),
            "date_value": _date(item.get("date"), f"{where}.date", problems),
            "period_start": _date(item.get("period_start"), f"{where}.period_start", problems),
            "period_end": _date(item.get("period_end"), f"{where}.period_end", problems),
            "text": _text(item.get("text"), f"{where}.text", problems, Answer.TEXT_LIMIT),
            "evidence": _text(
                item.get("evidence"), f"{where}.evidence", problems, Answer.EVIDENCE_LIMIT
            ),
            "not_applicable": item.get("not_applicable") is True,
            "not_applicable_reason": _text(
                item.get("not_applicable_reason"),
                f"{where}.not_applicable_reason",
                problems,
                Answer.REASON_LIMIT,
            ),
            "needs_reconfirmation": item.get("needs_reconfirmation") is True,
        }
        agency = _code(item.get("agency")) or ""
        if agency not in ("", *Agency.values):
            problems.append(f"{where}.agency: unknown agency {str(agency)[:30]!r}")
        updated = parse_datetime(item["updated"]) if isinstance(item.get("updated"), str) else None
        answers.append(
            (
                question,
                values,
                members.get(str(item.get("answered_by") or "").lower()),
                agency,
                updated,
            )
        )

    comments = []
    themes = {q.theme.code: q.theme for q in questions.values()}
    for index, item in enumerate(sequence("comments")):
        where = f"comments[{index}]"
        if not isinstance(item, dict) or _code(item.get("theme")) not in themes:
            problems.append(f"{where}: must name a theme of the framework")
            continue
        question = questions.get(_code(item.get("question"))) if item.get("question") else None
        if item.get("question") and question is None:
            problems.append(f"{where}: unknown question code {str(item.get('question'))[:40]!r}")
        text = _text(item.get("text"), f"{where}.text", problems, Comment.LIMIT)
        if not text.strip():
            problems.append(f"{where}.text: a comment needs text")
        created = parse_datetime(item["created"]) if isinstance(item.get("created"), str) else None
        comments.append(
            (
                themes[item["theme"]],
                question,
                members.get(str(item.get("author") or "").lower()),
                text,
                created,
            )
        )

    actions = []
    for index, item in enumerate(sequence("actions")):
        where = f"actions[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: must be an object")
            continue
        description = _text(
            item.get("description"), f"{where}.description", problems, Action.DESCRIPTION_LIMIT
        )
        if not description.strip():
            problems.append(f"{where}.description: is required")
        if _code(item.get("agency")) not in Agency.values:
            problems.append(f"{where}.agency: unknown agency")
        if _code(item.get("priority")) not in Priority.values:
            problems.append(f"{where}.priority: must be one of {', '.join(Priority.values)}")
        if _code(item.get("status")) not in ActionStatus.values:
            problems.append(f"{where}.status: must be one of {', '.join(ActionStatus.values)}")
        due = _date(item.get("due"), f"{where}.due", problems, required=True)
        codes = item.get("questions") or []
        if not isinstance(codes, list) or any(_code(c) not in questions for c in codes):
            problems.append(f"{where}.questions: must list question codes of the framework")
            codes = []
        reason = _text(item.get("dropped_reason"), f"{where}.dropped_reason", problems, 1000)
        if item.get("status") == ActionStatus.DROPPED and not reason.strip():
            problems.append(f"{where}.dropped_reason: a dropped action needs a reason")
        notes = []
        raw_notes = item.get("notes") or []
        if not isinstance(raw_notes, list):
            problems.append(f"{where}.notes: must be a list")
            raw_notes = []
        for n_index, note in enumerate(raw_notes):
            if not isinstance(note, dict) or _code(note.get("kind")) not in ("progress", "comment"):
                problems.append(f"{where}.notes[{n_index}]: must have kind progress or comment")
                continue
            created = (
                parse_datetime(note["created"]) if isinstance(note.get("created"), str) else None
            )
            notes.append(
                (
                    note["kind"],
                    members.get(str(note.get("author") or "").lower()),
                    _text(note.get("text"), f"{where}.notes[{n_index}].text", problems, 2000),
                    created,
                )
            )
        actions.append(
            {
                "description": description,
                "agency": item.get("agency"),
                "owner": members.get(str(item.get("owner") or "").lower()),
                "due": due,
                "priority": item.get("priority"),
                "status": item.get("status"),
                "dropped_reason": reason,
                "question_codes": sorted(codes),
                "notes": notes,
            }
        )
    if problems:
        raise ImportProblem(problems)
    return {
        "framework": framework,
        "title": title,
        "start": start,
        "end": end,
        "answers": answers,
        "comments": comments,
        "actions": actions,
    }


def import_assessment(data: dict, *, partnership, user):
    """Validate, then create a new draft assessment in one transaction (all or nothing)."""
    from assessment.models import Action, ActionNote, Answer, Assessment, Comment

    plan = validate_import(data, partnership)
    with transaction.atomic():
        assessment = Assessment.objects.create(
            partnership=partnership,
            framework=plan["framework"],
            title=plan["title"],
            period_start=plan["start"],
            period_end=plan["end"],
            created_by=user,
        )
        for question, values, answered_by, agency, updated in plan["answers"]:
            answer = Answer(
                assessment=assessment,
                question=question,
                answered_by=answered_by,
                agency=agency,
                updated=updated or timezone.now(),
            )
            for key, value in values.items():
                setattr(answer, key, value)
            answer._change_reason = "imported"
            answer.save()
        for theme, question, author, text, created in plan["comments"]:
            comment = Comment.objects.create(
                assessment=assessment, theme=theme, question=question, author=author, text=text
            )
            if created:
                Comment.objects.filter(pk=comment.pk).update(created=created)
        for spec in plan["actions"]:
            notes = spec.pop("notes")
            action = Action(assessment=assessment, raised_in=assessment, created_by=user, **spec)
            action._change_reason = "imported"
            action.save()
            for kind, author, text, created in notes:
                note = ActionNote.objects.create(action=action, kind=kind, author=author, text=text)
                if created:
                    ActionNote.objects.filter(pk=note.pk).update(created=created)
    return assessment
