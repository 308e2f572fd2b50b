"""The content of the real question bank, checked against the report pages it is built from."""

import hashlib
import re
from functools import cache
from pathlib import Path

import pytest

from assessment.frameworks import read

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "fixtures" / "frameworks" / "iicsa-cse-networks.yaml"
REPORT = ROOT / "fixtures" / "report"

# The paragraphs of the seed pages that state a finding (the rest introduce the annex).
SEED_FILES = {
    "Annex 4": ("annex-4-case-study-areas.txt", range(3, 90)),
    "F.6": ("f6-protecting-and-supporting-children.txt", range(39, 48)),
    "J.5": ("j5-partnership-with-schools-and-health.txt", range(22, 29)),
}


@cache
def bank() -> dict:
    return read(BANK)


def paragraphs_in(section: str) -> set[int]:
    """The numbered paragraphs actually present in a seed file (lines that start 'N. ')."""
    filename, _ = SEED_FILES[section]
    text = (REPORT / filename).read_text(encoding="utf-8")
    return {int(n) for n in re.findall(r"^(\d+)\. ", text, flags=re.MULTILINE)}


def cited() -> set[tuple[str, int]]:
    """Every (section, paragraph) cited by a question, option, benchmark or practice example."""
    found = set()
    for theme in bank()["themes"]:
        for question in theme["questions"]:
            found |= {(r["section"], r["paragraph"]) for r in question["references"]}
            for option in question.get("options") or []:
                found |= {(r["section"], r["paragraph"]) for r in option["references"]}
            for benchmark in question.get("benchmarks") or []:
                found.add((benchmark["reference"]["section"], benchmark["reference"]["paragraph"]))
    for example in bank()["practice_examples"]:
        found.add((example["reference"]["section"], example["reference"]["paragraph"]))
    return found


@pytest.mark.parametrize("section", SEED_FILES)
def test_every_finding_paragraph_of_the_seeds_is_cited(section):
    _, findings = SEED_FILES[section]
    present = paragraphs_in(section)
    assert set(findings) <= present, (
        "the seed file is not the one the coverage rule was written for"
    )
    missing = sorted(p for p in findings if (section, p) not in cited())
    assert missing == [], (
        f"{section} paragraphs not cited by any question, option, benchmark or example: {missing}"
    )


def test_references_to_seed_sections_point_at_paragraphs_that_exist():
    for section, paragraph in cited():
        if section in SEED_FILES:
            assert paragraph in paragraphs_in(section), (
                f"{section} para {paragraph} is not in the report text"
            )


def test_nine_themes_in_the_order_of_the_annex_4_headings():
    assert [t["title"] for t in bank()["themes"]] == [
        "Problem profiling",
        "Disruption",
        "Empathy and concern for child victims",
        "Risk assessment, protection from harm and outcomes for children",
        "Missing children, return home interviews and children in care",
        "Male victims",
        "Children with disabilities",
        "Partnership working",
        "Audit, review and performance improvement",
    ]


def test_each_theme_has_a_workable_number_of_questions():
    for theme in bank()["themes"]:
        assert 8 <= len(theme["questions"]) <= 15, theme["code"]


def test_every_kind_of_question_is_used():
    kinds = {q["kind"] for t in bank()["themes"] for q in t["questions"]}
    assert kinds == {"single", "multiple", "indicator", "count", "yes_no", "date", "text"}


def test_the_unacceptable_practices_are_critical():
    critical = {q["code"]: q for t in bank()["themes"] for q in t["questions"] if q.get("critical")}
    texts = " ".join(q["text"].lower() for q in critical.values())
    assert (
        "perpetrator" in texts
    )  # no child kept out of high risk for want of a perpetrator (Annex 4 para 8)
    assert any({"section": "Annex 4", "paragraph": 8} in q["references"] for q in critical.values())
    assert any(
        {"section": "Annex 4", "paragraph": 65} in q["references"] for q in critical.values()
    )


def test_wales_differs_where_the_report_says_it_does():
    by_code = {q["code"]: q for t in bank()["themes"] for q in t["questions"]}
    wales_only = [q for q in by_code.values() if q["nations"] == ["wales"]]
    england_only = [q for q in by_code.values() if q["nations"] == ["england"]]
    assert wales_only and england_only
    welsh_refs = {(r["section"], r["paragraph"]) for q in wales_only for r in q["references"]}
    assert ("Annex 4", 25) in welsh_refs  # practitioner prompts since November 2019


def test_indicators_carry_the_case_study_figures():
    indicators = [q for t in bank()["themes"] for q in t["questions"] if q["kind"] == "indicator"]
    assert len(indicators) >= 6
    ethnicity = next(
        q for q in indicators if "ethnicity" in q["text"].lower() and "suspect" in q["text"].lower()
    )
    durham = next(b for b in ethnicity["benchmarks"] if b["area"] == "Durham")
    # "Ethnicity was not recorded for suspects in 35 percent of 1,900 cases" (Annex 4 para 5)
    assert (durham["value"], durham["denominator"], durham["reference"]) == (
        35,
        1900,
        {"section": "Annex 4", "paragraph": 5},
    )


def test_no_child_case_codes_appear():
    assert not re.search(r"\bCS-[A-Z]\d+", BANK.read_text(encoding="utf-8"))


def test_a_glossary_defines_the_terms_users_meet():
    terms = {g["term"].lower() for g in bank()["glossary"]}
    for needed in ["network", "problem profile", "return home interview"]:
        assert any(needed in term for term in terms), needed


def test_the_2022_1_file_is_never_changed():
    # Cycles signed off on 2022.1 are read against this file; corrections go in a new version.
    digest = hashlib.sha256(BANK.read_bytes()).hexdigest()
    assert digest == "d5f138370ed5c2624416202d9f1337516dd8b94f76ba1560ab72ced24d4a0c50"
