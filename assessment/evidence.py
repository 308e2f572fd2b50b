"""Evidence items: freshness, coverage, checking uploaded files, and what may be deleted.

Freshness and coverage are pure functions of dates and scores (no database), so the pages, the
PDF and a signed-off record (whose items' dates are in its snapshot) all decide them the same way.

An item is **out of date** when, on the day that counts (today for an open cycle, the sign-off
date for a signed-off one), its review-by date has passed, or when the period it covers (or,
without a period, the date it was produced) ended more than the framework's limit before the
cycle's period starts. A question of the framework may set its own limit. **Coverage** of a
theme is how many of its scored answers rest on at least one current item: the confidence
behind the score, which it never changes.
"""

import calendar
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol
from xml.etree import ElementTree

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from assessment.pii import Finding, find_personal_data
from assessment.scoring import Result

if TYPE_CHECKING:
    from assessment.models import Assessment, EvidenceItem, Partnership, Question
    from assessment.results import Scored
    from assessment.snapshots import SignedRecord

# Freshness ---------------------------------------------------------------------------------


class HasDates(Protocol):
    """What freshness needs to know of an item: a live ``EvidenceItem``, a recorded one."""

    @property
    def produced(self) -> date: ...
    @property
    def period_end(self) -> date | None: ...
    @property
    def review_by(self) -> date | None: ...


@dataclass(frozen=True)
class Dated:
    """Just the dates, for callers (and tests) that have nothing else."""

    produced: date
    period_end: date | None = None
    review_by: date | None = None


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the month's last day if it is shorter)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def out_of_date_reason(
    item: HasDates, *, cycle_start: date, limit_months: int | None, as_of: date
) -> str:
    """Why ``item`` is out of date for a cycle starting ``cycle_start``, or '' if it is current.

    Current on its review-by date itself; out of date the day after. With a limit of 12 months
    and a cycle starting 1 April 2025, a period ending 1 April 2024 is current, 31 March 2024
    is not.
    """
    if item.review_by is not None and item.review_by < as_of:
        return f"Its review-by date, {_day(item.review_by)}, has passed"
    if limit_months:
        ended = item.period_end or item.produced
        if ended < months_before(cycle_start, limit_months):
            what = "The period it covers ended" if item.period_end else "It was produced"
            return (
                f"{what} on {_day(ended)}, more than {limit_months} months before this "
                f"cycle's period starts"
            )
    return ""


def is_out_of_date(
    item: HasDates, *, cycle_start: date, limit_months: int | None, as_of: date
) -> bool:
    return bool(
        out_of_date_reason(item, cycle_start=cycle_start, limit_months=limit_months, as_of=as_of)
    )


def _day(value: date) -> str:
    return f"{value.day} {calendar.month_name[value.month]} {value.year}"


# Coverage ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """Of a theme's scored answers, how many rest on at least one current evidence item."""

    scored: int
    covered: int
    out_of_date: int  # items attached to the theme's answers that are out of date

    @property
    def percentage(self) -> int | None:
        return round(100 * self.covered / self.scored) if self.scored else None

    @property
    def label(self) -> str:
        if not self.scored:
            return "No scored answers"
        return f"{self.covered} of {self.scored} scored answers have current evidence"


def coverage(
    result: Result,
    evidence: dict[str, list[HasDates]],
    *,
    limits: dict[str, int | None],
    cycle_start: date,
    as_of: date,
) -> dict[str, Coverage]:
    """Coverage of each theme of ``result``: ``evidence`` maps a question code to its items'
    dates, ``limits`` a question code to its freshness limit in months."""
    out: dict[str, Coverage] = {}
    for theme in result.themes:
        scored = covered = stale = 0
        for q in theme.questions:
            items = evidence.get(q.code, [])
            states = [
                is_out_of_date(
                    i, cycle_start=cycle_start, limit_months=limits.get(q.code), as_of=as_of
                )
                for i in items
            ]
            stale += sum(states)
            if q.level is None:
                continue
            scored += 1
            covered += not all(states) if states else 0
        out[theme.code] = Coverage(scored, covered, stale)
    return out


def total(coverages: Iterable[Coverage]) -> Coverage:
    coverages = list(coverages)
    return Coverage(
        sum(c.scored for c in coverages),
        sum(c.covered for c in coverages),
        sum(c.out_of_date for c in coverages),
    )


# Files -------------------------------------------------------------------------------------

TYPES_MESSAGE = (
    "The selected file must be a PDF, Word document, Excel spreadsheet, OpenDocument file, "
    "CSV, plain text, PNG or JPEG"
)

# Extension -> (what filetype must find, or None for text, the content type to store).
ALLOWED: dict[str, tuple[str | None, str]] = {
    "pdf": ("pdf", "application/pdf"),
    "doc": ("doc", "application/msword"),
    "docx": (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xls": ("xls", "application/vnd.ms-excel"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "odt": ("odt", "application/vnd.oasis.opendocument.text"),
    "ods": ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
    "odp": ("odp", "application/vnd.oasis.opendocument.presentation"),
    "csv": (None, "text/csv"),
    "txt": (None, "text/plain"),
    "png": ("png", "image/png"),
    "jpg": ("jpg", "image/jpeg"),
    "jpeg": ("jpg", "image/jpeg"),
}
# Markup that a browser might run if it ever rendered the file: never accepted as "text".
_MARKUP = re.compile(rb"<\s*(!doctype|html|head|body|script|svg|iframe|object|\?xml)\b", re.I)
TEXT_LIMIT = 2_000_000  # characters of extracted text scanned for personal data
PAGE_LIMIT = 300  # PDF pages read for text


def max_bytes() -> int:
    return settings.EVIDENCE_MAX_MB * 1024 * 1024


@dataclass(frozen=True)
class CheckedFile:
    extension: str
    content_type: str
    size: int
    sha256: str
    text: str  # what the service could read of it ('' for images and spreadsheets)
    findings: tuple[Finding, ...]


def check_file(upload: UploadedFile) -> CheckedFile:
    """Accepts an allowed type, by content as well as by name, within the size limit; reads its
    text and scans it for personal data. Raises ValidationError with a GOV.UK message."""
    limit = settings.EVIDENCE_MAX_MB
    if upload.size is not None and upload.size > max_bytes():
        raise ValidationError(f"The selected file must be smaller than {limit} MB")
    if not upload.size:
        raise ValidationError("The selected file is empty")
    extension = (upload.name or "").rsplit(".", 1)[-1].lower() if "." in (upload.name or "") else ""
    if extension not in ALLOWED:
        raise ValidationError(TYPES_MESSAGE)
    content = b"".join(upload.chunks())
    expected, content_type = ALLOWED[extension]
    found = filetype.guess(content)
    if expected is None:
        if found is not None or not _is_text(content):
            raise ValidationError(TYPES_MESSAGE)
    elif found is None or found.extension != expected:
        raise ValidationError(TYPES_MESSAGE)
    text = extract_text(extension, content)
    return CheckedFile(
        extension=extension,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        text=text,
        findings=tuple(find_personal_data(text)),
    )


def _is_text(content: bytes) -> bool:
    if b"\x00" in content[:65536] or _MARKUP.search(content[:65536]):
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        try:
            content.decode("cp1252")
        except UnicodeDecodeError:
            return False
    return True


def extract_text(extension: str, content: bytes) -> str:
    """The text of a PDF, Word (.docx), OpenDocument text, CSV or text file ('' otherwise, or
    when the file cannot be read: the file itself was already accepted by type)."""
    try:
        if extension in ("txt", "csv"):
            try:
                text = content.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = content.decode("cp1252", errors="replace")
        elif extension == "pdf":
            text = _pdf_text(content)
        elif extension == "docx":
            text = _xml_text(content, "word/document.xml")
        elif extension == "odt":
            text = _xml_text(content, "content.xml")
        else:
            return ""
    except Exception:  # a damaged file: nothing to scan, the person still confirms
        return ""
    return text[:TEXT_LIMIT]


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    parts = []
    for page in reader.pages[:PAGE_LIMIT]:
        parts.append(page.extract_text() or "")
    return "\n".join(parts)


def _xml_text(content: bytes, member: str) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        info = archive.getinfo(member)
        if info.file_size > 50 * 1024 * 1024:  # a zip bomb would be refused here
            return ""
        xml = archive.read(member)
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:  # neither format uses them: never expanded
        return ""
    root = ElementTree.fromstring(xml)  # noqa: S314 (no DTD or entities, checked above)
    paragraphs = []
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag in ("p", "h"):
            paragraphs.append("".join(element.itertext()))
    return "\n".join(paragraphs)


def ascii_name(title: str, extension: str) -> str:
    """A safe download name from the item's title: ASCII letters, digits, hyphens."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-")[:80] or "evidence"
    return f"{stem}.{extension}" if extension else stem


# Records -----------------------------------------------------------------------------------


def item_data(item: "EvidenceItem") -> dict:
    """An item as plain data: for the snapshot, the exports and the history of an answer."""
    return {
        "id": str(item.code),
        "title": item.title,
        "kind": item.kind,
        "agency": item.agency,
        "produced": item.produced.isoformat(),
        "period_start": item.period_start.isoformat() if item.period_start else None,
        "period_end": item.period_end.isoformat() if item.period_end else None,
        "review_by": item.review_by.isoformat() if item.review_by else None,
        "description": item.description,
        "file_name": item.file_name,
        "content_type": item.content_type,
        "size": item.size,
        "sha256": item.sha256 or None,
        "link": item.link or None,
    }


def attached(assessment: "Assessment") -> dict[int, list["EvidenceItem"]]:
    """The items attached to each question (by question id) of an assessment, in one query."""
    from assessment.models import AnswerEvidence

    out: dict[int, list] = {}
    for link in (
        AnswerEvidence.objects.filter(assessment=assessment)
        .select_related("item")
        .order_by("added", "pk")
    ):
        out.setdefault(link.question_id, []).append(link.item)
    return out


def signed_off_codes(partnership: "Partnership") -> set[str]:
    """The codes of the partnership's items that any signed-off snapshot (the current one or
    one kept from before a reopening) names: their files are kept for good."""
    from assessment.models import Snapshot
    from assessment.snapshots import evidence_codes

    codes: set[str] = set()
    for data in Snapshot.objects.filter(assessment__partnership=partnership).values_list(
        "data", flat=True
    ):
        codes |= evidence_codes(data)
    return codes


class EvidenceInUse(ValidationError):
    """An item that a signed-off record relies on: it cannot be deleted or its file replaced."""


def refuse_if_signed_off(item: "EvidenceItem", doing: str = "delete it") -> None:
    if str(item.code) in signed_off_codes(item.partnership):
        raise EvidenceInUse(
            f"You cannot {doing} because a signed-off self-assessment relies on it. "
            "Add a new version as a new evidence item instead."
        )


def delete_item(item: "EvidenceItem") -> None:
    """Deletes an item no signed-off record uses: detached from open cycles and register
    entries first, its file removed from storage once the row is gone."""
    from django.db import transaction

    from assessment.models import AnswerEvidence

    refuse_if_signed_off(item)
    name = item.file.name if item.file else ""
    storage = item.file.storage if item.file else None
    with transaction.atomic():
        for link in AnswerEvidence.objects.filter(item=item):
            link.delete()  # the lock refuses a link in a signed-off cycle
        item.register_entries.clear()
        item.delete()
    if name and storage is not None:
        storage.delete(name)


# For the pages -----------------------------------------------------------------------------


def as_of(assessment: "Assessment", record: "SignedRecord | None" = None) -> date:
    """The day freshness is judged on: the sign-off date of a signed-off cycle, else today."""
    from django.utils import timezone

    if record is not None and record.signed_off_at is not None:
        return timezone.localdate(record.signed_off_at)
    if assessment.is_locked and assessment.signed_off_at is not None:
        return timezone.localdate(assessment.signed_off_at)
    return timezone.localdate()


def limits_of(
    questions: Iterable["Question"], framework_months: int | None
) -> dict[str, int | None]:
    """Each question's freshness limit: its own, else its framework's (None: no limit)."""
    return {q.code: q.evidence_months or framework_months for q in questions}


def evidence_of(data: "Scored") -> dict[str, list]:
    """The items behind each answer (by question code): recorded ones for a signed-off cycle."""
    if data.record is not None:
        return {a.question: list(a.evidence_items) for a in data.record.answers}
    by_id = attached(data.assessment)
    return {q.code: by_id.get(q.pk, []) for q in data.questions}


def theme_coverage(data: "Scored", items: dict[str, list] | None = None) -> dict[str, Coverage]:
    """Each theme's evidence coverage; ``items`` (from ``evidence_of``) when already read."""
    assessment = data.assessment
    return coverage(
        data.result,
        evidence_of(data) if items is None else items,
        limits=limits_of(data.questions, assessment.framework.evidence_months),
        cycle_start=data.record.period_start
        if data.record is not None and data.record.period_start
        else assessment.period_start,
        as_of=as_of(assessment, data.record),
    )


@dataclass(frozen=True)
class Shown:
    """An item as an answer shows it: with why it is out of date ('' when current)."""

    item: Any  # an EvidenceItem, or a snapshots.RecordedEvidence
    reason: str

    @property
    def out_of_date(self) -> bool:
        return bool(self.reason)


def shown(
    items: Iterable[Any], *, question: "Question", assessment: "Assessment", day: date
) -> list[Shown]:
    limit = question.evidence_months or assessment.framework.evidence_months
    return [
        Shown(
            i,
            out_of_date_reason(
                i, cycle_start=assessment.period_start, limit_months=limit, as_of=day
            ),
        )
        for i in items
    ]


def out_of_date_by_theme(assessment: "Assessment") -> dict[int, int]:
    """How many attached items are out of date in each theme (by theme id): the task list."""
    from assessment.models import AnswerEvidence

    day = as_of(assessment)
    counts: dict[int, int] = {}
    for link in AnswerEvidence.objects.filter(assessment=assessment).select_related(
        "item", "question"
    ):
        limit = link.question.evidence_months or assessment.framework.evidence_months
        if is_out_of_date(
            link.item, cycle_start=assessment.period_start, limit_months=limit, as_of=day
        ):
            counts[link.question.theme_id] = counts.get(link.question.theme_id, 0) + 1
    return counts


def simple_pdf(lines: list[str]) -> bytes:
    """A small valid one-page PDF with ``lines`` of text (Helvetica), for fictional demo
    evidence and tests: no rendering engine needed, and its text reads back with pypdf."""

    def escape(text: str) -> str:
        plain = text.encode("latin-1", "replace").decode("latin-1")
        return plain.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    body = "BT /F1 12 Tf 72 760 Td 16 TL " + " ".join(f"({escape(t)}) '" for t in lines) + " ET"
    stream = body.encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def prune_unreferenced(older_than_hours: int = 24) -> int:
    """Deletes evidence files that no item names and that are older than ``older_than_hours``:
    uploads kept for a form that was never sent again (see ``forms.evidence``). Returns how
    many were deleted. Run daily (``manage.py prune_evidence_uploads``)."""
    from datetime import timedelta

    from django.utils import timezone

    from assessment.models import EvidenceItem
    from assessment.models.evidence import evidence_storage

    storage = evidence_storage()
    named = set(EvidenceItem.objects.exclude(file="").values_list("file", flat=True))
    cutoff = timezone.now() - timedelta(hours=older_than_hours)
    deleted = 0
    try:
        folders, _ = storage.listdir("evidence")
    except FileNotFoundError:
        return 0
    for folder in folders:
        _, files = storage.listdir(f"evidence/{folder}")
        for file in files:
            name = f"evidence/{folder}/{file}"
            if name not in named and storage.get_modified_time(name) < cutoff:
                storage.delete(name)
                deleted += 1
    return deleted
