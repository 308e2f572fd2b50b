"""Forms for actions: the lead's full form, and progress updates for the owning agency."""

from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from assessment.forms import govuk
from assessment.forms.answers import GOVUKDateField
from assessment.forms.partnerships import PersonalDataCheck
from assessment.models import Action, ActionNote, ActionStatus, Agency, Priority


class StatusWithReason:
    """A crispy layout object: the status radios, "Dropped" revealing "Why was it dropped?"
    (the GOV.UK conditional reveal, which crispy-forms-gds does not write in a way GOV.UK
    Frontend 6 reads)."""

    def render(self, form, context, template_pack=None, **kwargs) -> str:
        reason = form["dropped_reason"]
        return govuk.choices(
            form["status"],
            legend=form.fields["status"].label,
            heading=False,
            small=True,
            reveals={ActionStatus.DROPPED.value: (reason.auto_id, govuk.textarea(reason, rows=2))},
        )


class ActionForm(PersonalDataCheck):
    checked = {"description": "What will be done", "dropped_reason": "Why it was dropped"}

    description = forms.CharField(
        label="What will be done",
        max_length=Action.DESCRIPTION_LIMIT,
        # crispy-forms-gds needs a hint on a character-counted textarea (it reads aria-describedby).
        help_text="Say what will change in practice, so that the next cycle can tell whether it did.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter what will be done",
            "max_length": f"What will be done must be {Action.DESCRIPTION_LIMIT} characters or fewer",
        },
    )
    agency = forms.ChoiceField(
        label="Owning agency",
        choices=Agency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the agency that owns the action"},
    )
    owner = forms.ChoiceField(
        label="Named owner",
        required=False,
        help_text="A member of the partnership. Leave empty if the agency has not named one yet.",
        error_messages={"invalid_choice": "Select a member of this partnership as the owner"},
    )
    due = GOVUKDateField(label="Due date")
    priority = forms.ChoiceField(
        label="Priority",
        choices=Priority.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a priority"},
    )
    status = forms.ChoiceField(
        label="Status",
        choices=ActionStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a status"},
    )
    dropped_reason = forms.CharField(
        label="Why was it dropped?",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    question_codes = forms.MultipleChoiceField(
        label="Questions this action answers",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select only questions of this framework"},
    )

    def __init__(self, *args, members, questions, assessment, new: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.assessment = assessment
        if new:  # a new action starts "not started"; its status changes as work happens
            del self.fields["status"], self.fields["dropped_reason"]
        self.choice_field("owner").choices = [("", "No named owner yet")] + [
            (str(m.user.pk), f"{m.user} ({m.get_agency_display()})") for m in members
        ]
        self.choice_field("question_codes").choices = [
            (q.code, f"{q.code} {q.text}") for q in questions
        ]
        self.initial.setdefault("status", ActionStatus.NOT_STARTED)
        self.initial.setdefault("priority", Priority.MEDIUM)
        self.helper.layout = Layout(
            Field.textarea("description", max_characters=Action.DESCRIPTION_LIMIT),
            Field.radios("agency", legend_size=Size.SMALL, small=True),
            Field.select("owner"),
            "due",
            Field.radios("priority", legend_size=Size.SMALL, small=True, inline=True),
            *([] if new else [StatusWithReason()]),
            Field.checkboxes("question_codes", legend_size=Size.SMALL, small=True),
            Submit("save", "Save action"),
        )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if "due" not in self.errors and not data.get("due"):
            self.add_error("due", "Enter the due date")
        elif data.get("due") and data["due"] < self.assessment.period_start:
            self.add_error(
                "due",
                f"The due date must be on or after {self.assessment.period_start:%-d %B %Y}, when the self-assessment period started",
            )
        if (
            data.get("status") == ActionStatus.DROPPED
            and not (data.get("dropped_reason") or "").strip()
        ):
            self.add_error("dropped_reason", "Enter why the action was dropped")
        return data


class ProgressForm(PersonalDataCheck):
    """What the owning agency and the named owner may change: status and a dated progress note."""

    checked = {"dropped_reason": "Why it was dropped", "note": "The progress note"}

    status = ActionForm.base_fields["status"]
    dropped_reason = ActionForm.base_fields["dropped_reason"]
    note = forms.CharField(
        label="Progress note",
        required=False,
        max_length=ActionNote.LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What has happened since the last note. It is dated and kept.",
        error_messages={
            "max_length": f"The progress note must be {ActionNote.LIMIT} characters or fewer"
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            StatusWithReason(),
            Field.textarea("note", max_characters=ActionNote.LIMIT),
            Submit("save", "Save progress"),
        )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if (
            data.get("status") == ActionStatus.DROPPED
            and not (data.get("dropped_reason") or "").strip()
        ):
            self.add_error("dropped_reason", "Enter why the action was dropped")
        return data


class NoteForm(PersonalDataCheck):
    checked = {"text": "Your comment"}

    text = forms.CharField(
        label="Add a comment",
        max_length=ActionNote.LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter your comment",
            "max_length": f"The comment must be {ActionNote.LIMIT} characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.textarea("text"), Submit("comment", "Add comment"))
