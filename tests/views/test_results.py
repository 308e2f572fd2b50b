"""Results, benchmarks, comparison and trend, with scores worked out by hand for a small framework.

The test framework (tests/factories.py): theme AA has AA-01 (weight 1, critical), AA-02
(weight 2) and the indicator AA-03 (weight 1; lower is better: good <= 5, established <= 15,
developing <= 30); theme BB has BB-01 (weight 1, critical) and BB-02 (weight 2).
"""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment import scoring
from assessment.models import Question
from assessment.workflow import Change, save_answers, values_of
from tests.factories import (
    found,
    make_assessment,
    make_framework,
    option_id,
    put_in_review,
    sign_off_by_board,
    start_next_cycle,
)

pytestmark = pytest.mark.django_db


def answer_all(assessment, user, levels: dict, indicator=(28, 100), na=("BB-02",)):
    changes = []
    for question in Question.objects.filter(theme__framework=assessment.framework):
        values = values_of(None) | {"evidence": "Evidence"}
        if question.code in na:
            values |= {"not_applicable": True, "not_applicable_reason": "Does not apply here"}
        elif question.kind == "indicator":
            values |= {"numerator": indicator[0], "denominator": indicator[1]}
        elif question.code in levels:
            values["selected"] = [option_id(question.code, levels[question.code], assessment)]
        else:
            continue
        version = (
            assessment.answers.filter(question=question).values_list("version", flat=True).first()
            or 0
        )
        changes.append(Change(question, values, version))
    result = save_answers(assessment=assessment, changes=changes, user=user, agency="police")
    assert result.ok


LEVELS = {"AA-01": "good", "AA-02": "developing", "BB-01": "established"}


@pytest.fixture
def scored_assessment(alice, partnership_a):
    assessment = make_assessment(partnership_a)
    answer_all(assessment, alice, LEVELS)
    return assessment


def test_results_show_the_hand_computed_scores(client, alice, scored_assessment):
    client.force_login(alice)
    html = client.get(f"/assessments/{scored_assessment.code}/results").content.decode()
    # AA-01 good 3/3, AA-02 developing 1x2 of 3x2, AA-03 28% is developing (<= 30): 1/3.
    assert "50%" in html  # AA: (3 + 2 + 1) / (3 + 6 + 3) = 6/12
    assert "67%" in html  # BB: 2/3, BB-02 not applicable
    assert "53% · Established" in html  # overall: (6 + 2) / (12 + 3) = 8/15, at least 50
    assert "1 of 2 scored questions answered, 1 not applicable" in html
    assert 'src="data:image/svg+xml;base64,' in html
    assert 'alt="Bar chart of the score of each theme: 1. Theme AA 50%; 2. Theme BB 67%"' in html


def test_strengths_and_gaps_link_to_the_answers_and_the_report(client, alice, scored_assessment):
    client.force_login(alice)
    html = client.get(f"/assessments/{scored_assessment.code}/results").content.decode()
    gaps = html[html.index("Gaps (") : html.index("Strengths (")]
    assert "AA-02" in gaps and "AA-03" in gaps and "AA-01" not in gaps
    assert f'href="/assessments/{scored_assessment.code}/themes/AA/#AA-02"' in html
    assert "Matches Durham: Three months of data." not in html  # the example is poor practice
    assert "Critical findings" not in html


def test_a_critical_finding_comes_first_and_caps_its_theme(client, alice, partnership_a):
    assessment = make_assessment(partnership_a)
    answer_all(assessment, alice, {**LEVELS, "AA-01": "poor", "AA-02": "good"})
    client.force_login(alice)
    html = client.get(f"/assessments/{assessment.code}/results").content.decode()
    assert html.index("Critical findings (1)") < html.index("Theme ratings")
    assert (
        "Resembles Durham: Three months of data." in html
        or "Like Durham: Three months of data." in html
    )
    # AA is 58% ((0 + 6 + 1) / 12) but rated poor because of the critical finding.
    row = html[html.index('href="#theme-AA"') : html.index('href="#theme-BB"')]
    assert "58%" in row and "Poor" in row


def test_a_critical_question_not_answered_is_listed_and_its_theme_not_rated(
    client, alice, partnership_a
):
    assessment = make_assessment(partnership_a)
    answer_all(assessment, alice, {"AA-02": "good", "BB-01": "established"})  # AA-01 left empty
    client.force_login(alice)
    html = client.get(f"/assessments/{assessment.code}/results").content.decode()
    listed = html[html.index("Critical questions not answered (1)") : html.index("Theme ratings")]
    assert f'href="/assessments/{assessment.code}/themes/AA/#AA-01"' in listed
    assert "BB-01" not in listed
    # AA is (6 + 1) / 9 = 78% on what is answered, but not rated while AA-01 is unanswered.
    row = html[html.index('href="#theme-AA"') : html.index('href="#theme-BB"')]
    assert "78%" in row and "Not enough evidence" in row and "Good" not in row
    assert "Critical findings" not in html


def test_a_critical_question_marked_not_applicable_where_not_allowed_is_listed(
    client, alice, partnership_a
):
    assessment = make_assessment(partnership_a)
    answer_all(assessment, alice, {"AA-01": "good", "AA-02": "good", "BB-01": "good"})
    # Stored before the rule (the form and save_answers now refuse it).
    assessment.answers.filter(question__code="AA-01").update(
        not_applicable=True, not_applicable_reason="Not for us"
    )
    client.force_login(alice)
    html = client.get(f"/assessments/{assessment.code}/results").content.decode()
    assert "Critical questions not answered (1)" in html
    assert "AA-01" in html[html.index("Critical questions not answered") :]


def test_signed_off_results_never_change_even_if_the_scoring_does(
    client, alice, scored_assessment, monkeypatch
):
    put_in_review(scored_assessment)
    snapshot = sign_off_by_board(scored_assessment, alice)
    assert snapshot.data["scores"]["percentage"] == pytest.approx(100 * 8 / 15)
    monkeypatch.setattr(
        scoring, "POINTS", {"poor": 0, "developing": 0, "established": 0, "good": 0}
    )
    client.force_login(alice)
    html = client.get(f"/assessments/{scored_assessment.code}/results").content.decode()
    assert "53% · Established" in html
    assert "frozen when the self-assessment was signed off" in html


def test_benchmarks_set_our_figure_beside_the_areas(client, alice, scored_assessment):
    client.force_login(alice)
    html = client.get(f"/assessments/{scored_assessment.code}/benchmarks").content.decode()
    assert "Your partnership&#x27;s figure is 28%." in html
    assert "Durham&#x27;s figure was 35% (2018/19)." in html
    assert "Yours is better than Durham (2018/19)." in html
    assert "Lower is better." in html
    assert "Durham, 2018/19" in html and "1900" in html


def test_a_figure_that_is_not_like_for_like_is_context_never_ranked(
    client, alice, scored_assessment
):
    from assessment.models import Benchmark

    Benchmark.objects.update(
        comparable=False, scope="police_force", base="suspects across the whole force"
    )
    client.force_login(alice)
    html = client.get(f"/assessments/{scored_assessment.code}/benchmarks").content.decode()
    assert "better than" not in html and "worse than" not in html and "is better." not in html
    assert (
        "For context only, not ranked: Durham, 2018/19, 35% (counted for a whole police force"
        " area; counting suspects across the whole force; not like for like with this question)."
        in html
    )


def test_a_figure_without_a_direction_of_better_is_context_never_ranked(
    client, alice, scored_assessment
):
    from assessment.models import Benchmark

    Benchmark.objects.update(direction="")
    client.force_login(alice)
    html = client.get(f"/assessments/{scored_assessment.code}/benchmarks").content.decode()
    assert "better than" not in html and "Lower is better" not in html
    assert "the report gives no direction of better" in html


def test_a_rate_per_10000_is_shown_per_10000(client, alice, partnership_a):
    from assessment.models import Question

    assessment = make_assessment(partnership_a)
    Question.objects.filter(kind="indicator").update(
        indicator={"numerator": "Children", "denominator": "Population", "per": 10000}
    )
    answer_all(assessment, alice, LEVELS, indicator=(3, 2000))
    client.force_login(alice)
    html = client.get(f"/assessments/{assessment.code}/benchmarks").content.decode()
    assert "Your partnership&#x27;s figure is 15 per 10,000." in html


def next_year_on_version_2(previous, user, carry: dict | None = None):
    """The next cycle on framework 2.0 (with ``carry`` rules by code), answered a little better."""
    newer_framework = make_framework(version="2.0")
    for code, rule in (carry or {}).items():
        Question.objects.filter(theme__framework=newer_framework, code=code).update(carry=rule)
    later = start_next_cycle(previous, user, "Next year", framework=newer_framework)
    answer_all(
        later,
        user,
        {"AA-01": "established", "AA-02": "good", "BB-01": "established"},
        indicator=(2, 100),
    )
    return later


def test_compare_counts_improvements_and_declines_by_question_code(
    client, alice, partnership_a, scored_assessment
):
    later = next_year_on_version_2(scored_assessment, alice)
    client.force_login(alice)
    html = client.get(f"/assessments/{later.code}/compare").content.decode()
    assert "2 questions improved" in html  # AA-02 developing -> good, AA-03 developing -> good
    assert "1 declined" in html  # AA-01 good -> established
    assert "1 unchanged" in html  # BB-01
    assert "up 42 points" in html  # AA: 6/12 = 50% -> (2 + 6 + 3)/12 = 92%
    # BB-02 does not apply in either cycle: it says so, rather than "Not answered".
    row = found(r"BB-02 <span.*?</tr>", html, re.S).group(0)
    assert row.count("Does not apply") >= 2 and "Not answered" not in row


def test_across_versions_only_questions_whose_meaning_did_not_change_are_compared(
    client, alice, partnership_a, scored_assessment
):
    carry = {"AA-02": {"mode": "none"}, "AA-01": {"mode": "map", "options": {"4": 3}}}
    later = next_year_on_version_2(scored_assessment, alice, carry)
    client.force_login(alice)
    html = client.get(f"/assessments/{later.code}/compare").content.decode()
    assert "framework versions 1.0 and 2.0" in html
    assert "Only the 3 questions whose meaning did not change" in html and "2 are left out" in html
    questions = html[html.index("<caption", html.index("Theme scores") + 20) :]
    assert "AA-03" in questions and "BB-01" in questions
    assert "AA-01" not in questions and "AA-02" not in questions
    assert "1 question improved" in html and "0 declined" in html  # AA-03 developing -> good
    assert "up 67 points" in html  # AA over AA-03 alone: 1/3 -> 3/3
    trend = client.get(f"/assessments/{later.code}/trend").content.decode()
    assert "Only the 3 questions whose meaning did not change" in trend


def test_compare_refuses_a_cycle_of_another_partnership(
    client, alice, partnership_b, scored_assessment
):
    theirs = make_assessment(partnership_b)
    client.force_login(alice)
    assert (
        client.get(f"/assessments/{scored_assessment.code}/compare?with={theirs.code}").status_code
        == 404
    )


def test_the_trend_lists_every_cycle_and_little_or_no_progress(
    client, alice, partnership_a, scored_assessment
):
    later = start_next_cycle(scored_assessment, alice, "Next year")
    answer_all(later, alice, {"AA-01": "good", "AA-02": "developing", "BB-01": "developing"})
    client.force_login(alice)
    html = client.get(f"/assessments/{later.code}/trend").content.decode()
    assert "Self-assessment 2025" in html and "Next year" in html
    progress = html[html.index("Little or no progress") :]
    assert "Theme AA" in progress and "Theme BB" in progress  # unchanged and declined
    assert "BB-01" in progress and "established → developing" in progress
    assert "AA-01" not in progress  # good stays good: that is not a lack of progress
    assert "28.0%" in html  # AA-03 figure in both cycles


@pytest.mark.parametrize(
    "page", ["results", "benchmarks", "compare", "trend", "", "check", "dashboard"]
)
def test_results_pages_issue_a_constant_number_of_queries(client, alice, partnership_a, page):
    """Task list, check answers and the dashboard too: whatever the number of questions."""
    counts = []
    for size, version in ((2, "1"), (12, "2")):
        framework = make_framework(themes=3, questions_per_theme=size, version=version)
        first = make_assessment(
            partnership_a, framework, title=f"First {version}", period_end=date(2024, 3, 31)
        )
        second = make_assessment(
            partnership_a, framework, title=f"Second {version}", carried_from=first
        )
        for assessment in (first, second):
            answer_all(
                assessment,
                alice,
                {f"{t}-{i:02d}": "good" for t in ("AA", "BB", "CC") for i in range(1, size + 1)},
                na=(),
            )
        client.force_login(alice)
        url = (
            f"/partnerships/{partnership_a.code}/"
            if page == "dashboard"
            else f"/assessments/{second.code}/{page}"
        )
        client.get(url)  # draw and cache the charts
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
        first.partnership.assessments.all().delete()
    assert counts[0] == counts[1]


def test_the_trend_issues_a_constant_number_of_queries_whatever_the_number_of_cycles(
    client, alice, partnership_a
):
    framework = make_framework()
    counts = []
    previous = None
    for cycle in range(5):
        assessment = make_assessment(
            partnership_a,
            framework,
            title=f"Cycle {cycle}",
            period_end=date(2020 + cycle, 3, 31),
            carried_from=previous,
        )
        answer_all(assessment, alice, LEVELS)
        previous = assessment
        if cycle in (1, 4):
            client.force_login(alice)
            client.get(f"/assessments/{assessment.code}/trend")
            with CaptureQueriesContext(connection) as queries:
                assert client.get(f"/assessments/{assessment.code}/trend").status_code == 200
            counts.append(len(queries))
    assert counts[0] == counts[1]


def test_carried_over_answers_are_counted_confirmed_without_change_or_changed(
    client, alice, partnership_a
):
    from assessment import pdf
    from assessment.workflow import confirm_answers
    from tests.factories import start_next_cycle
    from tests.test_pdf import read
    from tests.test_workflow import change

    first = make_assessment(partnership_a)
    answer_all(first, alice, {"AA-01": "poor", "AA-02": "good", "BB-01": "established"})
    second = start_next_cycle(first, alice)
    questions = [a.question for a in second.answers.filter(question__code__in=["AA-01", "AA-02"])]
    confirm_answers(assessment=second, questions=questions[:1], user=alice)
    save_answers(
        assessment=second,
        changes=[change(second, "AA-02", "poor", version=1)],
        user=alice,
        agency="police",
    )
    client.force_login(alice)
    home = client.get(f"/assessments/{second.code}/").content.decode()
    assert "1 confirmed without change" in home
    html = client.get(f"/assessments/{second.code}/results").content.decode()
    table = html[html.index("Answers carried over") :]
    assert "Confirmed without change" in table
    cells = r"\s*<td[^>]*>{}</td>" * 4
    assert re.search(r"1\. Theme AA</th>" + cells.format(3, 1, 1, 1), table)
    assert re.search(r"2\. Theme BB</th>" + cells.format(2, 0, 0, 2), table)
    _, text = read(pdf.render_pdf(second))
    words = " ".join(text.split())
    assert "Answers carried over from Self-assessment 2025" in words
    assert (
        "5 answers carried over: 1 confirmed without change, 1 changed, 3 still to confirm" in words
    )


# Baselines are signed off ---------------------------------------------------------------------


def test_comparison_trend_and_board_summary_use_signed_off_cycles_only(
    client, alice, partnership_a
):
    from datetime import date

    from assessment import pdf
    from tests.factories import sign_off_as_is
    from tests.test_pdf import read

    framework = make_framework()
    # A stray draft from before (as an old bug could leave), then the cycle signed off.
    stray = make_assessment(
        partnership_a,
        framework,
        title="Stray draft",
        period_start=date(2023, 4, 1),
        period_end=date(2024, 3, 31),
    )
    answer_all(stray, alice, {"AA-01": "good", "AA-02": "good", "BB-01": "good"})
    signed = make_assessment(partnership_a, framework, title="Signed 2025")
    answer_all(signed, alice, {"AA-01": "poor", "AA-02": "poor", "BB-01": "poor"})
    sign_off_as_is(signed, alice)
    client.force_login(alice)
    compare_page = client.get(f"/assessments/{signed.code}/compare").content.decode()
    assert "Stray draft" not in compare_page
    assert client.get(f"/assessments/{signed.code}/compare?with={stray.code}").status_code == 404
    trend_page = client.get(f"/assessments/{signed.code}/trend").content.decode()
    assert "Stray draft" not in trend_page
    _, text = read(pdf.render_pdf(signed))
    assert "Stray draft" not in text and "Biggest declines" not in text


def test_a_draft_is_shown_on_the_trend_as_the_current_draft(client, alice, partnership_a):
    from tests.factories import sign_off_as_is, start_next_cycle

    first = make_assessment(partnership_a, title="Signed 2025")
    answer_all(first, alice, {"AA-01": "poor"})
    sign_off_as_is(first, alice)
    current = start_next_cycle(first, alice, title="Cycle 2026")
    client.force_login(alice)
    page = client.get(f"/assessments/{current.code}/trend").content.decode()
    assert "Signed 2025" in page and "Cycle 2026 (current draft)" in page
    signed_page = client.get(f"/assessments/{first.code}/trend").content.decode()
    assert "Cycle 2026" not in signed_page  # a signed-off cycle's trend is fixed
