"""The evidence item form: on the evidence register and inside each question of a theme page.

Drawn with the GOV.UK markup functions of ``govuk.py`` (a theme page has one per question), and
validated on the server: the file by its content as well as its name (``evidence.check_file``),
its text scanned for personal data. A valid file survives a form sent back with other errors: it
is stored at once and the form carries a signed token for it (``pending``), so nobody selects
the same file twice.
"""

from django import forms
from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from assessment.evidence import CheckedFile, check_file
from assessment.forms import govuk
from assessment.forms.answers import GOVUKDateField
from assessment.models import Agency, EvidenceItem, EvidenceKind, Partnership
from assessment.models.evidence import evidence_path, evidence_storage
from assessment.pii import find_personal_data

PENDING_SALT = "assessment.evidence.pending"
PENDING_MAX_AGE = 60 * 60 * 24


def _select(field: forms.BoundField, *, code: str = "") -> SafeString:
    """A GOV.UK select (govuk.py has none: answers do not use one)."""
    hint, hint_ids = govuk._hint(field)
    errors, error_ids = govuk._errors(field)
    value = str(field.value() or "")
    options = "".join(
        f"<option{govuk._attrs(value=v, selected=str(v) == value)}>{govuk._e(label)}</option>"
        for v, label in getattr(field.field, "choices", [])
    )
    attrs = govuk._attrs(
        name=field.html_name,
        id=field.auto_id,
        class_="govuk-select" + (" govuk-select--error" if errors else ""),
        aria_describedby=govuk._describedby(hint_ids + error_ids),
    )
    return mark_safe(  # noqa: S308 - every value escaped by _e or _attrs
        govuk._group(
            field,
            f'<label class="govuk-label" for="{field.auto_id}">{govuk._label(field, code)}</label>'
            f"{hint}{errors}<select{attrs}>{options}</select>",
        )
    )


def _file_input(field: forms.BoundField, kept: str, *, code: str = "") -> SafeString:
    hint, hint_ids = govuk._hint(field)
    errors, error_ids = govuk._errors(field)
    kept_html = (
        f'<p class="govuk-body-s" id="{field.auto_id}_kept">Kept from your last try: '
        f"<strong>{govuk._e(kept)}</strong>. Select a file only to use another one.</p>"
        if kept
        else ""
    )
    attrs = govuk._attrs(
        type="file",
        name=field.html_name,
        id=field.auto_id,
        class_="govuk-file-upload" + (" govuk-file-upload--error" if errors else ""),
        aria_describedby=govuk._describedby(
            hint_ids + ([f"{field.auto_id}_kept"] if kept else []) + error_ids
        ),
    )
    return mark_safe(  # noqa: S308 - every value escaped by _e or _attrs
        govuk._group(
            field,
            f'<label class="govuk-label" for="{field.auto_id}">{govuk._label(field, code)}</label>'
            f"{hint}{kept_html}{errors}<input{attrs}>",
        )
    )


class EvidenceItemForm(forms.Form):
    use_required_attribute = False

    title = forms.CharField(
        label="Title",
        max_length=EvidenceItem.TITLE_LIMIT,
        required=False,
        help_text="As the document calls itself, for example “Child exploitation problem profile 2024”.",
        error_messages={
            "max_length": f"The title must be {EvidenceItem.TITLE_LIMIT} characters or fewer"
        },
    )
    kind = forms.ChoiceField(
        label="Kind of evidence",
        required=False,
        choices=[("", "Select a kind"), *EvidenceKind.choices],
    )
    agency = forms.ChoiceField(
        label="Owning agency", required=False, choices=[("", "Select an agency"), *Agency.choices]
    )
    produced = GOVUKDateField(label="Date produced")
    period_start = GOVUKDateField(label="Period covered: from", example="1 4 2023")
    period_end = GOVUKDateField(label="Period covered: to", example="31 3 2024")
    review_by = GOVUKDateField(label="Review by", example="31 3 2026")
    description = forms.CharField(
        label="Description (optional)",
        required=False,
        max_length=EvidenceItem.DESCRIPTION_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": f"The description must be {EvidenceItem.DESCRIPTION_LIMIT:,} characters or fewer"
        },
    )
    file = forms.FileField(
        label="Upload a file",
        required=False,
        help_text="PDF, Word, Excel, OpenDocument, CSV, plain text, PNG or JPEG.",
    )
    link = forms.URLField(
        label="Or give a link to it",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="Where partners can read it, for example on your partnership's website or intranet.",
        error_messages={
            "invalid": "Enter the link in the correct format, like https://example.org/report"
        },
    )
    no_child_data = forms.BooleanField(
        label="I confirm the file holds no information that identifies a child",
        required=False,
    )
    confirm_personal_data = forms.BooleanField(
        label="I have checked: this does not identify a child, a family or a suspect",
        required=False,
    )
    pending = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args,
        partnership: Partnership,
        instance: EvidenceItem | None = None,
        file_locked: bool = False,
        code: str = "",
        **kwargs,
    ):
        if instance is not None and not kwargs.get("initial"):
            kwargs["initial"] = {
                name: getattr(instance, name)
                for name in (
                    "title",
                    "kind",
                    "agency",
                    "produced",
                    "period_start",
                    "period_end",
                    "review_by",
                    "description",
                    "link",
                )
            }
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.instance = instance
        self.file_locked = file_locked  # a signed-off record relies on the file
        self.code = code  # a question's code: first in every message on a theme page
        from django.conf import settings

        self.fields["file"].help_text += f" Smaller than {settings.EVIDENCE_MAX_MB} MB."
        self.checked: CheckedFile | None = None
        self._upload: UploadedFile | None = None
        self.kept: dict | None = None  # the file stored from an earlier try
        self.warned = False  # the file's or the text's personal-data check found something

    # Drawing ----------------------------------------------------------------------------

    @property
    def shows_confirmation(self) -> bool:
        return self.warned

    def as_govuk(self) -> SafeString:
        c = self.code
        kept = (self.kept or {}).get("file_name", "")
        parts = [
            govuk.text_input(self["title"], code=c),
            _select(self["kind"], code=c),
            _select(self["agency"], code=c),
            govuk.date_input(self["produced"], code=c),
            govuk.date_input(self["period_start"], code=c),
            govuk.date_input(self["period_end"], code=c),
            govuk.date_input(self["review_by"], code=c),
            govuk.textarea(self["description"], rows=3, code=c),
        ]
        if self.file_locked:
            parts.append(
                mark_safe(
                    '<p class="govuk-body">The file cannot be replaced: a signed-off '
                    "self-assessment relies on it. Add a new version as a new evidence item.</p>"
                )
            )
        else:
            parts += [
                _file_input(self["file"], kept, code=c),
                govuk.text_input(self["link"], code=c),
            ]
            parts.append(govuk.checkbox(self["no_child_data"], code=c))
        if self.warned:
            parts.append(govuk.checkbox(self["confirm_personal_data"], code=c))
        parts.append(govuk.hidden(self["pending"]) if self.kept else mark_safe(""))
        return mark_safe("".join(parts))  # noqa: S308 - each part is safe markup

    # Checking ---------------------------------------------------------------------------

    def _error(self, field: str, message: str) -> None:
        self.add_error(field, f"{self.code}: {message}" if self.code else message)

    def clean(self) -> dict:
        data = super().clean() or {}
        if not (data.get("title") or "").strip() and "title" not in self.errors:
            self._error("title", "Enter a title for the evidence")
        if not data.get("kind"):
            self._error("kind", "Select the kind of evidence")
        if not data.get("agency"):
            self._error("agency", "Select the agency that owns the evidence")
        self._clean_dates(data)
        if not self.file_locked:
            self._clean_file(data)
        texts = " ".join(data.get(n) or "" for n in ("title", "description"))
        text_findings = find_personal_data(texts)
        file_warned = bool(self.checked.findings) if self.checked else False
        if not file_warned and self.kept:
            file_warned = bool(self.kept.get("warned"))
        if (text_findings or file_warned) and not data.get("confirm_personal_data"):
            self.warned = True
            if file_warned:
                self._error(
                    "file",
                    "The file's text may contain personal details. Check the file, then tick "
                    "the box to confirm it does not identify a child, a family or a suspect",
                )
            if text_findings:
                kinds = ", ".join(sorted({f.description for f in text_findings}))
                self._error(
                    "description" if find_personal_data(data.get("description") or "") else "title",
                    f"The evidence's title or description may contain personal details ({kinds}). Remove them, or tick the box to confirm they do not identify anyone",
                )
        elif text_findings or file_warned:
            self.warned = True  # confirmed: keep the box drawn ticked if the form goes back
        self._keep_file()
        return data

    def _clean_dates(self, data: dict) -> None:
        today = timezone.localdate()
        produced = data.get("produced")
        if "produced" not in self.errors and produced is None:
            self._error("produced", "Enter the date the evidence was produced")
        elif produced is not None and produced > today:
            self._error("produced", "The date produced must be today or in the past")
        start, end = data.get("period_start"), data.get("period_end")
        if "period_start" in self.errors or "period_end" in self.errors:
            return
        if (start is None) != (end is None):
            missing = "period_end" if end is None else "period_start"
            self._error(missing, "Enter both dates of the period covered, or neither")
        elif start and end and end < start:
            self._error("period_end", "The end of the period covered must be on or after its start")
        review = data.get("review_by")
        if review is not None and produced is not None and review < produced:
            self._error("review_by", "The review-by date must be on or after the date produced")

    def _clean_file(self, data: dict) -> None:
        upload: UploadedFile | None = data.get("file")
        self._upload = upload
        link = data.get("link") or ""
        if link and not link.startswith(("https://", "http://")):
            self._error(
                "link", "Enter the link in the correct format, like https://example.org/report"
            )
        self.kept = self._read_pending(data.get("pending") or "") if upload is None else None
        if upload is not None:
            try:
                self.checked = check_file(upload)
            except forms.ValidationError as error:
                self._error("file", error.messages[0])
        has_file = (
            self.checked is not None
            or self.kept is not None
            or bool(self.instance and self.instance.file)
        )
        if "file" in self.errors:
            return
        if not has_file and not link and "link" not in self.errors:
            self._error("file", "Select a file or enter a link")
        elif (self.checked or self.kept) and link:
            self._error("link", "Give either a file or a link, not both")
        if (self.checked or self.kept) and not data.get("no_child_data"):
            self._error(
                "no_child_data",
                "Confirm that the file holds no information that identifies a child",
            )

    def _read_pending(self, token: str) -> dict | None:
        if not token:
            return None
        try:
            kept = signing.loads(token, salt=PENDING_SALT, max_age=PENDING_MAX_AGE)
        except signing.BadSignature:
            return None
        if kept.get("partnership") != str(self.partnership.code):
            return None
        return kept

    def _keep_file(self) -> None:
        """A valid new file is stored now, so that a form sent back keeps it (``pending``)."""
        if self.checked is None:
            return
        upload = self._upload
        if upload is None:
            return
        holder = EvidenceItem(partnership=self.partnership)
        original = upload.name or "evidence"
        name = evidence_storage().save(evidence_path(holder, original), upload)
        checked = self.checked
        self.kept = {
            "partnership": str(self.partnership.code),
            "name": name,
            "file_name": original[-255:],
            "content_type": checked.content_type,
            "size": checked.size,
            "sha256": checked.sha256,
            "warned": bool(checked.findings),
        }
        token = signing.dumps(self.kept, salt=PENDING_SALT)
        # Each value read by key, not ``{**self.data}``: unpacking a QueryDict gives each field
        # its list of values, and the form then drew (and saved) "['Kept title']".
        self.data = {key: self.data[key] for key in self.data} | {self.add_prefix("pending"): token}
        self.checked = None  # from now on it is the kept file

    # Saving -----------------------------------------------------------------------------

    def save(self, *, user) -> EvidenceItem:
        data = self.cleaned_data
        item = self.instance or EvidenceItem(partnership=self.partnership, created_by=user)
        for name in (
            "title",
            "kind",
            "agency",
            "produced",
            "period_start",
            "period_end",
            "review_by",
            "description",
        ):
            setattr(
                item, name, data.get(name) if name.startswith(("period", "review")) else data[name]
            )
        item.title = item.title.strip()
        old_file = item.file.name if item.file else ""
        if not self.file_locked:
            item.link = data.get("link") or ""
            if self.kept:
                item.file.name = self.kept["name"]
                item.file_name = self.kept["file_name"]
                item.content_type = self.kept["content_type"]
                item.size = self.kept["size"]
                item.sha256 = self.kept["sha256"]
                item.no_child_data_confirmed = True
                item.personal_data_warned = bool(self.kept.get("warned"))
                item.link = ""
        item.save()
        if old_file and old_file != item.file.name:
            evidence_storage().delete(old_file)  # replaced: no signed-off record used it
        return item


def evidence_choices(items: list[EvidenceItem]) -> list[tuple[str, str]]:
    return [
        (str(i.code), f"{i.title} ({i.get_kind_display()}, {i.produced:%-d %B %Y})") for i in items
    ]
