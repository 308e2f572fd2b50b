"""The GOV.UK markup of answer fields: ids the error summary links to, what was typed kept,
every value escaped."""

from datetime import date
from html.parser import HTMLParser

from crispy_forms_gds.choices import Choice
from django import forms

from assessment.forms import govuk
from assessment.forms.answers import GOVUKDateField

HOSTILE = '"><script>alert(1)</script>'


class Sample(forms.Form):
    option = forms.ChoiceField(
        label="Q-01 A question",
        choices=[Choice("1", "First", hint="The first hint"), Choice("2", "Second <b>")],
        widget=forms.RadioSelect,
        help_text="Guidance",
    )
    options = forms.MultipleChoiceField(
        label="Q-02 Several",
        choices=[("a", "A"), ("b", "B"), ("c", "C")],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    number = forms.IntegerField(label="Number", required=False)
    when = GOVUKDateField(label="Start of the period")
    evidence = forms.CharField(
        label="How do you know?",
        max_length=50,
        required=False,
        widget=forms.Textarea,
        help_text="Describe practice",
    )
    not_applicable = forms.BooleanField(label="Does not apply", required=False)
    code = forms.CharField(widget=forms.HiddenInput, required=False)


def elements(html: str) -> dict[str, dict]:
    """Attributes of every element with an id, keyed by id; fails on an unbalanced document."""
    found: dict[str, dict] = {}

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if "id" in attrs:
                assert attrs["id"] not in found, f"duplicate id {attrs['id']}"
                found[attrs["id"]] = {"tag": tag, **attrs}

    Parser().feed(html)
    return found


def test_radios_number_their_ids_from_1_and_describe_each_by_its_hint():
    form = Sample(initial={"option": "2"})
    html = govuk.choices(form["option"], legend="Q-01 A question")
    ids = elements(html)
    assert ids["id_option_1"]["type"] == "radio" and "checked" not in ids["id_option_1"]
    assert "checked" in ids["id_option_2"]
    assert ids["id_option_1"]["aria-describedby"] == "id_option_1_hint"
    assert "aria-describedby" not in ids["id_option_2"]  # no hint, nothing to point at
    assert '<h2 class="govuk-fieldset__heading">Q-01 A question</h2>' in html
    assert ids["id_option_hint"]["class"] == "govuk-hint"
    assert "Second &lt;b&gt;" in html


def test_an_error_marks_the_group_and_is_read_with_the_question():
    form = Sample({"option": "9"})
    assert not form.is_valid()
    html = govuk.choices(form["option"], legend="Q-01")
    ids = elements(html)
    assert "govuk-form-group--error" in ids["div_id_option"]["class"]
    assert ids["id_option_1_error"]["class"] == "govuk-error-message"
    fieldset = html[html.index("<fieldset") : html.index(">", html.index("<fieldset"))]
    assert 'aria-describedby="id_option_hint id_option_1_error"' in fieldset


def test_checkboxes_keep_every_ticked_answer():
    form = Sample({"options": ["a", "c"]})
    form.is_valid()
    ids = elements(govuk.choices(form["options"], legend="Q-02"))
    assert [
        key for key in ("id_options_1", "id_options_2", "id_options_3") if "checked" in ids[key]
    ] == [
        "id_options_1",
        "id_options_3",
    ]
    assert ids["id_options_1"]["type"] == "checkbox"


def test_a_bad_number_is_shown_as_typed_and_marked_invalid():
    form = Sample({"number": "twelve"})
    form.is_valid()
    ids = elements(govuk.text_input(form["number"], width="govuk-!-width-one-quarter"))
    number = ids["id_number"]
    assert number["value"] == "twelve"
    assert number["aria-invalid"] == "true"
    assert number["aria-describedby"] == "id_number_1_error"
    assert number["class"] == "govuk-input govuk-!-width-one-quarter govuk-input--error"


def test_a_date_shows_a_saved_date_and_keeps_an_impossible_one_as_typed():
    saved = elements(govuk.date_input(Sample(initial={"when": date(2024, 3, 31)})["when"]))
    assert [saved[f"id_when_{n}"]["value"] for n in range(3)] == ["31", "3", "2024"]

    form = Sample({"when_0": "32", "when_1": "1", "when_2": "2024"})
    form.is_valid()
    typed = elements(govuk.date_input(form["when"]))
    assert [typed[f"id_when_{n}"]["value"] for n in range(3)] == ["32", "1", "2024"]
    assert "govuk-input--error" in typed["id_when_0"]["class"]
    assert typed["id_when_1_error"]["tag"] == "p"


def test_an_empty_date_has_empty_boxes():
    ids = elements(govuk.date_input(Sample()["when"]))
    assert all("value" not in ids[f"id_when_{n}"] for n in range(3))


def test_a_character_count_wraps_the_textarea_and_describes_it():
    form = Sample({"evidence": "x" * 51})
    form.is_valid()
    html = govuk.textarea(form["evidence"], max_characters=50)
    ids = elements(html)
    assert html.startswith(
        '<div class="govuk-character-count" data-module="govuk-character-count" data-maxlength="50">'
    )
    box = ids["id_evidence"]
    assert box["aria-describedby"] == "id_evidence_hint id_evidence-info id_evidence_1_error"
    assert box["maxlength"] == "50" and "govuk-textarea--error" in box["class"]
    assert "You can enter up to 50 characters" in html
    assert "x" * 51 in html  # kept as typed


def test_a_plain_textarea_has_no_character_count():
    html = govuk.textarea(Sample()["evidence"], rows=2)
    assert "govuk-character-count" not in html and 'rows="2"' in html


def test_a_single_checkbox_keeps_its_tick():
    form = Sample({"not_applicable": "on"})
    form.is_valid()
    assert "checked" in elements(govuk.checkbox(form["not_applicable"]))["id_not_applicable"]
    assert (
        "checked" not in elements(govuk.checkbox(Sample()["not_applicable"]))["id_not_applicable"]
    )


def test_every_value_is_escaped():
    form = Sample({"number": HOSTILE, "evidence": "</textarea>" + HOSTILE, "code": HOSTILE})
    form.is_valid()
    html = (
        govuk.text_input(form["number"])
        + govuk.textarea(form["evidence"], max_characters=50)
        + govuk.hidden(form["code"])
        + govuk.fieldset(legend=HOSTILE, intro="", body=[HOSTILE])
    )
    assert "<script>" not in html
    assert html.count("</textarea>") == 1  # only the real end of the box
    assert html.count("&lt;script&gt;") == 5
    assert elements(html)["id_code"]["value"] == HOSTILE  # the browser gets the exact text back


def test_safe_html_is_kept_as_html():
    form = Sample()
    form["option"].help_text = govuk.mark_safe('<a class="govuk-link" href="#x">Cited</a>')
    html = govuk.choices(form["option"], legend="Q-01")
    assert (
        '<div id="id_option_hint" class="govuk-hint"><a class="govuk-link" href="#x">Cited</a></div>'
        in html
    )
