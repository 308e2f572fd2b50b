"""Forms for partnerships, members and invitations."""

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fluid, Layout, Size, Submit
from django import forms
from django.contrib.auth import password_validation

from assessment.models import (
    ROLE_DESCRIPTIONS,
    Agency,
    Invitation,
    Membership,
    Nation,
    Partnership,
    Role,
)

ROLE_CHOICES = [Choice(role.value, role.label, hint=ROLE_DESCRIPTIONS[role]) for role in Role]


class GOVUKForm(forms.Form):
    """A form laid out with the GOV.UK template pack; the server validates (no HTML required)."""

    use_required_attribute = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def choice_field(self, name: str) -> forms.ChoiceField:
        """The choice field ``name``, for setting its choices when the form is made."""
        field = self.fields[name]
        if not isinstance(field, forms.ChoiceField):
            raise TypeError(f"{name} is not a choice field")
        return field


class PersonalDataCheck(GOVUKForm):
    """Warns when a free-text field looks as if it holds personal details, and saves it only
    once the person ticks a box to say it does not identify anyone.

    ``checked`` names each field as the message does ("What will be done"). The box joins the
    layout (before the button) only when there is something to confirm.
    """

    checked: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm_personal_data"] = forms.BooleanField(
            label="I have checked: this text does not identify a child, a family or a suspect",
            required=False,
        )

    def clean(self) -> dict:
        from assessment.pii import find_personal_data

        super().clean()
        data = self.cleaned_data
        warned = False
        for name, label in self.checked.items():
            findings = find_personal_data(data.get(name) or "")
            if findings and not data.get("confirm_personal_data"):
                kinds = ", ".join(sorted({f.description for f in findings}))
                self.add_error(
                    name,
                    f"{label} may contain personal details ({kinds}). Remove them, or tick the box to confirm it does not identify anyone",
                )
                warned = True
        if warned and self.helper.layout is not None:
            fields = self.helper.layout.fields
            fields.insert(len(fields) - 1, Field.checkbox("confirm_personal_data"))
        return data


class InvitationForm(GOVUKForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="Use their work email address. The invitation link works once, for 14 days.",
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    role = forms.ChoiceField(
        label="Role",
        choices=ROLE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a role"},
    )
    agency = forms.ChoiceField(
        label="Agency",
        choices=Agency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the agency they work for"},
    )

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.helper.layout = Layout(
            Field.text(
                "email", field_width=Fluid.TWO_THIRDS, autocomplete="off", spellcheck="false"
            ),
            Field.radios("role", legend_size=Size.MEDIUM),
            Field.radios("agency", legend_size=Size.MEDIUM, small=True),
            Submit("send", "Send invitation"),
        )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if Membership.objects.filter(
            partnership=self.partnership, user__email__iexact=email
        ).exists():
            raise forms.ValidationError("This person is already a member of the partnership")
        if Invitation.objects.pending().filter(partnership=self.partnership, email=email).exists():
            raise forms.ValidationError(
                "An invitation to this address is already waiting. Resend it from the members page"
            )
        return email


class MembershipForm(GOVUKForm):
    role = InvitationForm.base_fields["role"]
    agency = InvitationForm.base_fields["agency"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Field.radios("role", legend_size=Size.MEDIUM),
            Field.radios("agency", legend_size=Size.MEDIUM, small=True),
            Submit("save", "Save changes"),
        )


class PartnershipSettingsForm(GOVUKForm):
    name = forms.CharField(
        label="Name",
        max_length=200,
        error_messages={
            "required": "Enter the partnership's name",
            "max_length": "The name must be 200 characters or fewer",
        },
    )
    area = forms.CharField(
        label="Area",
        max_length=200,
        help_text="The local authority area or areas the partnership covers.",
        error_messages={
            "required": "Enter the area the partnership covers",
            "max_length": "The area must be 200 characters or fewer",
        },
    )
    nation = forms.ChoiceField(
        label="Nation",
        choices=Nation.choices,
        widget=forms.RadioSelect,
        help_text="Some questions apply only in England or only in Wales.",
        error_messages={"required": "Select England or Wales"},
    )
    year_starts = forms.TypedChoiceField(
        label="Reporting year starts in",
        choices=Partnership._meta.get_field("year_starts").choices or (),
        coerce=int,
        error_messages={"required": "Select the month the reporting year starts"},
    )
    contact_name = forms.CharField(
        label="Contact's name",
        required=False,
        max_length=150,
        help_text="Who members and scrutineers ask about the self-assessment: usually the business manager.",
        error_messages={"max_length": "The contact's name must be 150 characters or fewer"},
    )
    contact_email = forms.EmailField(
        label="Contact's email address",
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.org"
        },
    )
    requires_two_factor = forms.BooleanField(
        label="Require two-factor authentication for every member",
        required=False,
        help_text=(
            "Members without an authenticator app will be asked to set one up before they can "
            "see the partnership's self-assessments."
        ),
    )

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, initial=partnership.settings(), **kwargs)
        self.partnership = partnership
        self.helper.layout = Layout(
            Field.text("name", field_width=Fluid.TWO_THIRDS),
            Field.text("area", field_width=Fluid.TWO_THIRDS),
            Field.radios("nation", legend_size=Size.SMALL, small=True, inline=True),
            Field.select("year_starts"),
            Field.text("contact_name", field_width=Fluid.TWO_THIRDS, autocomplete="off"),
            Field.text("contact_email", field_width=Fluid.TWO_THIRDS, autocomplete="off"),
            Field.checkbox("requires_two_factor"),
            Submit("save", "Save settings"),
        )

    def clean_nation(self) -> str:
        nation = self.cleaned_data["nation"]
        if nation != self.partnership.nation and self.partnership.assessments.exists():
            raise forms.ValidationError(
                "You cannot change the nation once a self-assessment has started: which "
                "questions apply depends on it"
            )
        return nation


class NewAccountForm(GOVUKForm):
    """Accepting an invitation without an account: the email is the invited one."""

    name = forms.CharField(
        label="Full name",
        max_length=150,
        error_messages={"required": "Enter your full name"},
    )
    password1 = forms.CharField(
        label="Create a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters. A few unrelated words make a strong password.",
        error_messages={"required": "Enter a password"},
    )
    password2 = forms.CharField(
        label="Confirm your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Confirm your password"},
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        self.helper.layout = Layout(
            Field.text(
                "name", field_width=Fluid.TWO_THIRDS, autocomplete="name", spellcheck="false"
            ),
            Field.text("password1", field_width=Fluid.TWO_THIRDS),
            Field.text("password2", field_width=Fluid.TWO_THIRDS),
            Submit("create", "Create account and join"),
        )

    def clean_password1(self) -> str:
        from assessment.models import User

        password = self.cleaned_data["password1"]
        password_validation.validate_password(
            password, User(email=self.email, name=self.data.get("name", ""))
        )
        return password

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        if (
            cleaned.get("password1")
            and cleaned.get("password2")
            and cleaned["password1"] != cleaned["password2"]
        ):
            self.add_error("password2", "The passwords do not match")
        return cleaned
