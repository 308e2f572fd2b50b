"""Forms of shared themes: the moderation note, an agency's dissent, the theme's moderator."""

from django import forms

from assessment.forms.partnerships import GOVUKForm, PersonalDataCheck
from assessment.models import Dissent, Membership, Moderation


class ModerationNoteForm(PersonalDataCheck):
    """Why the partnership answer is what it is. Messages start with the question's code."""

    checked = {"note": "The moderation note"}

    note = forms.CharField(
        label="Moderation note",
        help_text="Why the partnership settled on this answer: the evidence reviewed and how "
        "the agencies' views were weighed. Describe practice, never individual children.",
        max_length=Moderation.NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, code: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.checked = {"note": f"{code}: the moderation note"}
        self.fields["note"].error_messages = {
            "required": f"{code}: enter a moderation note",
            "max_length": f"{code}: the moderation note must be {Moderation.NOTE_LIMIT:,} "
            "characters or fewer",
        }


class DissentForm(PersonalDataCheck):
    text = forms.CharField(
        label="Why does your agency disagree?",
        help_text="What your agency's evidence shows that the partnership answer does not. It is "
        "kept with the answer and printed in the report.",
        max_length=Dissent.LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, code: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.checked = {"text": f"{code}: your agency's dissent"}
        self.fields["text"].error_messages = {
            "required": f"{code}: enter why your agency disagrees",
            "max_length": f"{code}: the dissent must be {Dissent.LIMIT:,} characters or fewer",
        }


class ModeratorForm(GOVUKForm):
    moderator = forms.ChoiceField(
        label="Moderator",
        required=False,
        help_text="A lead or contributor who settles this theme's partnership answers. Leads "
        "always can.",
        error_messages={"invalid_choice": "Select a member from the list"},
    )

    def __init__(self, *args, members: list[Membership], current: str = "", **kwargs):
        super().__init__(*args, initial={"moderator": current}, **kwargs)
        self.members = {str(m.code): m for m in members}
        self.choice_field("moderator").choices = [("", "Nobody (leads only)")] + [
            (str(m.code), f"{m.user.name or m.user.email} ({m.get_agency_display()})")
            for m in members
        ]
