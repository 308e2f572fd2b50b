"""A person's choice of email notifications."""

from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from assessment.forms.partnerships import GOVUKForm
from assessment.models.notification import ESSENTIAL, OPTIONAL, Kind


class NotificationSettingsForm(GOVUKForm):
    wanted = forms.MultipleChoiceField(
        label="Email me when",
        choices=[(k.value, k.label) for k in OPTIONAL],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=(
            "You always get these: "
            + "; ".join(Kind(k).label.lower() for k in sorted(ESSENTIAL))
            + "."
        ),
    )
    weekly_digest = forms.BooleanField(
        label="Send the emails ticked above once a week, in one summary, instead of one at a time",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Field.checkboxes("wanted", legend_size=Size.MEDIUM, small=True),
            Field.checkbox("weekly_digest"),
            Submit("save", "Save choices"),
        )
