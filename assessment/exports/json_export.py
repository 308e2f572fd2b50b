"""The JSON export: everything an assessment holds, as documented in docs/export-format.md."""

import json
from typing import IO

from django.utils import timezone

from assessment import snapshots
from assessment.evidence import attached, item_data
from assessment.models import Action, AgencyView, Answer, Comment

SCHEMA = "partnership-self-assessment"
SCHEMA_VERSION = 1


def answer_item(a: Answer | AgencyView) -> dict:
    """An answer, or an agency's view, as the export writes it."""
    return {
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
        "originally_recorded": a.original,
    }


def shared_items(assessment) -> dict:
    """Themes given to several agencies: the assignments, each agency's views, what each
    agency submitted, and how each answer was settled (moderation notes, dissents)."""

    def who(user) -> str | None:
        return user.email if user else None

    return {
        "assignments": [
            {"theme": a.theme.code, "agency": a.agency}
            for a in assessment.assignments.select_related("theme").order_by(
                "theme__order", "agency"
            )
        ],
        "agency_views": [
            answer_item(v)
            for v in AgencyView.objects.filter(assessment=assessment)
            .select_related("question", "answered_by")
            .prefetch_related("question__options")
            .order_by("question__theme__order", "question__order", "agency")
        ],
        "agency_submissions": [
            {
                "theme": s.theme.code,
                "agency": s.agency,
                "submitted_by": who(s.submitted_by),
                "submitted_at": s.submitted_at.isoformat(timespec="seconds"),
                "originally_recorded": s.original,
            }
            for s in assessment.agency_submissions.select_related("theme", "submitted_by")
        ],
        "moderations": [
            {
                "question": m.question.code,
                "note": m.note,
                "started_from": m.started_from,
                "moderated_by": who(m.moderated_by),
                "moderated_at": m.moderated_at.isoformat(timespec="seconds"),
                "originally_recorded": m.original,
            }
            for m in assessment.moderations.select_related("question", "moderated_by")
        ],
        "dissents": [
            {
                "question": d.question.code,
                "agency": d.agency,
                "text": d.text,
                "recorded_by": who(d.recorded_by),
                "recorded_at": d.recorded_at.isoformat(timespec="seconds"),
                "originally_recorded": d.original,
            }
            for d in assessment.dissents.select_related("question", "recorded_by")
        ],
    }


def export_assessment(assessment) -> dict:
    """Everything the assessment holds, as documented in docs/export-format.md."""
    answers = (
        Answer.objects.filter(assessment=assessment)
        .select_related("question", "answered_by")
        .prefetch_related("question__options")
        .order_by("question__theme__order", "question__order")
    )
    snapshot = snapshots.latest(assessment)
    evidence = attached(assessment)
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
            answer_item(a)
            # Metadata and SHA-256 of each item; the files themselves are not in the JSON.
            | {"evidence_items": [item_data(i) for i in evidence.get(a.question_id, [])]}
            for a in answers
        ],
        "comments": [
            {
                "theme": c.theme.code,
                "question": c.question.code if c.question else None,
                "author": c.author.email if c.author else None,
                "text": c.text,
                "created": c.created.isoformat(timespec="seconds"),
                "originally_recorded": c.original,
            }
            for c in Comment.objects.filter(assessment=assessment).select_related(
                "theme", "question", "author"
            )
        ],
        "actions": [
            {
                # Owners by name and role are for the signed record; the export names the owner
                # by email address, and an import assigns owners afresh.
                **{k: v for k, v in a.as_data().items() if k not in ("owner_name", "owner_role")},
                "originally_recorded": a.original,
                "notes": [
                    {
                        "kind": n.kind,
                        "author": n.author.email if n.author else None,
                        "text": n.text,
                        "created": n.created.isoformat(timespec="seconds"),
                        "originally_recorded": n.original,
                    }
                    for n in a.notes.select_related("author")
                ],
            }
            for a in Action.objects.filter(assessment=assessment)
            .select_related("owner")
            .order_by("due", "created")
        ],
        **shared_items(assessment),
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


def export_zip(assessment, out: IO[bytes]) -> None:
    """The JSON export with the evidence files it names, as a zip written to ``out``:
    ``export.json`` and ``evidence/<item id>/<file name>`` for each attached file. Each file's
    SHA-256 in the JSON identifies it."""
    import zipfile

    from assessment.evidence import ascii_name

    data = export_assessment(assessment)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export.json", json.dumps(data, indent=2, ensure_ascii=False))
        written: set[int] = set()
        for items in attached(assessment).values():
            for item in items:
                if not item.file or item.pk in written:
                    continue
                written.add(item.pk)
                extension = (
                    item.file_name.rsplit(".", 1)[-1].lower() if "." in item.file_name else ""
                )
                with (
                    item.file.storage.open(item.file.name, "rb") as handle,
                    archive.open(
                        f"evidence/{item.code}/{ascii_name(item.title, extension)}", "w"
                    ) as entry,
                ):
                    for chunk in iter(lambda: handle.read(1024 * 1024), b""):
                        entry.write(chunk)
