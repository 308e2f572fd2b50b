"""Loading, validating and exporting the question bank (assessment/frameworks/)."""

import copy
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from assessment.frameworks import FrameworkError, export, load, read, validate, with_contents
from assessment.models import Assessment, Framework, Option, Question
from tests.factories import framework_data, make_partnership

BANK = (
    Path(__file__).resolve().parent.parent / "fixtures" / "frameworks" / "iicsa-cse-networks.yaml"
)


def problems_of(data) -> list[str]:
    return validate(data, "bank.yaml")


def first_question(data) -> dict:
    return data["themes"][0]["questions"][0]


def test_the_small_framework_is_valid():
    assert problems_of(framework_data()) == []


def test_a_duplicate_question_code_is_named():
    data = framework_data()
    data["themes"][0]["questions"][1]["code"] = "AA-01"
    assert "bank.yaml: question AA-01: question code AA-01 is used twice" in problems_of(data)


def test_a_missing_level_is_named():
    data = framework_data()
    first_question(data)["options"].pop()  # drop "good"
    problems = problems_of(data)
    assert (
        "bank.yaml: question AA-01: option level 'good' is missing (single choice needs all four)"
        in problems
    )


def test_a_repeated_option_level_is_named():
    data = framework_data()
    first_question(data)["options"][3]["level"] = "poor"
    first_question(data)["options"][3]["points"] = 0
    assert "bank.yaml: question AA-01: option level 'poor' is repeated" in problems_of(data)


def test_a_benchmark_without_a_reference_is_named():
    data = framework_data()
    del data["themes"][0]["questions"][2]["benchmarks"][0]["reference"]
    assert (
        "bank.yaml: question AA-03: benchmark 1: field 'reference' is missing: every figure must cite the report"
        in problems_of(data)
    )


def test_a_paragraph_outside_its_section_is_named():
    data = framework_data()
    first_question(data)["references"] = [{"section": "F.6", "paragraph": 12}]
    assert (
        "bank.yaml: question AA-01: references: paragraph 12 is outside F.6 (paragraphs 39-47)"
        in problems_of(data)
    )


def test_an_unknown_section_is_named():
    data = framework_data()
    first_question(data)["options"][0]["references"] = [{"section": "Z.9", "paragraph": 1}]
    assert (
        "bank.yaml: question AA-01: option 1: references: section 'Z.9' is not listed under 'sections'"
        in problems_of(data)
    )


@pytest.mark.parametrize("weight", [0, -1, 1.5, "heavy"])
def test_a_weight_that_is_not_a_positive_whole_number_is_named(weight):
    data = framework_data()
    first_question(data)["weight"] = weight
    assert (
        f"bank.yaml: question AA-01: field 'weight' must be a whole number greater than 0, not {weight!r}"
        in problems_of(data)
    )


def test_an_unknown_field_is_named_so_typos_are_caught():
    data = framework_data()
    first_question(data)["guidence"] = "typo"
    assert "bank.yaml: question AA-01: unknown field 'guidence'" in problems_of(data)


def test_a_missing_field_is_named():
    data = framework_data()
    del first_question(data)["guidance"]
    assert "bank.yaml: question AA-01: field 'guidance' is missing" in problems_of(data)


def test_an_unknown_kind_is_named():
    data = framework_data()
    first_question(data)["kind"] = "essay"
    assert any("field 'kind' must be one of" in p and "'essay'" in p for p in problems_of(data))


def test_bands_out_of_order_are_named():
    data = framework_data()
    data["themes"][0]["questions"][2]["bands"]["developing"] = 10
    assert (
        "bank.yaml: question AA-03: bands: thresholds must be strictly increasing from good to developing"
        in problems_of(data)
    )


def test_a_benchmark_contradicting_the_bands_direction_is_named():
    data = framework_data()
    data["themes"][0]["questions"][2]["benchmarks"][0]["direction"] = "higher"
    assert (
        "bank.yaml: question AA-03: benchmark 1: field 'direction' (higher) contradicts the bands (lower)"
        in problems_of(data)
    )


def test_a_critical_question_needs_a_poor_option():
    data = framework_data()
    first_question(data)["kind"] = "yes_no"
    first_question(data)["options"] = [
        {
            "label": "Yes",
            "level": "good",
            "descriptor": "x",
            "references": [{"section": "Annex 4", "paragraph": 3}],
        },
        {
            "label": "No",
            "level": "developing",
            "descriptor": "x",
            "references": [{"section": "Annex 4", "paragraph": 3}],
        },
    ]
    assert (
        "bank.yaml: question AA-01: a critical question needs a 'poor' option (the unacceptable practice)"
        in problems_of(data)
    )


def test_an_option_without_a_reference_is_named():
    data = framework_data()
    first_question(data)["options"][2]["references"] = []
    assert (
        "bank.yaml: question AA-01: option 3: field 'references' needs at least one reference"
        in problems_of(data)
    )


def test_a_practice_example_for_an_unknown_question_is_named():
    data = framework_data()
    data["practice_examples"][0]["questions"] = ["ZZ-99"]
    assert (
        "bank.yaml: practice example 1: field 'questions' names an unknown question 'ZZ-99'"
        in problems_of(data)
    )


def test_a_question_code_must_match_its_theme():
    data = framework_data()
    first_question(data)["code"] = "BB-07"
    assert any("field 'code' must be AA-NN" in p for p in problems_of(data))


def test_every_problem_is_listed_at_once():
    data = framework_data()
    first_question(data)["weight"] = 0
    data["themes"][1]["questions"][0]["nations"] = ["scotland"]
    del data["themes"][0]["questions"][2]["benchmarks"][0]["reference"]
    problems = problems_of(data)
    assert len(problems) == 3
    assert {p.split(": ")[1] for p in problems} == {
        "question AA-01",
        "question BB-01",
        "question AA-03",
    }


def test_a_file_that_is_not_yaml_is_named(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("slug: [unclosed\n")
    with pytest.raises(FrameworkError) as error:
        read(path)
    assert str(path) in error.value.problems[0]
    assert "not valid YAML" in error.value.problems[0]


def test_the_command_lists_every_problem_and_writes_nothing(tmp_path, db):
    import yaml

    data = framework_data()
    first_question(data)["weight"] = 0
    first_question(data)["options"].pop()
    path = tmp_path / "bank.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(CommandError) as error:
        call_command("load_framework", str(path))
    assert str(error.value).startswith("2 problems:")
    assert f"{path}: question AA-01: field 'weight'" in str(error.value)
    assert not Framework.objects.exists()


def test_check_validates_without_writing(db):
    out = StringIO()
    call_command("load_framework", str(BANK), "--check", stdout=out)
    assert "valid (iicsa-cse-networks 2022.1: 9 themes" in out.getvalue()
    assert not Framework.objects.exists()


def test_loading_is_idempotent(db):
    data = framework_data()
    first, outcome = load(data)
    assert outcome == "created"
    again, outcome = load(copy.deepcopy(data))
    assert outcome == "unchanged"
    assert again.pk == first.pk
    assert Question.objects.count() == 5
    assert Option.objects.count() == 16


def test_an_unused_version_can_be_corrected_in_place(db):
    load(framework_data())
    data = framework_data()
    first_question(data)["text"] = "A clearer question?"
    _, outcome = load(data)
    assert outcome == "replaced"
    assert Framework.objects.count() == 1
    assert Question.objects.get(code="AA-01").text == "A clearer question?"


def test_a_version_used_by_an_assessment_is_immutable(db):
    framework, _ = load(framework_data())
    Assessment.objects.create(
        partnership=make_partnership(),
        framework=framework,
        title="2025",
        period_start="2025-01-01",
        period_end="2025-12-31",
    )
    data = framework_data()
    first_question(data)["text"] = "Changed after use?"
    with pytest.raises(FrameworkError) as error:
        load(data)
    assert "used by assessments and cannot change" in str(error.value)
    assert "new version (for example 1.1)" in str(error.value)
    assert Question.objects.get(code="AA-01").text == "Question 1 of theme AA?"

    data["version"] = "1.1"
    _, outcome = load(data)
    assert outcome == "created"
    assert Framework.objects.count() == 2
    assert Question.objects.filter(code="AA-01").count() == 2  # codes stay stable across versions


def test_the_export_has_the_documented_shape(db):
    framework, _ = load(framework_data())
    exported = export(with_contents(Framework.objects.filter(pk=framework.pk)).get())
    assert {"slug", "version", "title", "themes", "practice_examples", "glossary"} <= set(exported)
    question = exported["themes"][0]["questions"][0]
    assert {"code", "text", "kind", "critical", "references", "options", "benchmarks"} <= set(
        question
    )
    assert set(question["options"][0]) >= {"label", "level", "points", "references"}
    benchmark = exported["themes"][0]["questions"][2]["benchmarks"][0]
    assert benchmark == {
        "area": "Durham",
        "value": 35,
        "qualifier": None,
        "unit": "percent",
        "denominator": 1900,
        "period": "2018/19",
        "direction": "lower",
        "note": "",
        "scope": None,
        "base": "",
        "comparable": True,
        "reference": {"section": "Annex 4", "paragraph": 5},
    }
    example = exported["practice_examples"][0]
    assert set(example) >= {"area", "kind", "summary", "theme", "reference"}


def test_the_export_loads_back_as_the_same_framework(db):
    data = framework_data()
    framework, _ = load(data)
    exported = export(with_contents(Framework.objects.filter(pk=framework.pk)).get())
    assert validate(json.loads(json.dumps(exported)), "export.json") == []


def test_export_framework_prints_json(db):
    load(framework_data())
    out = StringIO()
    call_command("export_framework", "test-framework", "--version", "1.0", stdout=out)
    assert json.loads(out.getvalue())["version"] == "1.0"
    with pytest.raises(CommandError, match="No framework 'test-framework' version '9'"):
        call_command("export_framework", "test-framework", "--version", "9")


def test_the_real_bank_loads(db):
    out = StringIO()
    call_command("load_framework", str(BANK), stdout=out)
    assert out.getvalue().strip() == "iicsa-cse-networks 2022.1: created"
    framework = Framework.objects.get()
    assert framework.themes.count() == 9


def test_the_bank_is_read_with_the_c_loader_where_pyyaml_has_it():
    import yaml

    from assessment.frameworks import loading

    assert yaml.__with_libyaml__, "the shared venv's PyYAML is built with libyaml"
    assert loading.YAML_LOADER is yaml.CSafeLoader


BANK_2022_2 = BANK.with_name("iicsa-cse-networks-2022.2.yaml")


def test_the_2022_2_bank_loads_beside_2022_1_with_its_new_fields(db):
    call_command("load_framework", str(BANK), stdout=StringIO())
    out = StringIO()
    call_command("load_framework", str(BANK_2022_2), stdout=out)
    assert out.getvalue().strip() == "iicsa-cse-networks 2022.2: created"
    framework = Framework.objects.get(version="2022.2")
    assert framework.format == 2
    assert {d["id"] for d in framework.documents} >= {"iicsa-l2", "hmicfrs-2023"}
    mc01 = Question.objects.get(theme__framework=framework, code="MC-01")
    assert (
        mc01.is_critical_in("england")
        and (mc01.critical_because or {})["basis"] == "statutory_duty"
    )
    assert Question.objects.get(theme__framework=framework, code="DI-02").carry == {
        "mode": "map",
        "options": {"1": 1, "2": 2, "3": 3, "4": 4},
    }
    basis = (Question.objects.get(theme__framework=framework, code="PP-01").bands or {})["basis"]
    assert basis["references"][0]["title"] == "HMICFRS 2023"
