"""Forms for the register: a response to a recommendation, a local recommendation, progress,
milestones and publishing."""

from datetime import date

from crispy_forms_gds.layout import Field, Fluid, Layout, Size, Submit
from django import forms
from django.utils import timezone

from assessment.forms.answers import GOVUKDateField
from assessment.forms.evidence import evidence_choices
from assessment.forms.partnerships import GOVUKForm
from assessment.models import (
    Agency,
    Applies,
    LocalSource,
    Milestone,
    RecommendationResponse,
    ResponseStatus,
)
from assessment.pii import find_personal_data

LIMIT = RecommendationResponse.TEXT_LIMIT


def _text(label: str, limit: int = LIMIT, required: bool = False, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=limit,
        widget=forms.Textarea(attrs={"rows": kwargs.pop("rows", 4)}),
        error_messages={
            "required": f"Enter {label[0].lower() + label[1:]}",
            "max_length": f"{label} must be {limit} characters or fewer",
        },
        **kwargs,
    )


class PersonalDataChecked(GOVUKForm):
    """Free text is checked for personal details; the person removes them or confirms."""

    checked_fields: tuple[str, ...] = ()

    confirm_personal_data = forms.BooleanField(
        label="I have checked: this text does not identify a child, a family or a suspect",
        required=False,
    )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        confirmed = data.get("confirm_personal_data")
        self.pii_findings = []
        for name in self.checked_fields:
            findings = find_personal_data(data.get(name) or "")
            self.pii_findings += findings
            if findings and not confirmed:
                kinds = ", ".join(sorted({f.description for f in findings}))
                label = self.fields[name].label
                self.add_error(
                    name,
                    f"{label} may contain personal details ({kinds}). Remove them, or tick the "
                    "box to confirm it does not identify anyone",
                )
        return data


def _require_reason(form: forms.Form, data: dict) -> None:
    if (
        data.get("status") == ResponseStatus.NOT_ACCEPTED
        and not (data.get("not_accepted_reason") or "").strip()
    ):
        form.add_error("not_accepted_reason", "Enter why the recommendation is not accepted")


STATUS = forms.ChoiceField(
    label="Status",
    choices=ResponseStatus.choices,
    widget=forms.RadioSelect,
    error_messages={"required": "Select a status"},
)
REASON = _text("Why is it not accepted?", limit=1000, rows=2)


class EntryForm(PersonalDataChecked):
    """A lead's form for a whole register entry (and, for a local one, the recommendation)."""

    checked_fields = ("local_summary", "applies_how", "response", "not_accepted_reason")

    local_source = forms.ChoiceField(
        label="Where does it come from?",
        choices=LocalSource.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select where the recommendation comes from"},
    )
    local_title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={
            "required": "Enter a title for the recommendation",
            "max_length": "The title must be 200 characters or fewer",
        },
    )
    local_summary = _text("What it asks", required=True)
    local_reference = forms.CharField(
        label="Reference",
        max_length=300,
        required=False,
        help_text="The review, inspection or inquiry, and its paragraph or finding number.",
        error_messages={"max_length": "The reference must be 300 characters or fewer"},
    )
    applies = forms.ChoiceField(
        label="Does it apply locally?",
        choices=Applies.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether it applies locally"},
    )
    applies_how = _text(
        "How it applies locally", help_text="What it means for the agencies in this partnership."
    )
    response = _text(
        "Our response", help_text="What the partnership will do, in its own words. It is published."
    )
    lead_agency = forms.ChoiceField(
        label="Lead agency",
        choices=[("", "No lead agency yet"), *Agency.choices],
        required=False,
    )
    owner = forms.ChoiceField(
        label="Named owner",
        required=False,
        help_text="A member of the partnership. Published responses show the role, not the name, "
        "unless the partnership chooses.",
        error_messages={"invalid_choice": "Select a member of this partnership as the owner"},
    )
    owner_role = forms.CharField(
        label="Owner's role",
        max_length=200,
        required=False,
        help_text="For example, head of the exploitation team. This is what is published.",
        error_messages={"max_length": "The owner's role must be 200 characters or fewer"},
    )
    status = STATUS
    not_accepted_reason = REASON
    actions = forms.MultipleChoiceField(
        label="Actions from the action plan that deliver it",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select only actions of this partnership"},
    )

    evidence = forms.MultipleChoiceField(
        label="Evidence items that show it",
        help_text="From the partnership's evidence register.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select only evidence items of this partnership"},
    )

    def __init__(self, *args, local: bool, members, actions, evidence=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.choice_field("evidence").choices = evidence_choices(list(evidence))
        if not local:
            for name in ("local_source", "local_title", "local_summary", "local_reference"):
                del self.fields[name]
        self.choice_field("owner").choices = [("", "No named owner yet")] + [
            (str(m.user.pk), f"{m.user} ({m.get_agency_display()})") for m in members
        ]
        self.choice_field("actions").choices = [
            (str(a.pk), f"{a.description[:120]} ({a.assessment.title})") for a in actions
        ]
        self.initial.setdefault("status", ResponseStatus.NOT_STARTED)
        self.initial.setdefault("applies", Applies.UNDECIDED)
        local_fields = (
            [
                Field.radios("local_source", legend_size=Size.SMALL, small=True),
                Field.text("local_title"),
                Field.textarea("local_summary", rows=3),
                Field.text("local_reference"),
            ]
            if local
            else []
        )
        self.helper.layout = Layout(
            *local_fields,
            Field.radios("applies", legend_size=Size.SMALL, small=True, inline=True),
            Field.textarea("applies_how", max_characters=LIMIT),
            Field.textarea("response", max_characters=LIMIT),
            Field.select("lead_agency"),
            Field.select("owner"),
            Field.text("owner_role"),
            Field.radios("status", legend_size=Size.SMALL, small=True),
            Field.textarea("not_accepted_reason", rows=2),
            Field.checkboxes("actions", legend_size=Size.SMALL, small=True),
            *(
                [Field.checkboxes("evidence", legend_size=Size.SMALL, small=True)]
                if evidence
                else []
            ),
            Field.checkbox("confirm_personal_data", small=True),
            Submit("save", "Save response"),
        )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        _require_reason(self, data)
        return data


class ProgressForm(PersonalDataChecked):
    """What the lead agency's contributors may change: status and the response text."""

    checked_fields = ("response", "not_accepted_reason")

    status = STATUS
    not_accepted_reason = REASON
    response = EntryForm.base_fields["response"]
    evidence = EntryForm.base_fields["evidence"]

    def __init__(self, *args, evidence=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.choice_field("evidence").choices = evidence_choices(list(evidence))
        self.helper.layout = Layout(
            Field.radios("status", legend_size=Size.SMALL, small=True),
            Field.textarea("not_accepted_reason", rows=2),
            Field.textarea("response", max_characters=LIMIT),
            *(
                [Field.checkboxes("evidence", legend_size=Size.SMALL, small=True)]
                if evidence
                else []
            ),
            Field.checkbox("confirm_personal_data", small=True),
            Submit("save", "Save progress"),
        )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        _require_reason(self, data)
        return data


class MilestoneForm(PersonalDataChecked):
    checked_fields = ("text",)

    due = GOVUKDateField(label="Milestone date")
    text = forms.CharField(
        label="What will be done by then",
        max_length=Milestone.TEXT_LIMIT,
        error_messages={
            "required": "Enter what will be done by the milestone date",
            "max_length": f"The milestone must be {Milestone.TEXT_LIMIT} characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            "due",
            Field.text("text", field_width=Fluid.FULL),
            Field.checkbox("confirm_personal_data", small=True),
            Submit("add", "Add milestone", css_class="govuk-button--secondary"),
        )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if "due" not in self.errors and not data.get("due"):
            self.add_error("due", "Enter the milestone date")
        return data


class PublishForm(GOVUKForm):
    approved_on = GOVUKDateField(
        label="Date approved",
        help_text="When the partnership's leaders approved this response, for example 30 9 2026.",
    )
    show_names = forms.BooleanField(
        label="Show owners' names as well as their roles",
        required=False,
        help_text="Without this, the published response names the lead agency and the owner's "
        "role only.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            "approved_on",
            Field.checkbox("show_names", small=True),
            Submit("publish", "Publish this version"),
        )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        approved: date | None = data.get("approved_on")
        if "approved_on" not in self.errors and not approved:
            self.add_error("approved_on", "Enter the date the response was approved")
        elif approved and approved > timezone.localdate():
            self.add_error("approved_on", "The date approved must be today or in the past")
        return data
