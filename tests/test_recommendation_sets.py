"""Recommendation set files: validation with messages naming file, recommendation and field;
loading, versioning and the shipped sets."""

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from assessment.models import Recommendation, RecommendationResponse, RecommendationSet
from assessment.recommendation_sets import (
    RecommendationSetError,
    framework_codes,
    load,
    read,
    related_to_questions,
    validate,
)
from tests.factories import make_partnership, recommendation_set_data

ROOT = Path(__file__).resolve().parent.parent
SETS = sorted((ROOT / "fixtures" / "recommendations").glob("*.yaml"))
CODES = {"themes": {"AA", "BB"}, "questions": {"AA-01", "BB-01"}}


def problems_of(data) -> list[str]:
    return validate(data, "set.yaml", CODES)


def test_a_valid_set_has_no_problems():
    assert problems_of(recommendation_set_data()) == []


def test_a_missing_field_is_named_with_the_recommendation():
    data = recommendation_set_data()
    del data["recommendations"][0]["summary"]
    assert problems_of(data) == ["set.yaml: recommendation 1: field 'summary' is missing"]


def test_an_unknown_field_is_named():
    data = recommendation_set_data()
    data["recommendations"][1]["colour"] = "red"
    assert problems_of(data) == ["set.yaml: recommendation 2: unknown field 'colour'"]


def test_an_unknown_addressee_is_named():
    data = recommendation_set_data()
    data["recommendations"][0]["addressed_to"] = ["police_forces", "the moon"]
    assert problems_of(data) == [
        "set.yaml: recommendation 1: field 'addressed_to' has unknown value 'the moon'"
    ]


def test_question_and_theme_codes_must_be_in_the_question_bank():
    data = recommendation_set_data()
    data["recommendations"][0]["questions"] = ["AA-01", "ZZ-09"]
    data["recommendations"][0]["themes"] = ["QQ"]
    assert problems_of(data) == [
        "set.yaml: recommendation 1: field 'themes' names theme 'QQ', which is not in the "
        "question bank 'test-framework'",
        "set.yaml: recommendation 1: field 'questions' names question 'ZZ-09', which is not in "
        "the question bank 'test-framework'",
    ]


def test_local_action_must_be_true_or_false():
    data = recommendation_set_data()
    data["recommendations"][0]["local_action"] = "yes"
    assert problems_of(data) == [
        "set.yaml: recommendation 1: field 'local_action' must be true or false"
    ]


def test_a_number_written_without_quotes_and_a_repeated_number_are_reported():
    data = recommendation_set_data()
    data["recommendations"][0]["number"] = 1
    data["recommendations"].append(dict(data["recommendations"][1]))
    assert problems_of(data) == [
        "set.yaml: recommendation 1: field 'number' must be text",
        "set.yaml: recommendation 2: number '2' is used twice",
    ]


def test_every_problem_is_reported_at_once():
    data = recommendation_set_data()
    data["published"] = "last year"
    data["url"] = "http://example.org"
    del data["recommendations"][0]["citation"]
    data["recommendations"][1]["summary"] = ""
    assert problems_of(data) == [
        "set.yaml: set: field 'published' must be a date (YYYY-MM-DD)",
        "set.yaml: set: field 'url' must be an https:// address",
        "set.yaml: recommendation 1: field 'citation' is missing",
        "set.yaml: recommendation 2: field 'summary' must be text",
    ]


def test_a_set_without_recommendations_is_refused():
    data = recommendation_set_data()
    data["recommendations"] = []
    assert problems_of(data) == [
        "set.yaml: set: field 'recommendations' needs at least one recommendation"
    ]


def test_read_names_the_file_for_bad_yaml_and_an_unknown_question_bank(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("slug: [unclosed", encoding="utf-8")
    with pytest.raises(RecommendationSetError) as error:
        read(bad)
    assert error.value.problems[0].startswith(f"{bad}: is not valid YAML")

    unknown = tmp_path / "unknown.yaml"
    data = recommendation_set_data() | {"framework": "no-such-bank"}
    unknown.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(RecommendationSetError) as error:
        read(unknown)
    assert "field 'framework' names 'no-such-bank'" in error.value.problems[0]


@pytest.mark.parametrize("path", SETS, ids=[p.name for p in SETS])
def test_the_shipped_sets_are_valid_against_the_question_bank(path):
    data = read(path)
    assert data["notes"].strip(), "each shipped set says what was and was not confirmed"


def test_the_shipped_sets_cover_the_four_sources_and_the_request_to_publish():
    slugs = {read(path)["slug"] for path in SETS}
    assert slugs == {
        "iicsa-networks-l2",
        "iicsa-final-report-2022",
        "hmicfrs-2023-group-based-cse",
        "casey-2025-national-audit",
    }
    l2 = read(ROOT / "fixtures" / "recommendations" / "iicsa-networks-l2.yaml")
    opening = l2["recommendations"][0]
    assert opening["local_action"] and "timetable" in opening["summary"]


def test_framework_codes_reads_every_version_of_the_bank():
    codes = framework_codes("iicsa-cse-networks")
    assert codes is not None
    assert {"PP", "AR"} <= codes["themes"] and "PP-08" in codes["questions"]
    assert framework_codes("no-such-bank") is None


@pytest.mark.django_db
def test_load_creates_then_is_unchanged_then_replaces():
    data = recommendation_set_data()
    created, outcome = load(data)
    assert outcome == "created"
    assert list(created.recommendations.values_list("number", flat=True)) == ["1", "2"]
    assert load(data)[1] == "unchanged"
    data["recommendations"][0]["title"] = "Changed"
    replaced, outcome = load(data)
    assert outcome == "replaced"
    assert RecommendationSet.objects.count() == 1
    assert replaced.recommendations.get(number="1").title == "Changed"


@pytest.mark.django_db
def test_a_version_a_register_uses_cannot_change():
    data = recommendation_set_data()
    loaded, _ = load(data)
    RecommendationResponse.objects.create(
        partnership=make_partnership(), recommendation=loaded.recommendations.first()
    )
    data["recommendations"][0]["title"] = "Changed"
    with pytest.raises(RecommendationSetError) as error:
        load(data)
    assert "used by a partnership's register and cannot change" in error.value.problems[0]
    data["version"] = "1.1"
    assert load(data)[1] == "created"
    assert RecommendationSet.objects.count() == 2


@pytest.mark.django_db
def test_related_to_questions_uses_the_newest_version_only():
    data = recommendation_set_data()
    load(data)
    data["version"] = "1.1"
    data["recommendations"][0]["title"] = "Newer"
    load(data)
    related = related_to_questions("test-framework")
    assert [r.title for r in related["AA-01"]] == ["Newer"]


@pytest.mark.django_db
def test_the_command_loads_checks_and_reports_every_problem(tmp_path):
    out = StringIO()
    call_command("load_recommendations", *map(str, SETS), stdout=out)
    assert Recommendation.objects.filter(local_action=True).count() >= 8
    assert "casey-2025-national-audit 2025.1: created" in out.getvalue()

    bad = tmp_path / "bad.yaml"
    data = yaml.safe_load(SETS[0].read_text(encoding="utf-8"))
    data["recommendations"][0]["questions"] = ["XX-99"]
    data["published"] = date(2025, 6, 16)
    bad.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("load_recommendations", "--check", str(bad), stdout=StringIO())
    assert "1 problem:" in str(error.value)
    assert f"{bad}: recommendation 1: field 'questions' names question 'XX-99'" in str(error.value)
