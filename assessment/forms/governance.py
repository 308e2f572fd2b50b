"""Forms for challenges, approvals, returns, the board's approval and the representatives."""

from crispy_forms_gds.layout import Field, Fluid, Layout, Size, Submit
from django import forms
from django.db import transaction

from assessment.forms.answers import GOVUKDateField
from assessment.forms.partnerships import GOVUKForm, PersonalDataCheck
from assessment.models import Challenge, Representative, StatutoryPartner

REASON_LIMIT = 2000


class ChallengeForm(PersonalDataCheck):
    checked = {"text": "Your challenge"}
    text = forms.CharField(
        label="Your challenge",
        max_length=Challenge.LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Say what needs a response, for example what evidence would settle it.",
        error_messages={
            "required": "Enter your challenge",
            "max_length": f"The challenge must be {Challenge.LIMIT} characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Field.textarea("text", max_characters=Challenge.LIMIT),
            Submit("raise", "Raise challenge"),
        )


class ResponseForm(PersonalDataCheck):
    checked = {"text": "Your response"}
    text = forms.CharField(
        label="Your response",
        max_length=Challenge.LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter your response",
            "max_length": f"The response must be {Challenge.LIMIT} characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.textarea("text"), Submit("respond", "Send response"))


class ResolveForm(PersonalDataCheck):
    checked = {"text": "The note"}
    outcome = forms.ChoiceField(
        label="Does the response settle the challenge?",
        choices=[
            ("resolve", "Yes, resolve the challenge"),
            ("keep_open", "No, keep it open with a further note"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the response settles the challenge"},
    )
    text = forms.CharField(
        label="Note",
        max_length=Challenge.LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why it is settled, or what is still needed.",
        error_messages={
            "required": "Enter a note",
            "max_length": f"The note must be {Challenge.LIMIT} characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        # A prefix: the response form on the same page has a "text" field too.
        super().__init__(*args, prefix="resolve", **kwargs)
        self.helper.layout = Layout(
            Field.radios("outcome", legend_size=Size.SMALL, small=True),
            Field.textarea("text"),
            Submit("decide", "Save"),
        )


class LeftOpenReasons(PersonalDataCheck):
    """One reason for each open challenge that has none yet in this round of review."""

    def __init__(self, *args, unexplained: list[Challenge], **kwargs):
        super().__init__(*args, **kwargs)
        self.unexplained = unexplained
        names = []
        for challenge in unexplained:
            name = f"left_open_{challenge.code}"
            self.fields[name] = forms.CharField(
                label=f"Why is the challenge on {challenge.subject} being left open?",
                max_length=REASON_LIMIT,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=challenge.text[:300],
                error_messages={
                    "required": f"Enter why the challenge on {challenge.subject} is being left open",
                    "max_length": f"The reason must be {REASON_LIMIT} characters or fewer",
                },
            )
            names.append(name)
        self.checked = {
            name: f"The reason for leaving {c.subject} open"
            for name, c in zip(names, unexplained, strict=True)
        }
        self.reason_fields = names

    def left_open(self) -> dict[str, str]:
        return {str(c.code): self.cleaned_data[f"left_open_{c.code}"] for c in self.unexplained}

    def reason_layout(self) -> list:
        return [Field.textarea(name, rows=2) for name in self.reason_fields]


class ApprovalForm(LeftOpenReasons):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="approve", **kwargs)
        self.helper.layout = Layout(*self.reason_layout(), Submit("approve", "Approve"))


class ReturnForm(PersonalDataCheck):
    checked = {"reason": "What needs to change"}
    reason = forms.CharField(
        label="What needs to change?",
        max_length=REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The lead and contributors see this. The self-assessment goes back to draft.",
        error_messages={
            "required": "Enter what needs to change before you can approve it",
            "max_length": f"The reason must be {REASON_LIMIT} characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="return", **kwargs)
        self.helper.layout = Layout(
            Field.textarea("reason"),
            Submit("return", "Return for changes", css_class="govuk-button--warning"),
        )


class BoardApprovalForm(LeftOpenReasons):
    meeting = GOVUKDateField(label="Date of the board meeting")
    name = forms.CharField(
        label="Your name",
        max_length=150,
        error_messages={"required": "Enter your name"},
    )
    role = forms.CharField(
        label="Your role",
        max_length=150,
        help_text="For example, partnership business manager or independent chair",
        error_messages={"required": "Enter your role"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="board", **kwargs)
        self.helper.layout = Layout(
            "meeting",
            Field.text("name", field_width=Fluid.TWO_THIRDS),
            Field.text("role", field_width=Fluid.TWO_THIRDS),
            *self.reason_layout(),
            Submit("record", "Record the board's approval and sign off"),
        )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if "meeting" not in self.errors and not data.get("meeting"):
            self.add_error("meeting", "Enter the date of the board meeting")
        return data


class RepresentativesForm(GOVUKForm):
    """One select per statutory partner of the partnership's nation: who approves for it."""

    def __init__(self, *args, partners: tuple[str, ...], members, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.partners = partners
        self.partnership = partnership
        self.members = {str(m.code): m for m in members}
        choices = [("", "Not named yet")] + [
            (str(m.code), f"{m.user} ({m.get_role_display()}, {m.get_agency_display()})")
            for m in members
        ]
        names = []
        for partner in partners:
            label = StatutoryPartner(partner).label
            self.fields[partner] = forms.ChoiceField(
                label=f"{label} representative",
                choices=choices,
                required=False,
                error_messages={
                    "invalid_choice": f"Select a member of the partnership to approve for the {label.lower()}"
                },
            )
            names.append(Field.select(partner))
        self.helper.layout = Layout(*names, Submit("representatives", "Save representatives"))

    def save(self) -> None:
        """Name (or clear) the representative of each partner, in one transaction."""
        with transaction.atomic():
            for partner in self.partners:
                chosen = self.members.get(self.cleaned_data[partner])
                if chosen is None:
                    Representative.objects.filter(
                        partnership=self.partnership, partner=partner
                    ).delete()
                else:
                    Representative.objects.update_or_create(
                        partnership=self.partnership,
                        partner=partner,
                        defaults={"membership": chosen},
                    )
