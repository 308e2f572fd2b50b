"""The partnership's register of responses to recommendations: what pages, the snapshot, the CSV,
the review report and the published response show, and publishing itself.

The register belongs to the partnership, so it carries from cycle to cycle without copying; a
signed-off assessment's snapshot keeps it as it stood (``register_data``). A published response is
a versioned record: ``published_view`` reads every schema version ever stored.
"""

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Prefetch, QuerySet
from django.utils import timezone

from assessment.models import (
    Action,
    EvidenceItem,
    Milestone,
    Partnership,
    PublishedResponse,
    Recommendation,
    RecommendationResponse,
    ResponseStatus,
    User,
)
from assessment.recommendation_sets import newest_sets
from assessment.recommendation_sets import related_to_questions as related_to_questions_for

PUBLISHED_SCHEMA = 1
REGISTER_SCHEMA = 1


def entries(partnership: Partnership) -> QuerySet[RecommendationResponse]:
    """The register with everything its pages draw, in a fixed number of queries."""
    return (
        RecommendationResponse.objects.filter(partnership=partnership)
        .select_related("recommendation__set", "owner")
        .prefetch_related(
            Prefetch("milestones", Milestone.objects.order_by("due", "pk")),
            Prefetch("actions", Action.objects.select_related("assessment").order_by("due")),
            Prefetch("evidence", EvidenceItem.objects.order_by("-produced", "title")),
        )
        .order_by("recommendation__set__published", "recommendation__order", "created")
    )


def awaiting_response(partnership: Partnership, answered: list[RecommendationResponse]) -> list:
    """Recommendations asking for local action (newest set versions) with no entry yet. An entry
    made against an earlier version of a set answers the same number in its newer versions."""
    done = {
        (e.recommendation.set.slug, e.recommendation.number)
        for e in answered
        if e.recommendation is not None
    }
    sets = newest_sets()
    return [
        r
        for r in Recommendation.objects.filter(set__in=sets, local_action=True)
        .select_related("set")
        .order_by("set__published", "order")
        if (r.set.slug, r.number) not in done
    ]


@dataclass(frozen=True)
class Flags:
    """What the dashboard warns about."""

    overdue: list[tuple[RecommendationResponse, Milestone]] = field(default_factory=list)
    without_owner: list[RecommendationResponse] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.overdue or self.without_owner)


def _open(entry: RecommendationResponse) -> bool:
    return entry.status not in (ResponseStatus.IMPLEMENTED, ResponseStatus.NOT_ACCEPTED)


def flags(register: list[RecommendationResponse]) -> Flags:
    """Overdue milestones of open entries, and open entries with no named owner."""
    return Flags(
        overdue=[(e, m) for e in register if _open(e) for m in e.milestones.all() if m.is_overdue],
        without_owner=[e for e in register if _open(e) and e.owner_id is None],
    )


def entry_data(entry: RecommendationResponse, today: date | None = None) -> dict:
    """One entry as plain data: the snapshot, the published response and the CSV share it."""
    today = today or timezone.localdate()
    return {
        "code": str(entry.code),
        "source": entry.source_title,
        "set": None
        if entry.recommendation is None
        else {"slug": entry.recommendation.set.slug, "version": entry.recommendation.set.version},
        "number": entry.number,
        "title": entry.title,
        "summary": entry.summary,
        "citation": entry.citation,
        "local_source": entry.local_source,
        "questions": entry.question_codes,
        "applies": entry.applies,
        "applies_how": entry.applies_how,
        "response": entry.response,
        "lead_agency": entry.lead_agency,
        "lead_agency_label": entry.get_lead_agency_display() if entry.lead_agency else "",
        "owner": entry.owner.email if entry.owner else None,
        "owner_name": entry.owner.get_full_name() if entry.owner else "",
        "owner_role": entry.owner_role,
        "status": entry.status,
        "status_label": entry.get_status_display(),
        "not_accepted_reason": entry.not_accepted_reason,
        "milestones": [
            {
                "due": m.due.isoformat(),
                "text": m.text,
                "done": m.done,
                "overdue": not m.done and m.due < today and _open(entry),
            }
            for m in entry.milestones.all()
        ],
        "actions": [str(a.code) for a in entry.actions.all()],
        # The evidence items that show the response (issue 18); absent before: read as none.
        "evidence": [
            {
                "id": str(e.code),
                "title": e.title,
                "kind": e.kind,
                "produced": e.produced.isoformat(),
                "review_by": e.review_by.isoformat() if e.review_by else None,
                "sha256": e.sha256 or None,
            }
            for e in entry.evidence.all()
        ],
        "updated": entry.updated.isoformat(timespec="seconds"),
    }


def register_data(partnership: Partnership) -> dict:
    """The register as it stands, for a signed-off assessment's snapshot."""
    return {
        "schema_version": REGISTER_SCHEMA,
        "entries": [entry_data(e) for e in entries(partnership)],
    }


@dataclass(frozen=True)
class Summary:
    by_status: list[tuple[str, int]]
    total: int
    overdue: int
    not_accepted: list[dict]


def summary(data: list[dict]) -> Summary:
    """Counts by status, overdue entries and those not accepted, from entries as plain data
    (live or from a snapshot), so the report reads a frozen register the same way."""
    counts = Counter(e["status"] for e in data)
    return Summary(
        by_status=[(s.label, counts.get(s.value, 0)) for s in ResponseStatus],
        total=len(data),
        overdue=sum(1 for e in data if any(m["overdue"] for m in e["milestones"])),
        not_accepted=[e for e in data if e["status"] == ResponseStatus.NOT_ACCEPTED],
    )


def related_to_gaps(data: list[dict], gap_codes: set[str]) -> list[dict]:
    """The register entries whose recommendation relates to one of the question codes."""
    return [e for e in data if gap_codes & set(e["questions"])]


# Publishing ----------------------------------------------------------------------------------


def published_entries(register: list[RecommendationResponse]) -> list[RecommendationResponse]:
    """What a published response lists: every entry the partnership says applies locally."""
    return [e for e in register if e.is_applicable]


def publish(
    *, partnership: Partnership, user: User, approved_on: date, show_names: bool
) -> PublishedResponse:
    """Freeze the applicable entries as the next version, render its PDF once and store both."""
    from assessment.pdf import render_published_response  # WeasyPrint loads on first use

    register = list(entries(partnership))
    now = timezone.now()
    data = {
        "partnership": {"name": partnership.name, "area": partnership.area},
        "approved_on": approved_on.isoformat(),
        "published_at": now.isoformat(),
        "show_names": show_names,
        "entries": [entry_data(e, timezone.localdate(now)) for e in published_entries(register)],
    }
    with transaction.atomic():
        # Lock the partnership so that two leads publishing at once get different versions.
        Partnership.objects.select_for_update().filter(pk=partnership.pk).first()
        latest = partnership.published_responses.aggregate(v=Max("version"))["v"] or 0
        published = PublishedResponse(
            partnership=partnership,
            version=latest + 1,
            approved_on=approved_on,
            show_names=show_names,
            published_by=user,
            published_at=now,
            schema_version=PUBLISHED_SCHEMA,
            data=data,
        )
        pdf = render_published_response(published_view(published))
        published.sha256 = hashlib.sha256(pdf).hexdigest()
        published.file.save(
            f"{partnership.code}-response-v{published.version}.pdf", ContentFile(pdf), save=False
        )
        published.save()
    return published


@dataclass(frozen=True)
class PublishedEntry:
    source: str
    number: str
    title: str
    summary: str
    citation: str
    response: str
    applies_how: str
    lead_agency: str
    owner: str
    status: str
    not_accepted_reason: str
    milestones: list[dict]


@dataclass(frozen=True)
class PublishedView:
    """A published version as its page and its PDF show it."""

    partnership: str
    area: str
    version: int
    approved_on: date
    published_at: datetime
    entries: list[PublishedEntry]


def _owner(entry: dict, show_names: bool) -> str:
    parts = [entry["owner_role"]] if entry["owner_role"] else []
    if show_names and entry["owner_name"]:
        parts.insert(0, entry["owner_name"])
    return ", ".join(parts) or "Not yet named"


def published_view(published: PublishedResponse) -> PublishedView:
    """Read a stored published response of any schema version (only version 1 exists so far)."""
    if published.schema_version != 1:
        raise ValueError(f"Unknown published response schema {published.schema_version}")
    data = published.data
    return PublishedView(
        partnership=data["partnership"]["name"],
        area=data["partnership"]["area"],
        version=published.version,
        approved_on=date.fromisoformat(data["approved_on"]),
        published_at=datetime.fromisoformat(data["published_at"]),
        entries=[
            PublishedEntry(
                source=e["source"],
                number=e["number"],
                title=e["title"],
                summary=e["summary"],
                citation=e["citation"],
                response=e["response"],
                applies_how=e["applies_how"],
                lead_agency=e["lead_agency_label"] or "Not yet agreed",
                owner=_owner(e, data["show_names"]),
                status=e["status_label"],
                not_accepted_reason=e["not_accepted_reason"],
                milestones=[m | {"due": date.fromisoformat(m["due"])} for m in e["milestones"]],
            )
            for e in data["entries"]
        ],
    )


# The review report's section ------------------------------------------------------------------


@dataclass(frozen=True)
class RelatedRecommendation:
    source: str
    number: str
    title: str
    questions: list[str]
    status: str  # the register's status label, or that no response is recorded


@dataclass(frozen=True)
class ReportSection:
    """What the review report says about the register: its summary (as frozen at sign-off for a
    signed-off cycle) and, per theme, the recommendations that relate to the theme's gaps."""

    recorded: bool  # False for a snapshot taken before the register was part of it
    summary: Summary | None
    by_theme: dict[str, list[RelatedRecommendation]]


def report_section(assessment, gaps_by_theme: dict[str, set[str]], record=None) -> ReportSection:
    """``gaps_by_theme``: theme code -> the question codes rated poor or developing;
    ``record``: the signed-off ``snapshots.SignedRecord`` (None for an open cycle)."""
    if record is not None:
        data = list(record.register) if record.register is not None else None
    else:
        data = [entry_data(e) for e in entries(assessment.partnership)]
    status = {(e["set"]["slug"], e["number"]): e["status_label"] for e in data or [] if e["set"]}
    related = related_to_questions_for(assessment.framework.slug)
    by_theme: dict[str, list[RelatedRecommendation]] = {}
    for theme, codes in gaps_by_theme.items():
        found: dict[int, RelatedRecommendation] = {}
        for code in sorted(codes):
            for r in related.get(code, []):
                if r.pk in found:
                    continue
                found[r.pk] = RelatedRecommendation(
                    source=r.set.title,
                    number=r.number,
                    title=r.title,
                    questions=sorted(set(r.questions) & codes),
                    status=status.get((r.set.slug, r.number), "No response recorded")
                    if r.local_action
                    else "National only",
                )
        by_theme[theme] = list(found.values())
    return ReportSection(
        recorded=data is not None,
        summary=summary(data) if data is not None else None,
        by_theme=by_theme,
    )
