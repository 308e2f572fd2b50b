"""Forms for starting, assigning, commenting on, signing off and reopening an assessment."""

from datetime import date, timedelta

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Fluid, Layout, Size, Submit
from django import forms
from django.utils import timezone

from assessment import answer_rules
from assessment.forms.answers import GOVUKDateField
from assessment.forms.partnerships import GOVUKForm, PersonalDataCheck
from assessment.models import Agency, Comment


def next_period(start: date, end: date) -> tuple[date, date]:
    """The period that follows ``start`` to ``end``: the next year when it was a year (29
    February or not), otherwise as many days again."""
    following = end + timedelta(days=1)
    try:
        if end == start.replace(year=start.year + 1) - timedelta(days=1):
            return following, following.replace(year=following.year + 1) - timedelta(days=1)
    except ValueError:  # a period starting or ending on 29 February
        pass
    return following, following + (end - start)


class StartAssessmentForm(PersonalDataCheck):
    checked = {"title": "The title"}

    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="For example, Self-assessment 2025 to 2026",
        error_messages={
            "required": "Enter a title",
            "max_length": "The title must be 200 characters or fewer",
        },
    )
    period_start = GOVUKDateField(label="Start of the period assessed", example="1 4 2025")
    period_end = GOVUKDateField(label="End of the period assessed", example="31 3 2026")
    framework = forms.ChoiceField(
        label="Framework version",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select a framework version",
            "invalid_choice": "Select a framework version",
        },
    )
    carried_from = forms.ChoiceField(
        label="Start from",
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select where to start from"},
    )

    def __init__(self, *args, frameworks, previous, **kwargs):
        super().__init__(*args, **kwargs)
        self.choice_field("framework").choices = [
            Choice(str(f.pk), f"{f.title}, version {f.version}", hint="Newest" if i == 0 else "")
            for i, f in enumerate(frameworks)
        ]
        self.choice_field("carried_from").choices = [Choice("", "A blank self-assessment")] + [
            Choice(
                str(a.pk),
                f"Carry over from {a.title}",
                hint="Answers, evidence and open actions are copied; each answer is marked to confirm or change.",
            )
            for a in previous
        ]
        self.fields["carried_from"].required = False
        if frameworks:
            self.initial.setdefault("framework", str(frameworks[0].pk))
        if previous:  # the period after the latest cycle, and its title
            start, end = next_period(previous[0].period_start, previous[0].period_end)
            self.initial.setdefault("period_start", start)
            self.initial.setdefault("period_end", end)
            self.initial.setdefault("title", f"Self-assessment {start.year} to {end.year}")
        self.initial.setdefault("carried_from", str(previous[0].pk) if previous else "")
        self.helper.layout = Layout(
            Field.text("title", field_width=Fluid.TWO_THIRDS),
            "period_start",
            "period_end",
            Field.radios("framework", legend_size=Size.MEDIUM),
            Field.radios("carried_from", legend_size=Size.MEDIUM),
            Submit("start", "Start self-assessment"),
        )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        for name in ("period_start", "period_end"):
            if name in self.fields and not data.get(name) and name not in self.errors:
                self.add_error(name, f"Enter the {str(self.fields[name].label).lower()}")
        start, end = data.get("period_start"), data.get("period_end")
        for problem in answer_rules.period_problems(start, end, today=timezone.localdate()):
            if problem.field not in self.errors:
                self.add_error(problem.field, problem.message)
        return data


class AssignmentForm(GOVUKForm):
    """One checkbox group per theme: which agencies answer it."""

    def __init__(self, *args, themes, current: dict[int, list[str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.themes = themes
        names = []
        for theme in themes:
            name = f"theme_{theme.code}"
            self.fields[name] = forms.MultipleChoiceField(
                label=theme.title,
                choices=Agency.choices,
                widget=forms.CheckboxSelectMultiple,
                required=False,
                initial=current.get(theme.pk, []),
                help_text="Leave empty to let any contributor answer it. Given to two or more "
                "agencies, each gives its own view and the lead settles the partnership answer.",
            )
            names.append(Field.checkboxes(name, legend_size=Size.SMALL, small=True))
        self.helper.layout = Layout(*names, Submit("save", "Save assignments"))

    def assignments(self) -> dict:
        return {theme: self.cleaned_data[f"theme_{theme.code}"] for theme in self.themes}


class CommentForm(PersonalDataCheck):
    checked = {"text": "Your comment"}

    text = forms.CharField(
        label="Add a comment",
        max_length=Comment.LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter your comment",
            "max_length": f"The comment must be {Comment.LIMIT} characters or fewer",
        },
    )


def room_for_a_comment(form: forms.Form, *, existing: int, item: str) -> bool:
    """False, with an error on the form, when ``item`` ("This question") already has as many
    comments as one item may (``COMMENTS_PER_ITEM``)."""
    from django.conf import settings

    if existing < settings.COMMENTS_PER_ITEM:
        return True
    form.add_error("text", f"{item} has {existing} comments, the most it can have")
    return False


class ReopenForm(PersonalDataCheck):
    checked = {"reason": "The reason"}

    reason = forms.CharField(
        label="Why are you reopening it?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="This is recorded with the signed-off version, which is kept.",
        error_messages={"required": "Enter why the self-assessment is being reopened"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Field.textarea("reason"),
            Submit("reopen", "Reopen self-assessment", css_class="govuk-button--warning"),
        )


class ImportForm(GOVUKForm):
    file = forms.FileField(
        label="Upload an exported self-assessment (JSON)",
        help_text="A file downloaded from this service with Download the data (JSON). Up to 5 MB.",
        error_messages={
            "required": "Select a JSON file to import",
            "empty": "The selected file is empty",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field("file"), Submit("import", "Import as a new draft"))
