"""The content of the real question bank, checked against the report pages it is built from."""

import hashlib
import re
from functools import cache
from pathlib import Path

import pytest

from assessment.frameworks import read

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "fixtures" / "frameworks" / "iicsa-cse-networks.yaml"
BANK_2022_2 = ROOT / "fixtures" / "frameworks" / "iicsa-cse-networks-2022.2.yaml"
BANKS = [BANK, BANK_2022_2]
REPORT = ROOT / "fixtures" / "report"

# The paragraphs of the seed pages that state a finding (the rest introduce the annex).
SEED_FILES = {
    "Annex 4": ("annex-4-case-study-areas.txt", range(3, 90)),
    "F.6": ("f6-protecting-and-supporting-children.txt", range(39, 48)),
    "J.5": ("j5-partnership-with-schools-and-health.txt", range(22, 29)),
}


@cache
def bank(path: Path = BANK) -> dict:
    return read(path)


def questions(path: Path = BANK) -> dict[str, dict]:
    return {q["code"]: q for t in bank(path)["themes"] for q in t["questions"]}


def paragraphs_in(section: str) -> set[int]:
    """The numbered paragraphs actually present in a seed file (lines that start 'N. ')."""
    filename, _ = SEED_FILES[section]
    text = (REPORT / filename).read_text(encoding="utf-8")
    return {int(n) for n in re.findall(r"^(\d+)\. ", text, flags=re.MULTILINE)}


def cited(path: Path = BANK) -> set[tuple[str, int]]:
    """Every (section, paragraph) cited by a question, option, benchmark or practice example."""

    def paragraphs(refs: list) -> set[tuple[str, int]]:
        return {(r["section"], r["paragraph"]) for r in refs if "section" in r}

    found = set()
    for question in questions(path).values():
        found |= paragraphs(question["references"])
        for option in question.get("options") or []:
            found |= paragraphs(option["references"])
        for benchmark in question.get("benchmarks") or []:
            found |= paragraphs([benchmark["reference"]])
    for example in bank(path)["practice_examples"]:
        found |= paragraphs([example["reference"]])
    return found


@pytest.mark.parametrize("path", BANKS, ids=["2022.1", "2022.2"])
@pytest.mark.parametrize("section", SEED_FILES)
def test_every_finding_paragraph_of_the_seeds_is_cited(section, path):
    _, findings = SEED_FILES[section]
    present = paragraphs_in(section)
    assert set(findings) <= present, (
        "the seed file is not the one the coverage rule was written for"
    )
    missing = sorted(p for p in findings if (section, p) not in cited(path))
    assert missing == [], (
        f"{section} paragraphs not cited by any question, option, benchmark or example: {missing}"
    )


@pytest.mark.parametrize("path", BANKS, ids=["2022.1", "2022.2"])
def test_references_to_seed_sections_point_at_paragraphs_that_exist(path):
    for section, paragraph in cited(path):
        if section in SEED_FILES:
            assert paragraph in paragraphs_in(section), (
                f"{section} para {paragraph} is not in the report text"
            )


@pytest.mark.parametrize("path", BANKS, ids=["2022.1", "2022.2"])
def test_nine_themes_in_the_order_of_the_annex_4_headings(path):
    assert [t["title"] for t in bank(path)["themes"]] == [
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


@pytest.mark.parametrize("path", BANKS, ids=["2022.1", "2022.2"])
def test_each_theme_has_a_workable_number_of_questions(path):
    for theme in bank(path)["themes"]:
        assert 8 <= len(theme["questions"]) <= 15, theme["code"]


@pytest.mark.parametrize("path", BANKS, ids=["2022.1", "2022.2"])
def test_every_kind_of_question_is_used(path):
    kinds = {q["kind"] for q in questions(path).values()}
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


@pytest.mark.parametrize("path", BANKS, ids=["2022.1", "2022.2"])
def test_no_child_case_codes_appear(path):
    assert not re.search(r"\bCS-[A-Z]\d+", path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", BANKS, ids=["2022.1", "2022.2"])
def test_a_glossary_defines_the_terms_users_meet(path):
    terms = {g["term"].lower() for g in bank(path)["glossary"]}
    for needed in ["network", "problem profile", "return home interview"]:
        assert any(needed in term for term in terms), needed


def test_the_2022_1_file_is_never_changed():
    # Cycles signed off on 2022.1 are read against this file; corrections go in a new version.
    digest = hashlib.sha256(BANK.read_bytes()).hexdigest()
    assert digest == "d5f138370ed5c2624416202d9f1337516dd8b94f76ba1560ab72ced24d4a0c50"


# Version 2022.2: the corrections of issue 13 (docs/question-bank-review.md)

A4 = "Annex 4"


def refs_of(question: dict) -> set[tuple[str, int]]:
    return {(r["section"], r["paragraph"]) for r in question["references"] if "section" in r}


def test_2022_2_is_critical_only_by_the_three_rules():
    critical = {code: q for code, q in questions(BANK_2022_2).items() if q.get("critical")}
    assert {code: q["critical_because"]["basis"] for code, q in critical.items()} == {
        "DI-01": "victims_as_offenders",  # warning notices used against child victims (para 65)
        "RA-01": "unacceptable",  # no high risk without a perpetrator: "wholly unacceptable"
        "MC-01": "statutory_duty",  # return home interviews after every episode, in England
    }
    assert {"section": A4, "paragraph": 8} in critical["RA-01"]["critical_because"]["references"]
    assert {"section": A4, "paragraph": 65} in critical["DI-01"]["critical_because"]["references"]
    assert {"section": "G.5", "paragraph": 26} in critical["MC-01"]["critical_because"][
        "references"
    ]


def test_2022_2_does_not_make_welsh_return_home_interviews_or_self_found_removals_critical():
    by_code = questions(BANK_2022_2)
    assert by_code["MC-02"]["nations"] == ["wales"] and not by_code["MC-02"]["critical"]
    assert not by_code["RA-06"]["critical"] and not by_code["EM-01"]["critical"]
    # RA-06 rewards finding premature removals through the partnership's own review.
    assert "found and acted on" in by_code["RA-06"]["options"][3]["label"]
    assert "removed while still being harmed" not in by_code["RA-06"]["options"][0]["label"]


def test_2022_2_cites_the_corrected_paragraphs():
    by_code = questions(BANK_2022_2)
    assert ("G.5", 26) in refs_of(by_code["MC-01"])  # independence of the interviewer
    assert ("G.5", 25) in refs_of(by_code["MC-02"])  # the Welsh three-episode expectation
    assert ("G.5", 25) in refs_of(by_code["MC-04"])
    assert ("C.3", 21) in refs_of(by_code["PP-05"])  # the network definition
    assert "far below 13" not in by_code["EM-05"]["guidance"]
    assert "across the UK" not in by_code["MV-05"]["guidance"].replace(
        "looked at across the UK", ""
    )
    assert "The\nInquiry warned" not in by_code["RA-12"]["guidance"]
    assert "Inquiry warned" not in by_code["RA-12"]["guidance"]


def test_2022_2_scores_no_count_that_rewards_the_wrong_thing():
    by_code = questions(BANK_2022_2)
    for code in ("PP-06", "PP-07", "PP-12", "MC-07", "MC-08", "MV-01", "CD-04", "DI-11", "DI-12"):
        assert "bands" not in by_code[code], f"{code} should be context only"
        assert all(b["direction"] is None for b in by_code[code].get("benchmarks") or [])
    # Raw counts that depend on the size of the area became shares with a stated denominator.
    for code in ("EM-09", "MC-13"):
        assert by_code[code]["kind"] == "indicator" and by_code[code]["indicator"]["denominator"]
    assert "EM-04" not in by_code and "MC-11" not in by_code


def test_2022_2_ladders_put_not_knowing_at_the_bottom():
    not_knowing = re.compile(
        r"have not been checked|we have not checked|we do not know|no evidence either way|we cannot say",
        re.IGNORECASE,
    )
    for code, question in questions(BANK_2022_2).items():
        for option in question.get("options") or []:
            if not_knowing.search(option["label"]):
                assert option["level"] == "poor", f"{code}: {option['label']!r}"


def test_2022_2_asks_no_yes_no_or_how_confident_questions_on_a_ladder():
    for code, question in questions(BANK_2022_2).items():
        if question["kind"] in ("single", "multiple"):
            assert not re.match(r"(Is|Are|Do|Does|Has|Have|Can|Could)\b", question["text"]), code
        assert not re.search(r"how (well|confident)", question["text"], re.IGNORECASE), code


def test_2022_2_rephrases_ra_01_so_it_does_not_signal_its_answer():
    text = questions(BANK_2022_2)["RA-01"]["text"]
    assert "can they be recorded" not in text and "if no perpetrator" not in text


def test_2022_2_splits_the_double_barrelled_questions_into_new_codes():
    by_code = questions(BANK_2022_2)
    splits = {
        "DI-02": "DI-13", "DI-07": "DI-14", "RA-07": "RA-13", "RA-11": "RA-14",
        "RA-12": "RA-15", "RA-10": "PW-10", "CD-07": "CD-09", "CD-08": "CD-10",
        "MC-09": "MC-15", "MC-12": "MC-16", "AR-02": "AR-09",
    }  # fmt: skip
    old = questions(BANK)
    for before, after in splits.items():
        assert after not in old, f"{after} must be a new code, never an old meaning"
        assert by_code[before]["carry"]["mode"] in ("map", "none"), before
        assert by_code[after]["carry"]["mode"] in ("map", "none"), after


def test_2022_2_says_how_every_changed_question_carries_over():
    old = questions(BANK)
    for code, question in questions(BANK_2022_2).items():
        labels = [o["label"] for o in question.get("options") or []]
        before = old.get(code)
        changed = before is None or (
            before["text"] != question["text"]
            or [o["label"] for o in before.get("options") or []] != labels
            or before["kind"] != question["kind"]
            or bool(before.get("bands")) != bool(question.get("bands"))
        )
        if changed:
            assert question.get("carry"), f"{code} changed but does not say how answers carry"


def test_2022_2_adds_the_measures_the_report_calls_for():
    by_code = questions(BANK_2022_2)
    assert (A4, 19) in refs_of(
        by_code["PP-13"]
    )  # police and council counts, and whether they agree
    assert {(A4, 13), (A4, 29)} <= refs_of(by_code["MC-14"])  # children placed out of area
    assert "sex" in by_code["PP-14"]["text"]  # the sex of suspects
    assert (A4, 80) in refs_of(by_code["PP-15"])  # why ethnicity goes unrecorded
    assert (A4, 81) in refs_of(by_code["DI-11"]) and (A4, 81) in refs_of(by_code["DI-12"])


def test_2022_2_ranks_only_like_for_like_benchmarks():
    by_code = questions(BANK_2022_2)
    not_comparable = {
        (code, b["area"], b["base"])
        for code, q in by_code.items()
        for b in q.get("benchmarks") or []
        if not b["comparable"]
    }
    # A command unit or a whole force area for a borough, cases instead of suspects, all
    # children in care instead of those at risk, Merseyside's crime groups for St Helens.
    assert {(code, area) for code, area, _ in not_comparable} >= {
        ("PP-08", "Tower Hamlets"),
        ("PP-09", "Swansea"),
        ("PP-08", "Durham"),
        ("MC-13", "Tower Hamlets"),
        ("PP-06", "St Helens"),
    }
    for question in by_code.values():
        for benchmark in question.get("benchmarks") or []:
            assert benchmark["scope"] and benchmark["base"]


def test_2022_2_keeps_every_benchmark_figure_of_2022_1():
    def figures(path: Path) -> set[tuple]:
        return {
            (b["area"], b["value"], b["period"], b["reference"]["paragraph"])
            for q in questions(path).values()
            for b in q.get("benchmarks") or []
        }

    lost = figures(BANK) - figures(BANK_2022_2)
    # Two counts with no base cannot become shares; the guidance of MC-13 and EM-09 quotes them.
    assert lost == {
        ("Durham", 7, "two years to March 2019", 13),
        ("St Helens", 1, "September 2020", 53),
    }
