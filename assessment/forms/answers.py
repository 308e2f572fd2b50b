"""The form for one question of a theme page; a theme page is a list of these, one per question.

Each form is prefixed with its question code, carries the version of the answer it was drawn
from (for conflict detection) and the code itself (a changed code is refused as tampering).
"""

from datetime import date

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.fields import DateInputField
from django import forms
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from assessment import answer_rules
from assessment.answer_rules import normalise
from assessment.forms import govuk
from assessment.models import Answer, Kind, Option, Question
from assessment.models.assessment import AnswerValues
from assessment.models.framework import anchor, cite
from assessment.pii import find_personal_data, text_digest
from assessment.workflow import values_at, values_of


class GOVUKDateField(DateInputField):
    """GOV.UK date input with plain-English errors naming the date, whose example is the one
    in its hint."""

    def __init__(self, *, label: str, example: str = "31 3 2024", **kwargs):
        kwargs.setdefault("help_text", f"For example, {example}")
        super().__init__(label=label, require_all_fields=False, required=False, **kwargs)
        self.example = example
        self.error_messages["invalid"] = f"{label} must be a real date, like {example}"

    def clean(self, value):
        try:
            return super().clean(value)
        except forms.ValidationError:
            raise forms.ValidationError(self.error_messages["invalid"]) from None

    def compress(self, data_list):
        if not data_list or not any(data_list):
            return None
        try:
            day, month, year = (int(part) for part in data_list)
            return date(year, month, day)
        except (TypeError, ValueError, OverflowError):  # 25-digit years overflow
            raise forms.ValidationError(self.error_messages["invalid"]) from None


class AnswerForm(forms.Form):
    use_required_attribute = False
    TEXTS = ("evidence", "text", "not_applicable_reason")  # the free texts, in this order

    question_code = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    evidence = forms.CharField(
        label="How do you know?",
        required=False,
        max_length=Answer.EVIDENCE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The evidence behind this answer: audits, data, reports, minutes. Describe practice, never individual children.",
        error_messages={
            "max_length": f"How do you know? must be {Answer.EVIDENCE_LIMIT:,} characters or fewer"
        },
    )
    not_applicable = forms.BooleanField(
        label="This question does not apply to our partnership", required=False
    )
    not_applicable_reason = forms.CharField(
        label="Why does it not apply?",
        required=False,
        max_length=Answer.REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "max_length": f"Why does it not apply? must be {Answer.REASON_LIMIT:,} characters or fewer"
        },
    )
    # Only on a carried-over answer: confirmed with the save, never by a button of its own (Enter
    # in any box submits a form with its first button, which must be "Save and continue").
    still_true = forms.BooleanField(required=False)
    confirm_personal_data = forms.BooleanField(
        label="I have checked: this text does not identify a child, a family or a suspect",
        required=False,
    )

    def __init__(
        self,
        data=None,
        *,
        question: Question,
        options: list[Option],
        answer: AnswerValues | None,
        nation: str,
        framework_url: str = "",
        complete: bool = False,
        editable: bool = True,
    ):
        self.question = question
        # Critical can differ by nation, and a critical question may be N/A only where the
        # framework says so: not offered otherwise, and refused if sent anyway.
        self.critical = question.is_critical_in(nation)
        self.na_allowed = question.may_be_not_applicable_in(nation)
        self.options = options
        self.exclusive = (
            next((o for o in options if o.excludes_others), None)
            if question.kind == Kind.MULTIPLE
            else None
        )
        self.answer = answer
        self.nation = nation
        self.complete = complete  # "save and continue": an answer begun must be finished
        self.framework_url = framework_url
        self.pii_findings: list = []
        self.personal_data_confirmed = ""  # see _check_personal_data
        self.changed = True  # until clean() finds otherwise
        super().__init__(data, prefix=question.code, initial=self._initial())
        self._add_value_fields()
        if answer is not None and answer.needs_reconfirmation:
            self.fields["still_true"].label = f"I have checked {question.code} is still true"
        else:
            del self.fields["still_true"]
        if not editable:
            for field in self.fields.values():
                field.disabled = True

    # Building -----------------------------------------------------------------------------

    def _initial(self) -> dict:
        return {
            "question_code": self.question.code,
            "version": self.answer.version if self.answer else 0,
            **self._initial_values(values_of(self.answer)),
        }

    def start_from(self, values: dict) -> None:
        """Draw the unbound form with ``values`` rather than the stored answer's, on the
        stored answer's version: moderation starts the partnership answer from an agency's
        view, and saving it is then an ordinary change of that answer."""
        for name in self.fields:
            if name not in ("question_code", "version"):
                self.initial.pop(name, None)
        self.initial.update(self._initial_values(values))

    def _initial_values(self, values: dict) -> dict:
        initial = {k: v for k, v in values.items() if v not in (None, "")}
        kind = self.question.kind
        if kind in (Kind.SINGLE, Kind.YES_NO) and values["selected"]:
            initial["option"] = str(values["selected"][0])
        if kind == Kind.MULTIPLE:
            initial["options"] = [str(pk) for pk in values["selected"]]
        return initial

    def _choices(self) -> list[Choice]:
        return [Choice(str(o.pk), o.label, hint=o.descriptor) for o in self.options]

    def _add_value_fields(self) -> None:
        q, kind = self.question, self.question.kind
        label = f"{q.code} {q.text}"
        if kind in (Kind.SINGLE, Kind.YES_NO):
            self.fields["option"] = forms.ChoiceField(
                label=label,
                choices=self._choices(),
                widget=forms.RadioSelect,
                required=False,
                error_messages={"invalid_choice": "select one of the answers shown"},
            )
        elif kind == Kind.MULTIPLE:
            self.fields["options"] = forms.MultipleChoiceField(
                label=label,
                choices=self._choices(),
                widget=forms.CheckboxSelectMultiple,
                required=False,
                help_text="Select all that apply.",
                error_messages={"invalid_choice": "select only the answers shown"},
            )
        elif kind == Kind.INDICATOR:
            indicator: dict = q.indicator or {}  # the loader requires it of an indicator
            for name in ("numerator", "denominator"):
                self.fields[name] = forms.IntegerField(
                    label=indicator[name],
                    error_messages=_number_errors(indicator[name]),
                    widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "app-number"}),
                    min_value=0,
                    max_value=10_000_000,
                    required=False,
                )
            self._add_period_fields()
        elif kind == Kind.COUNT:
            self.fields["number"] = forms.IntegerField(
                label="Number",
                min_value=0,
                max_value=10_000_000,
                required=False,
                error_messages=_number_errors("The number"),
                widget=forms.TextInput(attrs={"inputmode": "numeric"}),
            )
            self._add_period_fields()
        elif kind == Kind.DATE:
            self.fields["date_value"] = GOVUKDateField(label="Date")
        else:
            self.fields["text"] = forms.CharField(
                label="Your answer",
                help_text="Describe practice, never individual children.",
                required=False,
                max_length=Answer.TEXT_LIMIT,
                widget=forms.Textarea(attrs={"rows": 5}),
                error_messages={
                    "max_length": f"Your answer must be {Answer.TEXT_LIMIT:,} characters or fewer"
                },
            )

    def _add_period_fields(self) -> None:
        self.fields["period_start"] = GOVUKDateField(
            label="Start of the period", example="1 4 2024"
        )
        self.fields["period_end"] = GOVUKDateField(label="End of the period", example="31 3 2025")

    def as_govuk(self) -> SafeString:
        """The form in GOV.UK markup (see ``govuk``): the question as the legend of its fieldset,
        with guidance and citations just under it, then the evidence and "does not apply"."""
        q = self.question
        legend = f"{q.code} {q.text}"
        intro = question_intro(q, self.answer, self.framework_url, critical=self.critical)
        code = q.code
        if "option" in self.fields or "options" in self.fields:
            field = self["option" if "option" in self.fields else "options"]
            field.help_text = intro  # the hint of the radios or checkboxes
            exclusive = str(self.exclusive.pk) if self.exclusive else ""
            value = govuk.choices(field, legend=legend, exclusive=exclusive)
        else:
            parts = [
                govuk.text_input(self[name], width="govuk-!-width-one-quarter", code=code)
                for name in ("numerator", "denominator", "number")
                if name in self.fields
            ]
            parts += [
                govuk.date_input(self[name], code=code)
                for name in ("date_value", "period_start", "period_end")
                if name in self.fields
            ]
            if "text" in self.fields:
                parts.append(
                    govuk.textarea(self["text"], max_characters=Answer.TEXT_LIMIT, code=code)
                )
            value = govuk.fieldset(legend=legend, intro=intro, body=parts)
        reason = govuk.textarea(self["not_applicable_reason"], rows=2, code=code)
        parts = [
            govuk.hidden(self["question_code"]),
            govuk.hidden(self["version"]),
            value,
            govuk.textarea(self["evidence"], max_characters=Answer.EVIDENCE_LIMIT, code=code),
        ]
        if self.na_allowed:
            parts.append(govuk.checkbox(self["not_applicable"], code=code, reveal=reason))
        else:
            parts.append(
                format_html('<p class="govuk-body-s">{}</p>', not_applicable_refused(q.code))
            )
        if "still_true" in self.fields:
            parts.append(govuk.checkbox(self["still_true"]))
        if self.pii_findings:
            parts.append(govuk.checkbox(self["confirm_personal_data"], code=code))
        return mark_safe("".join(parts))  # noqa: S308 - every part built with format_html

    # Checking -----------------------------------------------------------------------------

    def add_error(self, field: str | None, error) -> None:
        """Every message starts with the question's code, so that the error summary of a page
        of a dozen questions reads as a list of what to do where ("PP-01: enter the date")."""
        code = self.question.code
        messages = error.messages if isinstance(error, forms.ValidationError) else [error]
        super().add_error(
            field, [m if m.startswith(f"{code}:") else f"{code}: {m}" for m in messages]
        )

    def clean_question_code(self) -> str:
        code = self.cleaned_data["question_code"]
        if code != self.question.code:
            raise forms.ValidationError(
                "the page was changed before it was sent. Reload the page and answer again"
            )
        return code

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        q = self.question
        values = self._typed_values()
        base = self._base_values(data.get("version"))
        # Only what the person changed is questioned: an answer left as they found it (theirs
        # or someone else's, in or outside their remit) never blocks their save.
        self.changed = bool(self.errors) or normalise(self.answer_values()) != base
        if not self.changed:
            if self.answer is not None:
                self.personal_data_confirmed = self.answer.personal_data_confirmed
            return data
        # The rules every answer keeps (answer_rules), checked on what was typed, before "does
        # not apply" clears the value fields, so that nothing typed is silently dropped.
        for problem in answer_rules.problems(
            q, values, nation=self.nation, today=timezone.localdate(), options=self.options
        ):
            self._add_problem(problem)
        self._check_personal_data(data, base)
        if not self.errors and self.complete and answer_rules.has_begun(values):
            for problem in answer_rules.missing(q, values):
                self._add_problem(problem)
        return data

    def _base_values(self, version: int | None) -> dict:
        """The answer as the person's page showed it (normalised), to tell what they changed."""
        if self.answer is not None and version == self.answer.version:
            return normalise(self.answer.values)
        return values_at(self.answer, version or 0)

    def _check_personal_data(self, data: dict, base: dict) -> None:
        """Texts the person changed that look like personal details need their word that they
        identify nobody; that word is kept with a digest of the texts (see Answer)."""
        texts = {name: (data.get(name) or "").strip() for name in self.TEXTS}
        changed = [name for name in self.TEXTS if texts[name] != base.get(name, "")]
        if not changed and self.answer is not None:
            self.personal_data_confirmed = self.answer.personal_data_confirmed
            return
        found = {name: find_personal_data(texts[name]) for name in changed}
        self.pii_findings = [f for findings in found.values() for f in findings]
        if not self.pii_findings:
            return
        if data.get("confirm_personal_data"):
            self.personal_data_confirmed = text_digest(list(texts.values()))
            return
        for name, findings in found.items():
            if findings:
                kinds = ", ".join(sorted({f.description for f in findings}))
                self.add_error(
                    name,
                    f"{self.fields[name].label} may contain personal "
                    f"details ({kinds}). Remove them, or tick the box to confirm the text does "
                    "not identify anyone",
                )

    def _add_problem(self, problem: answer_rules.Problem) -> None:
        """A rule's problem on the field that shows it, unless that field already has one."""
        name: str | None = problem.field
        if name == "selected" or (name == "not_applicable" and not self.na_allowed):
            # The box is not on the page for a question that must be answered: the message goes
            # on the answer itself, so the error summary's link reaches a box.
            name = next(n for n in VALUE_FIELD_NAMES if n in self.fields)
        if name not in self.fields:
            name = None  # a value this kind of question has no field for: tampering
        elif name in self.errors:
            return
        self.add_error(name, problem.message)

    def _typed_values(self) -> dict:
        data = self.cleaned_data
        values: dict[str, object] = {
            "selected": [],
            "numerator": data.get("numerator"),
            "denominator": data.get("denominator"),
            "number": data.get("number"),
            "date_value": data.get("date_value"),
            "period_start": data.get("period_start"),
            "period_end": data.get("period_end"),
            "text": data.get("text") or "",
            "evidence": data.get("evidence") or "",
            "not_applicable": bool(data.get("not_applicable")),
            "not_applicable_reason": data.get("not_applicable_reason") or "",
        }
        if data.get("option"):
            values["selected"] = [int(data["option"])]
        elif data.get("options"):
            values["selected"] = sorted(int(pk) for pk in data["options"])
        return values

    def answer_values(self) -> dict:
        """The submitted answer as values for ``workflow.Change``.

        Ticking "does not apply" keeps the answer under it, so unticking brings it back; if the
        answer's fields were not sent at all (a script may disable them), the stored ones stay.
        """
        values = answer_rules.drop_unused_reason(self._typed_values())
        if (
            values["not_applicable"]
            and self.answer is not None
            and not answer_rules.has_value(values)
        ):
            stored = values_of(self.answer)
            values |= {k: stored[k] for k in answer_rules.ANSWER_FIELDS}
        return values


# The id of the first box of each kind of question, as govuk.py writes it (radios and
# checkboxes are numbered from 1, date parts from 0): where links to a question land.
_FIRST_INPUT: dict[str, str] = {
    Kind.SINGLE: "option_1",
    Kind.YES_NO: "option_1",
    Kind.MULTIPLE: "options_1",
    Kind.INDICATOR: "numerator",
    Kind.COUNT: "number",
    Kind.DATE: "date_value_0",
    Kind.TEXT: "text",
}


def first_input_id(question: Question) -> str:
    return f"id_{question.code}-{_FIRST_INPUT[question.kind]}"


# The fields that hold an answer's value, the first of them on the page taking its messages.
VALUE_FIELD_NAMES = ("option", "options", "numerator", "number", "date_value", "text")


def not_applicable_refused(code: str) -> str:
    return f"{code} is a critical question: it must be answered, and cannot be marked as not applicable"


def question_intro(
    question: Question, answer: AnswerValues | None, framework_url: str, *, critical: bool
) -> str:
    """Flags, citations and "what good looks like" under a question. Built in Python rather than
    a template: a theme page draws it a dozen times and this is several times faster."""
    tags = []
    if answer is not None and answer.needs_reconfirmation:
        tags.append(
            format_html(
                '<strong class="govuk-tag govuk-tag--yellow">{}</strong> ',
                "Carried over \N{EN DASH} confirm or change",
            )
        )
    if critical:
        tags.append(
            format_html('<strong class="govuk-tag govuk-tag--red">{}</strong> ', "Critical")
        )
    citations = format_html_join(
        ", ",
        '<a class="govuk-link" href="{}sources#{}">{}</a>' if framework_url else "{}{}{}",
        (
            (framework_url, anchor(r), cite(r)) if framework_url else ("", "", cite(r))
            for r in question.references
        ),
    )
    more = (
        format_html(
            ' <a class="govuk-link" href="{}themes/{}#{}">Read more about {} in the framework</a>',
            framework_url,
            question.theme.code,
            question.code,
            question.code,
        )
        if framework_url
        else ""
    )
    return format_html(
        '{}<span class="app-citations">Report: {}</span>'
        '<details class="govuk-details govuk-!-margin-top-2 govuk-!-margin-bottom-2">'
        '<summary class="govuk-details__summary"><span class="govuk-details__summary-text">What good looks like</span></summary>'
        '<div class="govuk-details__text">{}{}</div></details>',
        mark_safe("".join(tags)),  # noqa: S308 - each part escaped by format_html above
        citations,
        question.guidance,
        more,
    )


def _number_errors(label: str) -> dict:
    return {
        "invalid": f"{label} must be a whole number, like 12",
        "min_value": f"{label} must be 0 or more",
        "max_value": f"{label} must be 10,000,000 or fewer",
    }
