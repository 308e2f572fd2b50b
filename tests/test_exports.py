"""CSV and JSON exports, and JSON import: validation first, all or nothing, lossless round trip."""

import csv
import io
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from assessment import exports
from assessment.models import (
    Action,
    ActionNote,
    Assessment,
    Comment,
    Framework,
    Partnership,
    Question,
    User,
)
from assessment.workflow import Change, save_answers, values_of
from tests.factories import (
    make_assessment,
    make_framework,
    make_member,
    make_partnership,
    make_user,
    option_id,
    prepared,
    sign_off_as_is,
)
from tests.properties import examples
from tests.views.test_results import answer_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(alice, partnership_a):
    assessment = make_assessment(partnership_a)
    answer_all(assessment, alice, {"AA-01": "poor", "AA-02": "good", "BB-01": "established"})
    question = Question.objects.get(code="AA-02")
    Comment.objects.create(
        assessment=assessment,
        theme=question.theme,
        question=question,
        author=alice,
        text="Which audit?",
    )
    action = Action.objects.create(
        assessment=assessment,
        raised_in=assessment,
        agency="police",
        owner=alice,
        description="=SUM(A1:A9) refresh profile",
        due="2025-12-31",
        question_codes=["AA-01"],
        priority="high",
    )
    ActionNote.objects.create(action=action, kind="progress", author=alice, text="Started")
    return assessment


ATTRIBUTION = {"answered_by", "updated", "author", "created", "owner", "originally_recorded"}


def _values(item: dict) -> dict:
    out = {k: v for k, v in item.items() if k not in ATTRIBUTION | {"code"}}
    if "notes" in out:
        out["notes"] = [_values(n) for n in out["notes"]]
    return out


def comparable(export: dict) -> dict:
    """What must survive a round trip: what was said. Who recorded it and when is the
    importer's, now (the file's claims are kept as originally_recorded, tested apart)."""
    return {
        "framework": export["framework"],
        "assessment": {k: export["assessment"][k] for k in ("title", "period_start", "period_end")},
        "answers": [_values(a) for a in export["answers"]],
        "comments": [_values(c) for c in export["comments"]],
        "actions": [_values(a) for a in export["actions"]],
    }


def test_the_answers_csv_has_one_row_per_question_and_opens_in_excel(
    client, immediate_tasks, media, alice, assessment
):
    client.force_login(alice)
    response, body = prepared(client, assessment, "answers.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == [
        "Theme",
        "Code",
        "Question",
        "Answer",
        "Level",
        "Points",
        "How do you know",
        "Evidence items",
        "Not applicable because",
        "Answered by",
        "Agency",
        "Updated",
    ]
    assert [r[1] for r in rows[1:]] == ["AA-01", "AA-02", "AA-03", "BB-01", "BB-02"]
    assert rows[1][3:6] == ["Poor answer", "poor", "0"]
    assert rows[3][3] == "28 of 100"


def test_csv_cells_that_look_like_formulas_are_neutralised():
    for dangerous in ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1"]:
        assert exports.safe_cell(dangerous).startswith("'")
    assert exports.safe_cell("Plain text") == "Plain text"


def test_the_json_export_has_the_documented_shape(
    client, immediate_tasks, media, alice, assessment
):
    client.force_login(alice)
    data = json.loads(prepared(client, assessment, "export.json")[1])
    assert data["schema"] == "partnership-self-assessment" and data["schema_version"] == 1
    assert data["framework"] == {"slug": "test-framework", "version": "1.0"}
    assert data["answers"][0]["question"] == "AA-01" and data["answers"][0]["selected"] == [
        "Poor answer"
    ]
    assert data["comments"][0]["text"] == "Which audit?"
    assert data["actions"][0]["notes"][0]["text"] == "Started"
    assert data["snapshot"] is None


def test_export_import_export_is_lossless(alice, partnership_a, assessment):
    first = exports.export_assessment(assessment)
    sign_off_as_is(assessment, alice)  # one open cycle at a time
    imported = exports.import_assessment(
        json.loads(json.dumps(first)), partnership=partnership_a, user=alice
    )
    assert imported.status == "draft" and imported.pk != assessment.pk
    assert comparable(exports.export_assessment(imported)) == comparable(first)


def test_the_web_import_is_for_leads_and_creates_a_draft(
    client, alice, bob, charlie, partnership_a, assessment
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = json.dumps(exports.export_assessment(assessment)).encode()
    url = f"/partnerships/{partnership_a.code}/assessments/import"
    client.force_login(bob)
    assert client.post(url, {"file": SimpleUploadedFile("a.json", body)}).status_code == 403
    client.force_login(charlie)
    assert client.post(url, {"file": SimpleUploadedFile("a.json", body)}).status_code == 404
    client.force_login(alice)
    sign_off_as_is(assessment, alice)
    response = client.post(url, {"file": SimpleUploadedFile("a.json", body)})
    assert response.status_code == 302
    assert Assessment.objects.count() == 2


def bad_files(assessment) -> list[tuple[bytes, str]]:
    good = exports.export_assessment(assessment)

    def changed(**changes) -> bytes:
        return json.dumps({**good, **changes}).encode()

    answers = good["answers"]
    return [
        (b"x" * (exports.MAX_BYTES + 1), "larger than 5 MB"),
        (b"[" * 5000 + b"]" * 5000, "nested more than 8 levels"),
        (b'{"schema": "a", "schema": "b"}', "repeats the key 'schema'"),
        (b"\xff\xfe not utf-8", "not UTF-8"),
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "must hold one JSON object"),
        (changed(schema_version=2), "Schema version 2 is not supported"),
        (
            changed(framework={"slug": "test-framework", "version": "9.9"}),
            "version '9.9' is not loaded",
        ),
        (changed(answers=[{**answers[0], "question": "ZZ-01"}]), "unknown question code 'ZZ-01'"),
        (
            changed(answers=[{**answers[0], "selected": ["Made up"]}]),
            "'Made up' is not an answer to this question",
        ),
        (
            changed(answers=[{**answers[2], "numerator": 200}]),
            "Suspects without ethnicity cannot be more than all suspects",
        ),
        (changed(answers=[{**answers[2], "numerator": "many"}]), "must be a whole number"),
        (
            changed(answers=[{**answers[0], "evidence": "x" * 5001}]),
            "How do you know? must be 5,000 characters or fewer",
        ),
        (changed(answers="lots"), "answers: must be a list"),
        (
            changed(assessment={"title": "", "period_start": "2025-13-01", "period_end": None}),
            "a title is required",
        ),
        (
            changed(actions=[{**good["actions"][0], "status": "dropped", "dropped_reason": ""}]),
            "a dropped action needs a reason",
        ),
    ]


def test_bad_files_give_clear_errors_and_import_nothing(client, alice, partnership_a, assessment):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(alice)
    for body, message in bad_files(assessment):
        response = client.post(
            f"/partnerships/{partnership_a.code}/assessments/import",
            {"file": SimpleUploadedFile("bad.json", body)},
        )
        assert response.status_code == 400, message
        assert message in response.content.decode().replace("&#x27;", "'"), message
        assert Assessment.objects.count() == 1, message


def test_every_problem_is_listed_at_once(alice, partnership_a, assessment):
    data = exports.export_assessment(assessment)
    data["answers"][0]["selected"] = ["Made up"]
    data["answers"][1]["evidence"] = 12
    with pytest.raises(exports.ImportProblem) as error:
        exports.import_assessment(data, partnership=partnership_a, user=alice)
    assert len(error.value.problems) == 2


def test_questions_of_the_other_nation_are_refused(charlie, partnership_b, assessment):
    data = exports.export_assessment(assessment)  # English: AA-03 applies in England only
    with pytest.raises(exports.ImportProblem, match="does not apply in Wales"):
        exports.import_assessment(data, partnership=partnership_b, user=charlie)


def test_the_commands_export_and_import(alice, partnership_a, assessment, tmp_path):
    out = StringIO()
    call_command("export_assessment", str(assessment.code), stdout=out)
    path = tmp_path / "export.json"
    path.write_text(out.getvalue())
    done = StringIO()
    sign_off_as_is(assessment, alice)
    call_command(
        "import_assessment", str(path), "--partnership", str(partnership_a.code), stdout=done
    )
    assert "Imported Self-assessment 2025" in done.getvalue()
    csv_out = StringIO()
    call_command("export_assessment", str(assessment.code), "--format", "csv", stdout=csv_out)
    assert csv_out.getvalue().startswith("\ufeffTheme,Code")
    path.write_text('{"schema": "nope"}')
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_assessment", str(path), "--partnership", str(partnership_a.code))


texts = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=60)


class RoundTrip(TestCase):
    """Hypothesis: any valid set of answers survives export -> import -> export."""

    framework: Framework
    partnership: Partnership
    lead: User

    @classmethod
    def setUpTestData(cls):
        cls.framework = make_framework()
        cls.partnership = make_partnership("Round trip partnership")
        cls.lead = make_user("lead@roundtrip.example")
        make_member(cls.partnership, cls.lead, "lead", "police")

    @settings(
        max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(
        levels=st.lists(
            st.sampled_from(["poor", "developing", "established", "good", None]),
            min_size=4,
            max_size=4,
        ),
        evidence=texts,
        numbers=st.tuples(st.integers(0, 500), st.integers(0, 500)),
        not_applicable=st.booleans(),
    )
    def test_round_trip(self, levels, evidence, numbers, not_applicable):
        assessment = make_assessment(self.partnership, self.framework)
        changes = []
        for code, level in zip(["AA-01", "AA-02", "BB-01", "BB-02"], levels, strict=True):
            question = Question.objects.get(code=code)
            values = values_of(None) | {"evidence": evidence}
            if level:
                values["selected"] = [option_id(code, level)]
            if not_applicable and code == "BB-02":
                values = values_of(None) | {
                    "not_applicable": True,
                    "not_applicable_reason": evidence or "n/a",
                }
            changes.append(Change(question, values, 0))
        numerator, denominator = sorted(numbers)
        indicator = Question.objects.get(code="AA-03")
        changes.append(
            Change(
                indicator,
                values_of(None) | {"numerator": numerator, "denominator": denominator + 1},
                0,
            )
        )
        assert save_answers(
            assessment=assessment, changes=changes, user=self.lead, agency="police"
        ).ok
        first = exports.export_assessment(assessment)
        sign_off_as_is(assessment, self.lead)
        again = exports.import_assessment(
            json.loads(json.dumps(first)), partnership=self.partnership, user=self.lead
        )
        assert comparable(exports.export_assessment(again)) == comparable(first)


# Attribution, limits and values on import ---------------------------------------------------


def test_imported_records_are_the_importers_with_the_files_claims_labelled(
    alice, partnership_a, assessment
):
    data = exports.export_assessment(assessment)
    nia = {"answered_by": "nia.scrutineer@example.org", "updated": "2001-01-01T09:00:00+00:00"}
    data["answers"] = [{**a, **nia} for a in data["answers"]]
    data["comments"][0].update(author="nia.scrutineer@example.org", created="2001-01-01T09:00")
    data["actions"][0]["notes"][0]["author"] = "nia.scrutineer@example.org"
    lead = make_user("lead2@example.org")
    make_member(partnership_a, lead, "lead", "police")
    sign_off_as_is(assessment, alice)
    imported = exports.import_assessment(data, partnership=partnership_a, user=lead)
    answer = imported.answers.get(question__code="AA-01")
    assert answer.answered_by == lead and answer.updated.year == imported.created.year
    assert answer.original == {"by": "nia.scrutineer@example.org", "at": "1 January 2001"}
    assert answer.original_label == (
        "Originally recorded by nia.scrutineer@example.org on 1 January 2001 "
        "(from an imported file)"
    )
    comment = imported.comments.get()
    assert comment.author == lead and comment.created.year != 2001
    assert (comment.original or {})["by"] == "nia.scrutineer@example.org"
    action = imported.actions.get()
    assert action.owner is None and action.original == {"owner": "alice@example.org"}
    assert {n.author for n in action.notes.all()} == {lead}
    again = exports.export_assessment(imported)
    assert again["answers"][0]["originally_recorded"]["by"] == "nia.scrutineer@example.org"
    # Imported once more, the first origin stays.
    sign_off_as_is(imported, lead)
    twice = exports.import_assessment(again, partnership=partnership_a, user=alice)
    assert (twice.answers.get(question__code="AA-01").original or {})["by"] == (
        "nia.scrutineer@example.org"
    )


def test_the_duplicate_key_check_is_linear_and_keys_are_limited():
    many = "{" + ",".join(f'"k{i}": {i}' for i in range(40_000)) + "}"
    with pytest.raises(exports.ImportProblem, match="more than 64 keys"):
        exports.parse_json(many.encode())
    repeated = "{" + ",".join(f'"k{i % 30}": {i}' for i in range(40)) + "}"
    with pytest.raises(exports.ImportProblem, match="repeats the key 'k0', 'k1'"):
        exports.parse_json(repeated.encode())


@pytest.mark.parametrize(
    "raw, message",
    [
        (b'{"a": ' + b"9" * 5000 + b"}", "a number with more than 15 digits"),
        (b'{"a": 1' + b"0" * 400 + b".5}", "a number with more than 15 digits"),
        (b'{"a": NaN}', "holds NaN, which is not a number"),
    ],
)
def test_huge_numbers_and_nan_are_messages_not_500s(raw, message):
    with pytest.raises(exports.ImportProblem, match=message):
        exports.parse_json(raw)


def test_values_the_form_refuses_are_refused_naming_item_and_field(
    alice, partnership_a, assessment
):
    data = exports.export_assessment(assessment)
    by_code = {a["question"]: a for a in data["answers"]}
    by_code["AA-01"].update(number=12)  # a number on a single-choice question
    by_code["AA-03"].update(period_start="2999-01-01", period_end="1901-01-01")
    by_code["AA-02"].update(date="2025-02-30")
    data["assessment"].update(period_start="2999-04-01", period_end="1901-03-31")
    data["comments"][0]["created"] = "2025-02-30T10:00:00"
    with pytest.raises(exports.ImportProblem) as error:
        exports.import_assessment(data, partnership=partnership_a, user=alice)
    problems = error.value.problems
    assert "answers[0] (AA-01).number: a single-choice question takes no number" in (problems)
    assert any(
        p.startswith("answers[2] (AA-03).period_start: Start of the period must be today")
        for p in problems
    )
    assert any(
        p.startswith(
            "answers[2] (AA-03).period_end: End of the period must be after 1 January 1990"
        )
        for p in problems
    )
    assert "answers[1] (AA-02).date: '2025-02-30' is not a real date like 2025-03-31" in problems
    assert any(
        p.startswith("assessment.period_start: The start of the period must be no later")
        for p in problems
    )
    assert "assessment.period_end: The end of the period must be after the start" in problems
    assert Assessment.objects.count() == 1


def test_a_critical_question_cannot_be_imported_as_not_applicable(alice, partnership_a, assessment):
    data = exports.export_assessment(assessment)
    data["answers"][0].update(selected=[], not_applicable=True, not_applicable_reason="None")
    with pytest.raises(
        exports.ImportProblem,
        match=r"\(AA-01\)\.not_applicable: this question must be answered in England",
    ):
        exports.import_assessment(data, partnership=partnership_a, user=alice)


def test_structure_problems_name_the_item_and_field(alice, partnership_a, assessment):
    data = exports.export_assessment(assessment)
    data["answers"][2]["numerator"] = "many"
    data["answers"][0]["not_applicable"] = "yes"
    data["actions"][0]["notes"] = [{"kind": "gossip"}]
    with pytest.raises(exports.ImportProblem) as error:
        exports.import_assessment(data, partnership=partnership_a, user=alice)
    assert error.value.problems == [
        "answers[0] (AA-01).not_applicable: must be true or false",
        "answers[2] (AA-03).numerator: must be a whole number",
        "actions[0].notes[0].kind: must be one of 'progress' or 'comment'",
    ]


def test_an_import_is_refused_while_another_cycle_is_open(alice, partnership_a, assessment):
    data = exports.export_assessment(assessment)
    with pytest.raises(exports.ImportProblem, match="Self-assessment 2025 is still open"):
        exports.import_assessment(data, partnership=partnership_a, user=alice)
    assert Assessment.objects.count() == 1
