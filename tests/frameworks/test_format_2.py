"""The rules a format 2 question bank (2022.2 on) must follow, each problem with its location."""

import copy

import pytest

from assessment.frameworks import export, load, validate, with_contents
from assessment.models import Framework, Question
from tests.factories import framework_data

CRITICAL = {"section": "Annex 4", "paragraph": 8}


def problems_of(data, previous=None) -> list[str]:
    return validate(data, "bank.yaml", previous)


def question(data, code: str) -> dict:
    return next(q for t in data["themes"] for q in t["questions"] if q["code"] == code)


@pytest.fixture
def data() -> dict:
    return framework_data(format=2)


def test_the_small_format_2_framework_is_valid(data):
    assert problems_of(data) == []


def test_an_unknown_format_is_named(data):
    data["format"] = 3
    assert "bank.yaml: framework: field 'format' must be 1 or 2, not 3" in problems_of(data)


# Critical questions


def test_a_critical_question_without_its_reason_is_refused(data):
    del question(data, "AA-01")["critical_because"]
    assert any(
        p.startswith("bank.yaml: question AA-01: field 'critical_because' is missing")
        for p in problems_of(data)
    )


def test_format_1_does_not_ask_for_the_reason_so_2022_1_still_loads():
    data = framework_data()
    assert "critical_because" not in question(data, "AA-01")
    assert problems_of(data) == []


def test_the_reason_names_one_of_the_three_rules(data):
    question(data, "AA-01")["critical_because"]["basis"] = "important"
    assert (
        "bank.yaml: question AA-01: critical_because: field 'basis' must be one of unacceptable, "
        "victims_as_offenders, statutory_duty, not 'important'" in problems_of(data)
    )


def test_the_reason_cites_the_report(data):
    question(data, "AA-01")["critical_because"]["references"] = []
    assert (
        "bank.yaml: question AA-01: critical_because: field 'references' needs at least one reference"
        in problems_of(data)
    )


def test_a_question_that_is_not_critical_has_no_reason(data):
    question(data, "AA-02")["critical_because"] = question(data, "AA-01")["critical_because"]
    assert (
        "bank.yaml: question AA-02: field 'critical_because' is only for critical questions"
        in problems_of(data)
    )


def test_critical_may_name_the_nations_it_is_critical_in(data, db):
    question(data, "AA-01")["critical"] = ["england"]
    assert problems_of(data) == []
    load(data)
    loaded = Question.objects.get(code="AA-01")
    assert loaded.is_critical_in("england") and not loaded.is_critical_in("wales")


def test_critical_nations_must_be_the_questions_own(data):
    question(data, "AA-03")["nations"] = ["england"]
    question(data, "AA-01")["nations"] = ["england"]
    question(data, "AA-01")["critical"] = ["wales"]
    assert any(
        p.startswith("bank.yaml: question AA-01: field 'critical' must be true, false or a list")
        for p in problems_of(data)
    )


def test_not_applicable_lists_nations_where_the_question_is_critical(data, db):
    question(data, "AA-01")["not_applicable"] = ["wales"]
    assert problems_of(data) == []
    load(data)
    loaded = Question.objects.get(code="AA-01")
    assert loaded.may_be_not_applicable_in("wales")
    assert not loaded.may_be_not_applicable_in("england")


def test_not_applicable_where_the_question_is_not_critical_is_named(data):
    question(data, "AA-01")["critical"] = ["england"]
    question(data, "AA-01")["not_applicable"] = ["wales"]
    assert any(
        p.startswith(
            "bank.yaml: question AA-01: field 'not_applicable' names 'wales', where the question "
            "is not critical"
        )
        for p in problems_of(data)
    )


def test_not_applicable_is_only_for_critical_questions(data):
    question(data, "AA-02")["not_applicable"] = ["wales"]
    assert (
        "bank.yaml: question AA-02: field 'not_applicable' is only for critical questions"
        in problems_of(data)
    )


# Carry-over from the previous version


def test_carry_needs_a_known_mode(data):
    question(data, "AA-01")["carry"] = {"mode": "maybe"}
    assert (
        "bank.yaml: question AA-01: carry: field 'mode' must be one of same, map, none, not 'maybe'"
        in problems_of(data)
    )


def test_a_map_names_new_positions_within_the_options(data):
    question(data, "AA-01")["carry"] = {"mode": "map", "options": {1: 1, 2: 5}}
    assert (
        "bank.yaml: question AA-01: carry: new option position 5 (for old 2) must be from 1 to 4"
        in problems_of(data)
    )


def test_a_map_needs_its_options(data):
    question(data, "AA-01")["carry"] = {"mode": "map"}
    assert (
        "bank.yaml: question AA-01: carry: mode map needs 'options': {old position: new position}"
        in problems_of(data)
    )


def test_only_a_map_has_options(data):
    question(data, "AA-01")["carry"] = {"mode": "none", "options": {1: 1}}
    assert "bank.yaml: question AA-01: carry: field 'options' is only for mode map" in problems_of(
        data
    )


def test_carry_from_a_code_the_previous_version_lacks_is_named(data):
    previous = framework_data()
    question(data, "AA-01")["carry"] = {"mode": "same", "from": "ZZ-01"}
    assert (
        "bank.yaml: question AA-01: carry: ZZ-01 is not a question of the previous version"
        in problems_of(data, previous)
    )


def test_old_positions_are_checked_against_the_previous_version(data):
    previous = framework_data()
    question(data, "AA-01")["carry"] = {"mode": "map", "options": {1: 1, 7: 2}}
    assert (
        "bank.yaml: question AA-01: carry: old option position 7 is outside AA-01's 4 options"
        in problems_of(data, previous)
    )


def test_an_unchanged_code_whose_options_changed_must_say_how_it_carries(data):
    previous = framework_data()
    question(previous, "AA-01")["options"].append(
        dict(question(previous, "AA-01")["options"][0], label="Another")
    )
    assert any(
        p.startswith(
            "bank.yaml: question AA-01: carry: an answer to AA-01 (single, 5 options) cannot carry "
            "unchanged"
        )
        for p in problems_of(data, previous)
    )
    question(data, "AA-01")["carry"] = {"mode": "none"}
    assert problems_of(data, previous) == []


def test_carry_is_loaded_with_text_keys(data, db):
    question(data, "AA-01")["carry"] = {"mode": "map", "from": "AA-02", "options": {1: 1, 2: 1}}
    load(data)
    assert Question.objects.get(code="AA-01").carry == {
        "mode": "map",
        "from": "AA-02",
        "options": {"1": 1, "2": 1},
    }


# Benchmarks and bands


def test_a_benchmark_must_say_what_it_covers(data):
    for key in ("scope", "base", "comparable"):
        del question(data, "AA-03")["benchmarks"][0][key]
    problems = problems_of(data)
    for key in ("scope", "base", "comparable"):
        assert f"bank.yaml: question AA-03: benchmark 1: field '{key}' is missing" in problems


def test_a_benchmark_scope_is_one_of_the_known_kinds_of_area(data):
    question(data, "AA-03")["benchmarks"][0]["scope"] = "borough"
    assert any(
        p.startswith("bank.yaml: question AA-03: benchmark 1: field 'scope' must be one of")
        for p in problems_of(data)
    )


def test_a_benchmark_may_be_context_only_without_a_direction(data, db):
    question(data, "AA-03")["benchmarks"][0]["direction"] = None
    assert problems_of(data) == []
    load(data)
    assert Question.objects.get(code="AA-03").benchmarks.get().direction == ""


def test_an_unscored_count_cannot_give_a_direction(data):
    count = question(data, "AA-03")
    count.update(kind="count")
    del count["indicator"], count["bands"]
    assert any(
        p.startswith(
            "bank.yaml: question AA-03: benchmark 1: field 'direction' must be null: the question "
            "is not scored"
        )
        for p in problems_of(data)
    )
    count["benchmarks"][0]["direction"] = None
    assert problems_of(data) == []


def test_bands_say_where_their_thresholds_come_from(data):
    del question(data, "AA-03")["bands"]["basis"]
    assert "bank.yaml: question AA-03: bands: field 'basis' is missing" in problems_of(data)


def test_a_basis_is_references_or_the_frameworks_reasoning(data):
    question(data, "AA-03")["bands"]["basis"] = {"because": "we said so"}
    assert any(
        p.startswith(
            "bank.yaml: question AA-03: bands: basis: must be {references: [...]} (the report"
        )
        for p in problems_of(data)
    )
    question(data, "AA-03")["bands"]["basis"] = {
        "references": [{"section": "Annex 4", "paragraph": 5}]
    }
    assert problems_of(data) == []


def test_a_basis_may_cite_a_source_and_give_the_frameworks_reasoning_together(data):
    question(data, "AA-03")["bands"]["basis"] = {
        "references": [{"section": "Annex 4", "paragraph": 5}],
        "set_by_framework": "Good follows Annex 4 para 5; the other steps are ours.",
    }
    assert problems_of(data) == []


def test_an_indicator_may_be_context_only_without_bands(data):
    indicator = question(data, "AA-03")
    del indicator["bands"]
    indicator["benchmarks"][0]["direction"] = None
    assert problems_of(data) == []
    assert any(
        "field 'bands' is required for indicator" in p for p in problems_of(dict(data, format=1))
    )


def test_an_indicator_may_be_a_rate_per_ten_thousand(data, db):
    question(data, "AA-03")["indicator"]["per"] = 10000
    assert problems_of(data) == []
    load(data)
    assert (Question.objects.get(code="AA-03").indicator or {})["per"] == 10000


def test_an_indicator_rate_is_per_100_1000_or_10000(data):
    question(data, "AA-03")["indicator"]["per"] = 50
    assert (
        "bank.yaml: question AA-03: indicator: field 'per' must be 100 (a percentage), 1000 or "
        "10000, not 50" in problems_of(data)
    )


def test_two_options_with_the_same_words_are_named(data):
    options = question(data, "AA-01")["options"]
    options[2]["label"] = options[3]["label"]
    assert (
        "bank.yaml: question AA-01: two options have the same label 'Good answer'"
        in problems_of(data)
    )


# Named documents


@pytest.fixture
def with_document(data) -> dict:
    data["documents"] = [
        {
            "id": "hmicfrs-2023",
            "title": "An inspection of how well the police tackle group-based exploitation",
            "short_title": "HMICFRS 2023",
            "publisher": "HM Inspectorate of Constabulary and Fire & Rescue Services",
            "date": "2023-12",
            "url": "https://hmicfrs.justiceinspectorates.gov.uk/",
        }
    ]
    question(data, "AA-03")["bands"]["basis"] = {
        "references": [{"document": "hmicfrs-2023", "part": "recommendation 3"}]
    }
    return data


def test_a_reference_may_cite_a_named_document(with_document, db):
    assert problems_of(with_document) == []
    framework, _ = load(with_document)
    assert framework.documents[0]["short_title"] == "HMICFRS 2023"
    bands = Question.objects.get(code="AA-03").bands
    assert bands is not None
    assert bands["basis"]["references"] == [
        {"document": "hmicfrs-2023", "part": "recommendation 3", "title": "HMICFRS 2023"}
    ]


def test_a_reference_to_an_unlisted_document_is_named(with_document):
    with_document["documents"] = []
    assert (
        "bank.yaml: question AA-03: bands: basis: references: document 'hmicfrs-2023' is not "
        "listed under 'documents'" in problems_of(with_document)
    )


def test_a_document_needs_its_title_publisher_and_date(with_document):
    del with_document["documents"][0]["publisher"]
    with_document["documents"][0]["date"] = "December 2023"
    problems = problems_of(with_document)
    assert "bank.yaml: document hmicfrs-2023: field 'publisher' is missing" in problems
    assert (
        "bank.yaml: document hmicfrs-2023: field 'date' must be YYYY, YYYY-MM or YYYY-MM-DD"
        in problems
    )


# Prose names only what the item cites


def test_a_paragraph_named_in_guidance_but_not_referenced_is_refused(data):
    question(data, "AA-01")["guidance"] = "As in Swansea (Annex 4 paras 3, 22)."
    assert (
        "bank.yaml: question AA-01: field 'guidance' names Annex 4 para 22, which its references "
        "do not list" in problems_of(data)
    )


def test_a_range_named_in_a_descriptor_must_all_be_referenced(data):
    question(data, "AA-01")["options"][0]["descriptor"] = (
        "See Annex 4 paras 3\u20135."  # an en dash
    )
    assert (
        "bank.yaml: question AA-01: option 1: field 'descriptor' names Annex 4 para 4, Annex 4 "
        "para 5, which its references do not list" in problems_of(data)
    )


def test_a_paragraph_spelt_out_in_full_is_checked_too(data):
    question(data, "AA-01")["guidance"] = "As G.5 paragraph 26 says."
    data["sections"].append({"section": "G.5", "first": 25, "last": 26})
    assert (
        "bank.yaml: question AA-01: field 'guidance' names G.5 para 26, which its references "
        "do not list" in problems_of(data)
    )


def test_a_paragraph_without_its_section_is_named(data):
    question(data, "AA-01")["guidance"] = "Children placed far away (paras 13, 29)."
    assert (
        "bank.yaml: question AA-01: field 'guidance' names 'paras 13, 29' without its section"
        in problems_of(data)
    )


def test_the_reason_for_a_critical_flag_cites_what_it_names(data):
    question(data, "AA-01")["critical_because"]["text"] = "Called unacceptable (F.6 para 40)."
    assert (
        "bank.yaml: question AA-01: critical_because: field 'text' names F.6 para 40, which its "
        "references do not list" in problems_of(data)
    )


def test_a_benchmark_note_names_only_its_own_paragraph(data):
    question(data, "AA-03")["benchmarks"][0]["note"] = "as in Annex 4 para 21"
    assert (
        "bank.yaml: question AA-03: benchmark 1: field 'note' names Annex 4 para 21, which its "
        "references do not list" in problems_of(data)
    )


def test_a_practice_example_names_only_its_own_paragraph(data):
    data["practice_examples"][0]["summary"] = "Three months (Annex 4 para 4)."
    assert (
        "bank.yaml: practice example 1: field 'summary' names Annex 4 para 4, which its "
        "references do not list" in problems_of(data)
    )


def test_format_1_prose_is_not_checked_so_2022_1_stays_as_published():
    data = framework_data()
    question(data, "AA-01")["guidance"] = "As in Swansea (Annex 4 paras 3, 22)."
    assert problems_of(data) == []


# Export


def test_a_format_2_framework_exports_and_validates_back(with_document, db):
    question(with_document, "AA-01")["critical"] = ["england"]
    question(with_document, "AA-01")["carry"] = {"mode": "map", "options": {1: 2}}
    question(with_document, "AA-03")["benchmarks"][0]["direction"] = None
    framework, _ = load(copy.deepcopy(with_document))
    exported = export(with_contents(Framework.objects.filter(pk=framework.pk)).get())
    assert exported["format"] == 2
    first = exported["themes"][0]["questions"][0]
    assert first["critical"] == ["england"]
    assert first["critical_because"]["basis"] == "unacceptable"
    assert first["carry"] == {"mode": "map", "options": {"1": 2}}
    assert exported["themes"][0]["questions"][2]["benchmarks"][0]["scope"] == "police_force"
    assert validate(exported, "export.json") == []


# The previous version's file, named in the file


def write(path, data) -> None:
    import yaml

    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_read_checks_carry_against_the_file_it_names(data, tmp_path):
    from assessment.frameworks import FrameworkError, read

    write(tmp_path / "old.yaml", framework_data())
    data["version"] = "2.0"
    data["previous"] = {"version": "1.0", "file": "old.yaml"}
    question(data, "AA-01")["carry"] = {"mode": "map", "options": {9: 1}}
    write(tmp_path / "new.yaml", data)
    with pytest.raises(FrameworkError) as error:
        read(tmp_path / "new.yaml")
    assert error.value.problems == [
        f"{tmp_path / 'new.yaml'}: question AA-01: carry: old option position 9 is outside "
        "AA-01's 4 options"
    ]


def test_read_refuses_a_previous_file_of_another_version(data, tmp_path):
    from assessment.frameworks import FrameworkError, read

    write(tmp_path / "old.yaml", framework_data(version="0.9"))
    data["previous"] = {"version": "1.0", "file": "old.yaml"}
    write(tmp_path / "new.yaml", data)
    with pytest.raises(
        FrameworkError, match=r"old\.yaml is test-framework 0\.9, not test-framework 1\.0"
    ):
        read(tmp_path / "new.yaml")


def test_read_refuses_a_previous_file_that_leads_back_to_itself(data, tmp_path):
    from assessment.frameworks import FrameworkError, read

    data["previous"] = {"version": "1.0", "file": "new.yaml"}
    write(tmp_path / "new.yaml", data)
    with pytest.raises(FrameworkError, match=r"previous: new\.yaml leads back here"):
        read(tmp_path / "new.yaml")


# Expected evidence and freshness limits


def test_a_question_may_say_what_evidence_it_expects_and_it_loads_and_exports(data, db):
    data["evidence_months"] = 24
    question(data, "AA-01")["evidence"] = {
        "kinds": ["problem_profile"],
        "within_months": 12,
        "text": "A problem profile dated within 12 months",
    }
    assert problems_of(data) == []
    framework, _ = load(copy.deepcopy(data))
    assert framework.evidence_months == 24
    loaded = Question.objects.get(theme__framework=framework, code="AA-01")
    assert (loaded.expected_kinds, loaded.evidence_months) == (["problem_profile"], 12)
    exported = export(with_contents(Framework.objects.filter(pk=framework.pk)).get())
    assert exported["evidence_months"] == 24
    assert exported["themes"][0]["questions"][0]["evidence"]["within_months"] == 12
    assert "evidence" not in exported["themes"][0]["questions"][1]
    assert validate(exported, "export.json") == []


def test_an_unknown_kind_of_evidence_is_named(data):
    question(data, "AA-01")["evidence"] = {"kinds": ["gossip"], "text": "Something"}
    assert any(
        "question AA-01: evidence: field 'kinds' has unknown kind 'gossip'" in p
        for p in problems_of(data)
    )


def test_expected_evidence_needs_its_words(data):
    question(data, "AA-01")["evidence"] = {"kinds": ["minutes"]}
    assert any(
        p.startswith("bank.yaml: question AA-01: evidence: field 'text' is missing")
        for p in problems_of(data)
    )


def test_a_freshness_limit_is_a_number_of_months_from_1_to_120(data):
    data["evidence_months"] = 0
    question(data, "AA-01")["evidence"] = {
        "kinds": ["minutes"],
        "text": "Minutes",
        "within_months": "a year",
    }
    found = problems_of(data)
    assert (
        "bank.yaml: framework: field 'evidence_months' must be a number of months from 1 to 120, not 0"
        in found
    )
    assert (
        "bank.yaml: question AA-01: evidence: field 'within_months' must be a number of months "
        "from 1 to 120, not 'a year'" in found
    )


def test_format_1_refuses_the_evidence_keys_so_2022_1_stays_as_published():
    from tests.factories import framework_data

    data = framework_data()
    data["evidence_months"] = 12
    question(data, "AA-01")["evidence"] = {"kinds": ["minutes"], "text": "Minutes"}
    found = problems_of(data)
    assert "bank.yaml: framework: field 'evidence_months' needs format 2" in found
    assert "bank.yaml: question AA-01: field 'evidence' needs format 2" in found
