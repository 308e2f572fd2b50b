"""Snapshots: what a board signed off, built, versioned, read back and checked in one place.

A snapshot is stored as plain JSON with the SHA-256 of its canonical form, and must stay
readable for years, whatever happens to the code that made it. So:

- every snapshot written now carries ``schema_version`` (version 1, written before versions
  existed, has none);
- nothing outside this module reads ``Snapshot.data``: ``read`` turns any version into the
  typed ``SignedRecord`` below, mapping each stored field by name (never ``Type(**stored)``), so
  renaming a field in ``scoring.py`` cannot break a past cycle;
- ``check`` recomputes the fingerprint whenever a signed-off record is served.

Versions:
1. assessment, answers, actions, scores (``asdict`` of the scoring result), signed_off.
2. as 1, plus ``schema_version`` and the comments as they stood at sign-off, and the scores
   written field by field.
3. as 2, plus the partnership's recommendations register as it stood at sign-off
   (``register.register_data``: its own ``schema_version`` and entries as plain data). And what became of each answer
   carried over from the previous cycle (``carry_outcome``: confirmed without change, or
   changed) and who confirmed it.
4. as 3, plus in the scores the critical questions not answered (of each theme and overall)
   and, for each question, whether it might be marked not applicable (earlier versions read as
   having none: they were signed off under rules that did not count them); the challenges with
   their responses, notes and reasons for being left open; the approvals (each
   representative's decision, or the board's); and for each action its owner's name and role
   and its progress notes.
5. as 4, plus for a challenge on an entry of the recommendations register the entry challenged
   (its code, number and title); open challenges on entries left by earlier signed-off cycles
   are recorded with the cycle that answers for them.
6. as 5, plus, for themes given to several agencies: each agency's views (``agency_views``, the
   answer fields and the agency), which agencies submitted their view of which theme
   (``agency_submissions``), each theme's named moderator (``moderators``), how each partnership
   answer was settled (``moderations``), each agency's dissent (``dissents``), where the views
   disagreed and how that was settled, as printed (``settlements``), and each agency's views
   scored (``agency_scores``). Any of these keys missing (versions 1 to 5) reads as none.
7. as 6, plus for each answer the evidence items attached to it at sign-off
   (``evidence_items``: each item's id, title, kind, agency, dates, file name, link and the
   SHA-256 of its file). Earlier versions read as having no items; so does a missing key.
"""

import hashlib
import json
import logging
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime

from assessment.evidence import attached, item_data
from assessment.models import (
    Action,
    AgencyThemeSubmission,
    AgencyView,
    Answer,
    Approval,
    Assessment,
    Comment,
    Dissent,
    Moderation,
    Question,
    Snapshot,
    User,
    challenges_on,
)
from assessment.models.action import with_owner_roles
from assessment.register import register_data
from assessment.scoring import QuestionResult, Result, ThemeResult
from assessment.settlement import Settlement, read_settlement

SCHEMA_VERSION = 7
VERSIONS = (1, 2, 3, 4, 5, 6, 7)

logger = logging.getLogger(__name__)


# Fingerprints ------------------------------------------------------------------------------


def canonical(data: dict) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(data: dict) -> str:
    return hashlib.sha256(canonical(data)).hexdigest()


@dataclass(frozen=True)
class Check:
    """The result of recomputing a snapshot's fingerprint."""

    ok: bool
    signed_off_at: datetime | None
    sha256: str

    @property
    def message(self) -> str:
        when = (
            formats.date_format(timezone.localtime(self.signed_off_at), "j F Y")
            if self.signed_off_at
            else "an unknown date"
        )
        if self.ok:
            return f"Checked: this record is unchanged since sign-off on {when}."
        return (
            f"This record has changed since sign-off on {when}. It no longer matches "
            "the fingerprint taken when the board signed it off, so it cannot be relied on. "
            "Tell your service administrator."
        )


def check(snapshot: Snapshot) -> Check:
    """Recompute the fingerprint; a mismatch is logged as an error every time it is seen."""
    ok = digest(snapshot.data) == snapshot.sha256
    at = _datetime((snapshot.data.get("signed_off") or {}).get("at")) or snapshot.created
    if not ok:
        logger.error(
            "Snapshot %s of assessment %s does not match its SHA-256 %s",
            snapshot.pk,
            snapshot.assessment_id,
            snapshot.sha256,
        )
    return Check(ok, at, snapshot.sha256)


def latest(assessment: Assessment) -> Snapshot | None:
    """The snapshot that holds a signed-off assessment's record (None for an open one)."""
    return assessment.latest_snapshot if assessment.is_locked else None


# The typed record --------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedOption:
    label: str
    level: str
    points: int


@dataclass(frozen=True)
class RecordedEvidence:
    """An evidence item as it stood when the answer it supports was signed off."""

    code: str
    title: str
    kind: str
    agency: str
    produced: date
    period_start: date | None
    period_end: date | None
    review_by: date | None
    file_name: str
    sha256: str | None
    link: str | None

    @property
    def kind_label(self) -> str:
        from assessment.models import EvidenceKind

        return dict(EvidenceKind.choices).get(self.kind, self.kind)


@dataclass(frozen=True)
class RecordedAnswer:
    """An answer as signed off. Reads like ``Answer`` where the pages and the report need it."""

    question: str
    selected: tuple[RecordedOption, ...]
    numerator: int | None
    denominator: int | None
    number: int | None
    date_value: date | None
    period_start: date | None
    period_end: date | None
    text: str
    evidence: str
    not_applicable: bool
    not_applicable_reason: str
    answered_by: str | None
    agency: str
    updated: datetime | None
    version: int
    needs_reconfirmation: bool = False  # a signed-off answer was confirmed by signing
    per: int = 100  # the question's rate base (``Question.per``), set by answers_by_question
    carry_outcome: str = ""  # version 3 on; blank before, as for an answer not carried over
    confirmed_by: str | None = None
    question_id: int | None = None  # the framework question it answers, once matched by code
    evidence_items: tuple[RecordedEvidence, ...] = ()  # version 7 on

    @property
    def rate(self) -> float | None:
        if self.numerator is None or not self.denominator:
            return None
        return round(self.per * self.numerator / self.denominator, 1)

    @property
    def is_complete(self) -> bool:
        if self.not_applicable:
            return bool(self.not_applicable_reason.strip())
        has_value = bool(
            self.selected
            or (self.numerator is not None and self.denominator is not None)
            or self.number is not None
            or self.date_value
            or self.text.strip()
        )
        return has_value and bool(self.evidence.strip())

    @property
    def author_email(self) -> str | None:
        return self.answered_by

    def chosen_options(self, options) -> list:
        """The framework's options that were chosen, matched by label (ids may not survive)."""
        labels = {o.label for o in self.selected}
        return [o for o in options if o.label in labels]


@dataclass(frozen=True)
class RecordedComment:
    theme: str
    question: str | None
    author: str | None
    text: str
    created: datetime | None


@dataclass(frozen=True)
class RecordedNote:
    kind: str
    author: str | None
    text: str
    created: datetime | None


@dataclass(frozen=True)
class RecordedAction:
    code: str
    description: str
    agency: str
    owner: str | None  # an email address: for exports, never printed
    due: date | None
    priority: str
    status: str
    dropped_reason: str
    questions: tuple[str, ...]
    owner_name: str | None = None  # version 3 on
    owner_role: str = ""
    notes: tuple[RecordedNote, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.status in ("not_started", "in_progress")

    def is_overdue_on(self, day: date) -> bool:
        return self.is_open and self.due is not None and self.due < day

    @property
    def status_label(self) -> str:
        return self.status.replace("_", " ").capitalize()


@dataclass(frozen=True)
class RecordedChallenge:
    code: str
    theme: str | None
    question: str | None
    raised_by: str | None
    text: str
    created: datetime | None
    resolved_at: datetime | None
    resolved_by: str | None
    notes: tuple[RecordedNote, ...]
    entry: str | None = None  # version 5 on: "number: title" of the register entry challenged

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def subject(self) -> str:
        if self.entry:
            return f"the register entry {self.entry}"
        return self.question or self.theme or "the whole self-assessment"


@dataclass(frozen=True)
class RecordedApproval:
    round: int
    partner: str | None
    by: str | None
    decision: str
    reason: str
    board_meeting: date | None
    recorded_name: str
    recorded_role: str
    at: datetime | None


@dataclass(frozen=True)
class RecordedSubmission:
    theme: str
    agency: str
    by: str | None
    at: datetime | None


@dataclass(frozen=True)
class RecordedModeration:
    question: str
    note: str
    started_from: str
    by: str | None
    at: datetime | None
    answer_version: int


@dataclass(frozen=True)
class RecordedDissent:
    question: str
    agency: str
    text: str
    by: str | None
    at: datetime | None


@dataclass(frozen=True)
class SignedRecord:
    """Everything a snapshot says, whatever its version."""

    schema_version: int
    title: str
    period_start: date | None
    period_end: date | None
    partnership: str
    nation: str
    framework_slug: str
    framework_version: str
    answers: tuple[RecordedAnswer, ...]
    comments: tuple[RecordedComment, ...] | None  # None: version 1 did not record them
    actions: tuple[RecordedAction, ...]
    challenges: tuple[RecordedChallenge, ...] | None  # None: versions 1 to 3 did not record them
    approvals: tuple[RecordedApproval, ...] | None
    result: Result | None
    signed_off_by: str | None
    signed_off_at: datetime | None
    # The register's entries as plain data (``register.entry_data``); None before version 3.
    register: tuple[dict, ...] | None = None
    # Shared themes (version 6; empty before): agencies' views and how they were settled.
    agency_views: tuple[RecordedAnswer, ...] = ()
    agency_submissions: tuple[RecordedSubmission, ...] = ()
    moderations: tuple[RecordedModeration, ...] = ()
    dissents: tuple[RecordedDissent, ...] = ()
    settlements: tuple[Settlement, ...] = ()
    agency_scores: dict[str, Result] = field(default_factory=dict)

    def answers_by_question(self, questions: list[Question]) -> dict[int, RecordedAnswer]:
        """The recorded answers keyed by the id of the framework question with the same code."""
        by_code = {a.question: a for a in self.answers}
        return {
            q.pk: replace(by_code[q.code], per=q.per, question_id=q.pk)
            for q in questions
            if q.code in by_code
        }


def version_of(data: dict) -> int:
    return data.get("schema_version", 1)


def read(data: dict) -> SignedRecord:
    """A stored snapshot of any known version, as a ``SignedRecord``."""
    version = version_of(data)
    if version not in VERSIONS:
        raise ValueError(f"Snapshot schema version {version!r} is not one this service reads")
    meta = data.get("assessment", {})
    framework = meta.get("framework", {})
    signed = data.get("signed_off") or {}
    comments = challenges = approvals = None
    if version >= 2:
        comments = tuple(_comment(c) for c in data.get("comments", []))
    if version >= 4:
        challenges = tuple(read_challenge(c) for c in data.get("challenges", []))
        approvals = tuple(read_approval(a) for a in data.get("approvals", []))
    return SignedRecord(
        schema_version=version,
        title=meta.get("title", ""),
        period_start=_date(meta.get("period_start")),
        period_end=_date(meta.get("period_end")),
        partnership=meta.get("partnership", ""),
        nation=meta.get("nation", ""),
        framework_slug=framework.get("slug", ""),
        framework_version=framework.get("version", ""),
        answers=tuple(_answer(a) for a in data.get("answers", [])),
        comments=comments,
        actions=tuple(read_action(a) for a in data.get("actions", [])),
        challenges=challenges,
        approvals=approvals,
        result=_result(data["scores"]) if "scores" in data else None,
        signed_off_by=signed.get("by"),
        signed_off_at=_datetime(signed.get("at")),
        register=read_register(data["register"]) if version >= 3 else None,
        **read_shared(data),
    )


def read_shared(data: dict) -> dict:
    """The shared themes' records of a snapshot (version 6): a missing key means none, so
    every earlier version reads as having none."""
    return {
        "agency_views": tuple(_answer(a) for a in data.get("agency_views", [])),
        "agency_submissions": tuple(
            RecordedSubmission(
                theme=s.get("theme", ""),
                agency=s.get("agency", ""),
                by=s.get("by"),
                at=_datetime(s.get("at")),
            )
            for s in data.get("agency_submissions", [])
        ),
        "moderations": tuple(
            RecordedModeration(
                question=m.get("question", ""),
                note=m.get("note", ""),
                started_from=m.get("started_from", ""),
                by=m.get("by"),
                at=_datetime(m.get("at")),
                answer_version=m.get("answer_version", 0),
            )
            for m in data.get("moderations", [])
        ),
        "dissents": tuple(
            RecordedDissent(
                question=d.get("question", ""),
                agency=d.get("agency", ""),
                text=d.get("text", ""),
                by=d.get("by"),
                at=_datetime(d.get("at")),
            )
            for d in data.get("dissents", [])
        ),
        "settlements": tuple(read_settlement(s) for s in data.get("settlements", [])),
        "agency_scores": {
            agency: _result(scores) for agency, scores in data.get("agency_scores", {}).items()
        },
    }


def read_register(stored: dict) -> tuple[dict, ...]:
    """The register's entries from a version 3 snapshot (register schema 1 is the only one)."""
    if stored.get("schema_version") != 1:
        raise ValueError(f"Register schema version {stored.get('schema_version')!r} is unknown")
    return tuple(stored["entries"])


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _datetime(value: str | None) -> datetime | None:
    return parse_datetime(value) if value else None


def _answer(a: dict) -> RecordedAnswer:
    return RecordedAnswer(
        question=a["question"],
        selected=tuple(
            RecordedOption(o["label"], o["level"], o["points"]) for o in a.get("selected", [])
        ),
        numerator=a.get("numerator"),
        denominator=a.get("denominator"),
        number=a.get("number"),
        date_value=_date(a.get("date")),
        period_start=_date(a.get("period_start")),
        period_end=_date(a.get("period_end")),
        text=a.get("text", ""),
        evidence=a.get("evidence", ""),
        not_applicable=a.get("not_applicable", False),
        not_applicable_reason=a.get("not_applicable_reason", ""),
        answered_by=a.get("answered_by"),
        agency=a.get("agency", ""),
        updated=_datetime(a.get("updated")),
        version=a.get("version", 1),
        carry_outcome=a.get("carry_outcome", ""),
        confirmed_by=a.get("confirmed_by"),
        evidence_items=tuple(read_evidence(e) for e in a.get("evidence_items") or []),
    )


def read_evidence(e: dict) -> RecordedEvidence:
    return RecordedEvidence(
        code=e.get("id", ""),
        title=e.get("title", ""),
        kind=e.get("kind", ""),
        agency=e.get("agency", ""),
        produced=_date(e.get("produced")) or date.min,
        period_start=_date(e.get("period_start")),
        period_end=_date(e.get("period_end")),
        review_by=_date(e.get("review_by")),
        file_name=e.get("file_name", ""),
        sha256=e.get("sha256"),
        link=e.get("link"),
    )


def evidence_codes(data: dict) -> set[str]:
    """The ids of the evidence items a stored snapshot names, on its answers (version 7 on) or
    in its register's entries; a missing key names none."""
    on_answers = {
        e.get("id") for a in data.get("answers") or [] for e in a.get("evidence_items") or []
    }
    in_register = {
        e.get("id")
        for entry in (data.get("register") or {}).get("entries") or []
        for e in entry.get("evidence") or []
    }
    return {code for code in on_answers | in_register if code}


def _comment(c: dict) -> RecordedComment:
    return RecordedComment(
        theme=c["theme"],
        question=c.get("question"),
        author=c.get("author"),
        text=c.get("text", ""),
        created=_datetime(c.get("created")),
    )


def read_action(a: dict) -> RecordedAction:
    return RecordedAction(
        code=a.get("code", ""),
        description=a.get("description", ""),
        agency=a.get("agency", ""),
        owner=a.get("owner"),
        due=_date(a.get("due")),
        priority=a.get("priority", ""),
        status=a.get("status", ""),
        dropped_reason=a.get("dropped_reason", ""),
        questions=tuple(a.get("questions", [])),
        owner_name=a.get("owner_name"),
        owner_role=a.get("owner_role", ""),
        notes=tuple(_note(n) for n in a.get("notes", [])),
    )


def _note(n: dict) -> RecordedNote:
    return RecordedNote(
        kind=n.get("kind", ""),
        author=n.get("author"),
        text=n.get("text", ""),
        created=_datetime(n.get("created")),
    )


def read_challenge(c: dict) -> RecordedChallenge:
    return RecordedChallenge(
        code=c.get("code", ""),
        theme=c.get("theme"),
        question=c.get("question"),
        raised_by=c.get("raised_by"),
        text=c.get("text", ""),
        created=_datetime(c.get("created")),
        resolved_at=_datetime(c.get("resolved_at")),
        resolved_by=c.get("resolved_by"),
        notes=tuple(_note(n) for n in c.get("notes", [])),
        entry=f"{c['entry']['number']}: {c['entry']['title']}" if c.get("entry") else None,
    )


def read_approval(a: dict) -> RecordedApproval:
    return RecordedApproval(
        round=a.get("round", 0),
        partner=a.get("partner"),
        by=a.get("by"),
        decision=a.get("decision", ""),
        reason=a.get("reason", ""),
        board_meeting=_date(a.get("board_meeting")),
        recorded_name=a.get("recorded_name", ""),
        recorded_role=a.get("recorded_role", ""),
        at=_datetime(a.get("at")),
    )


def _result(scores: dict) -> Result:
    """Versions 1 and 2 store the same score fields; each is mapped by name."""
    return Result(
        themes=tuple(
            ThemeResult(
                code=t["code"],
                questions=tuple(
                    QuestionResult(
                        code=q["code"],
                        theme=q["theme"],
                        weight=q["weight"],
                        critical=q["critical"],
                        level=q["level"],
                        not_applicable=q.get("not_applicable", False),
                        value=q.get("value"),
                        na_allowed=q.get("na_allowed", True),
                    )
                    for q in t["questions"]
                ),
                scored_total=t["scored_total"],
                answered=t["answered"],
                not_applicable=t["not_applicable"],
                percentage=t["percentage"],
                rating=t["rating"],
                critical_findings=tuple(t["critical_findings"]),
                critical_not_answered=tuple(t.get("critical_not_answered", ())),
            )
            for t in scores["themes"]
        ),
        percentage=scores["percentage"],
        rating=scores["rating"],
        critical_findings=tuple(scores["critical_findings"]),
        critical_not_answered=tuple(scores.get("critical_not_answered", ())),
    )


# Building ----------------------------------------------------------------------------------


def _scores_data(result: Result) -> dict:
    return {
        "themes": [
            {
                "code": t.code,
                "questions": [
                    {
                        "code": q.code,
                        "theme": q.theme,
                        "weight": q.weight,
                        "critical": q.critical,
                        "level": q.level,
                        "not_applicable": q.not_applicable,
                        "value": q.value,
                        "na_allowed": q.na_allowed,
                    }
                    for q in t.questions
                ],
                "scored_total": t.scored_total,
                "answered": t.answered,
                "not_applicable": t.not_applicable,
                "percentage": t.percentage,
                "rating": t.rating,
                "critical_findings": list(t.critical_findings),
                "critical_not_answered": list(t.critical_not_answered),
            }
            for t in result.themes
        ],
        "percentage": result.percentage,
        "rating": result.rating,
        "critical_findings": list(result.critical_findings),
        "critical_not_answered": list(result.critical_not_answered),
    }


def build(assessment: Assessment, *, result: Result, user: User, at: datetime) -> dict:
    """Everything the assessment says now, as the newest version of plain data."""
    answers = (
        Answer.objects.filter(assessment=assessment)
        .select_related("question", "answered_by", "confirmed_by")
        .prefetch_related("question__options")
        .order_by("question__theme__order", "question__order")
    )
    comments = Comment.objects.filter(assessment=assessment).select_related(
        "theme", "question", "author"
    )
    evidence = attached(assessment)
    return {
        "schema_version": SCHEMA_VERSION,
        "assessment": {
            "code": str(assessment.code),
            "title": assessment.title,
            "period_start": assessment.period_start.isoformat(),
            "period_end": assessment.period_end.isoformat(),
            "partnership": assessment.partnership.name,
            "nation": assessment.partnership.nation,
            "framework": {
                "slug": assessment.framework.slug,
                "version": assessment.framework.version,
            },
        },
        "answers": [
            a.as_data(list(a.question.options.all()))
            | {
                "carry_outcome": a.carry_outcome,
                "confirmed_by": a.confirmed_by.email if a.confirmed_by else None,
                "evidence_items": [item_data(i) for i in evidence.get(a.question_id, [])],
            }
            for a in answers
        ],
        "comments": [
            {
                "theme": c.theme.code,
                "question": c.question.code if c.question else None,
                "author": str(c.author) if c.author else None,
                "text": c.text,
                "created": c.created.isoformat(),
            }
            for c in comments
        ],
        "actions": [
            a.as_data()
            for a in with_owner_roles(
                Action.objects.filter(assessment=assessment), assessment.partnership_id
            )
            .select_related("owner", "assessment")
            .prefetch_related("notes__author")
        ],
        "challenges": [
            c.as_data()
            for c in challenges_on(assessment)
            .select_related(
                "theme", "question", "raised_by", "resolved_by", "entry__recommendation__set"
            )
            .prefetch_related("notes__author")
            .order_by("created")
        ],
        "approvals": [
            a.as_data()
            for a in Approval.objects.filter(assessment=assessment).select_related("user")
        ],
        "scores": _scores_data(result),
        "signed_off": {"by": user.email, "at": at.isoformat()},
        # The register lives on with the partnership; the snapshot keeps it as it stood.
        "register": register_data(assessment.partnership),
        **shared_data(assessment),
    }


def shared_data(assessment: Assessment) -> dict:
    """Version 6's records of the themes given to several agencies (see the module's
    docstring); the JSON export writes the same keys."""
    from assessment.agency_views import agency_scores, settlements

    views = (
        AgencyView.objects.filter(assessment=assessment)
        .select_related("question", "answered_by", "confirmed_by")
        .prefetch_related("question__options")
        .order_by("question__theme__order", "question__order", "agency")
    )
    return {
        "agency_views": [
            v.as_data(list(v.question.options.all()))
            | {
                "carry_outcome": v.carry_outcome,
                "confirmed_by": v.confirmed_by.email if v.confirmed_by else None,
            }
            for v in views
        ],
        "agency_submissions": [
            {
                "theme": s.theme.code,
                "agency": s.agency,
                "by": s.submitted_by.email if s.submitted_by else None,
                "at": s.submitted_at.isoformat(),
            }
            for s in AgencyThemeSubmission.objects.filter(assessment=assessment)
            .select_related("theme", "submitted_by")
            .order_by("theme__order", "agency")
        ],
        "moderators": [
            {"theme": m.theme.code, "user": m.user.email}
            for m in assessment.moderators.select_related("theme", "user").order_by("theme__order")
        ],
        "moderations": [
            {
                "question": m.question.code,
                "note": m.note,
                "started_from": m.started_from,
                "by": m.moderated_by.email if m.moderated_by else None,
                "at": m.moderated_at.isoformat(),
                "answer_version": m.answer_version,
            }
            for m in Moderation.objects.filter(assessment=assessment)
            .select_related("question", "moderated_by")
            .order_by("question__theme__order", "question__order")
        ],
        "dissents": [
            {
                "question": d.question.code,
                "agency": d.agency,
                "text": d.text,
                "by": d.recorded_by.email if d.recorded_by else None,
                "at": d.recorded_at.isoformat(),
            }
            for d in Dissent.objects.filter(assessment=assessment)
            .select_related("question", "recorded_by")
            .order_by("question__theme__order", "question__order", "agency")
        ],
        "settlements": [s.as_data() for s in settlements(assessment)],
        "agency_scores": {
            agency: _scores_data(result) for agency, result in agency_scores(assessment).items()
        },
    }


def freeze(assessment: Assessment, *, result: Result, user: User, at: datetime) -> Snapshot:
    data = build(assessment, result=result, user=user, at=at)
    return Snapshot.objects.create(
        assessment=assessment, signed_off_by=user, data=data, sha256=digest(data)
    )
