"""The comparison and the board summary: one read model each, rendered by the web pages and by
the PDF (read back with pypdf), which must therefore show the same figures."""

import re
from datetime import date
from html import unescape

import pytest

from assessment import pdf
from assessment.board_summary import board_summary
from assessment.comparison import Comparison, comparison_of
from assessment.models import Action, Status
from tests.factories import (
    found,
    make_assessment,
    make_framework,
    sign_off_as_is,
    start_next_cycle,
)
from tests.test_pdf import read
from tests.test_snapshots import V1, V2, signed_from_fixture
from tests.views.test_results import answer_all, next_year_on_version_2

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def words(text: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", text)).split())


def figures_shown(summary) -> list[str]:
    """Every figure of the board summary, written as both the page and the PDF write it."""
    shown = [
        f"{t.theme.order}. {t.theme.title} "
        + (f"{t.result.percentage:.0f}%" if t.result.percentage is not None else "\u2013")
        for t in summary.themes
    ]
    shown.append(
        f"{len(summary.open_challenges)} open, {len(summary.challenges)} in all"
        if summary.challenges
        else "0 open, 0 in all"
    )
    shown.append(
        f"{summary.not_started} not started, {summary.in_progress} in progress, "
        f"of {len(summary.actions)} in the plan"
    )
    since = summary.since
    if since is not None:
        shown.append(f"Since {since.older_label}")
        shown += [f"{t.theme.title} (up {t.delta:.0f} points)" for t in since.improvements]
        shown += [f"{t.theme.title} (down {-t.delta:.0f} points)" for t in since.declines]
        shown.append(
            f"{since.improved} improved, {since.declined} declined, "
            f"{since.unchanged} unchanged, {since.newly_answered} newly answered"
        )
    return shown


def compared(comparison: Comparison | None) -> Comparison:
    """The comparison the test's cycles imply there is (the test fails when there is none)."""
    assert comparison is not None, "no signed-off cycle to compare with"
    return comparison


def overall(page: str, report: str) -> tuple[str, str]:
    web = found(r"Overall (?:\S+ ){0,4}?(\d+%|No score yet)", page).group(1)
    paper = re.search(r"Overall: (\d+%)", report)
    return web, paper.group(1) if paper else "No score yet"


def assert_page_and_pdf_agree(client, user, assessment) -> None:
    summary = board_summary(assessment)
    client.force_login(user)
    page = words(client.get(f"/assessments/{assessment.code}/results").content.decode())
    _, text = read(pdf.render_pdf(assessment))
    report = words(text)
    for figure in figures_shown(summary):
        assert figure in page, figure
        assert figure in report, figure
    expected = (
        f"{summary.result.percentage:.0f}%"
        if summary.result.percentage is not None
        else "No score yet"
    )
    assert overall(page, report) == (expected, expected)


# The comparison as a unit --------------------------------------------------------------------


def test_a_comparison_uses_only_a_signed_off_cycle_as_its_baseline(alice, partnership_a):
    framework = make_framework()
    stray = make_assessment(
        partnership_a,
        framework,
        title="Stray draft",
        period_start=date(2023, 4, 1),
        period_end=date(2024, 3, 31),
    )
    answer_all(stray, alice, {"AA-01": "good"})
    current = make_assessment(partnership_a, framework, title="This year")
    answer_all(current, alice, {"AA-01": "poor"})
    assert comparison_of(current) is None  # the draft before it is no baseline
    with pytest.raises(ValueError, match="signed-off"):
        comparison_of(current, stray)
    sign_off_as_is(stray, alice)
    stray.refresh_from_db()
    comparison = compared(comparison_of(current))
    assert comparison.older == stray and comparison.newer == current


def test_a_draft_in_a_comparison_is_labelled_the_current_draft(alice, partnership_a):
    first = make_assessment(partnership_a, title="Signed 2025")
    answer_all(first, alice, {"AA-01": "poor", "AA-02": "poor"})
    current = start_next_cycle(first, alice, title="Cycle 2026")
    answer_all(current, alice, {"AA-01": "good", "AA-02": "poor"})
    comparison = compared(comparison_of(current))
    assert comparison.older_label == "Signed 2025"
    assert comparison.newer_label == "Cycle 2026 (current draft)"
    assert comparison.improved == 1 and comparison.unchanged >= 1
    assert [t.theme.code for t in comparison.improvements] == ["AA"]
    assert comparison.declines == ()


def test_a_comparison_across_versions_uses_only_unchanged_questions(alice, partnership_a):
    first = make_assessment(partnership_a)
    answer_all(first, alice, {"AA-01": "good", "AA-02": "developing", "BB-01": "established"})
    carry = {"AA-02": {"mode": "none"}, "AA-01": {"mode": "map", "options": {"4": 3}}}
    later = next_year_on_version_2(first, alice, carry)
    comparison = compared(comparison_of(later))
    like_for_like = comparison.like_for_like
    assert like_for_like is not None and like_for_like.versions == ("1.0", "2.0")
    # AA-01's options were remapped and AA-02 was reworded: neither is compared.
    assert {q.code for q in comparison.questions} == {"AA-03", "BB-01", "BB-02"}
    assert like_for_like.compared == 3
    aa = next(t for t in comparison.themes if t.theme.code == "AA")
    assert aa.delta == pytest.approx(100 * (3 / 3 - 1 / 3))  # AA-03 alone: developing -> good


def test_a_comparison_marks_the_questions_an_action_was_raised_for(alice, partnership_a):
    first = make_assessment(partnership_a)
    answer_all(first, alice, {"AA-01": "poor", "AA-02": "poor"})
    Action.objects.create(
        assessment=first,
        raised_in=first,
        agency="police",
        description="Map the networks",
        due="2025-12-31",
        question_codes=["AA-01"],
    )
    later = start_next_cycle(first, alice, title="Next year")
    answer_all(later, alice, {"AA-01": "good", "AA-02": "poor"})
    comparison = compared(comparison_of(later))
    assert [q.code for q in comparison.with_actions] == ["AA-01"]
    assert comparison.actions_improved == 1


# The board summary as a unit -----------------------------------------------------------------


def test_the_board_summary_compares_with_the_latest_signed_off_cycle_only(alice, partnership_a):
    framework = make_framework()
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
    signed.refresh_from_db()
    assert board_summary(signed).since is None
    current = make_assessment(
        partnership_a,
        framework,
        title="Cycle 2026",
        period_start=date(2025, 4, 1),
        period_end=date(2026, 3, 31),
    )
    answer_all(current, alice, {"AA-01": "good", "AA-02": "poor", "BB-01": "poor"})
    summary = board_summary(current)
    since = compared(summary.since)
    assert since.older == signed and not summary.frozen
    assert [t.theme.code for t in since.improvements] == ["AA"]


def test_a_signed_off_board_summary_reads_its_snapshot(alice, partnership_a):
    assessment = signed_from_fixture(partnership_a, alice)
    summary = board_summary(assessment)
    assert summary.frozen and summary.assessment.status == Status.SIGNED_OFF
    assert summary.result.percentage == pytest.approx(38, abs=0.5)
    assert len(summary.actions) == 1 and not Action.objects.exists()
    assert summary.as_of == date(2026, 12, 1)


# The page and the PDF agree -----------------------------------------------------------------


def test_the_results_page_and_the_pdf_show_the_same_board_summary(client, alice, partnership_a):
    first = make_assessment(partnership_a, title="Signed 2025")
    answer_all(first, alice, {"AA-01": "good", "AA-02": "developing", "BB-01": "established"})
    later = start_next_cycle(first, alice, title="Cycle 2026")
    answer_all(later, alice, {"AA-01": "good", "AA-02": "good", "BB-01": "poor"})
    summary = board_summary(later)
    since = compared(summary.since)
    assert since.improvements and since.declines  # both lists are drawn
    assert_page_and_pdf_agree(client, alice, later)


def test_the_sign_off_page_shows_the_board_summarys_figures(client, alice, partnership_a):
    from tests.factories import put_in_review

    first = make_assessment(partnership_a, title="Signed 2025")
    answer_all(first, alice, {"AA-01": "good", "AA-02": "developing", "BB-01": "established"})
    later = start_next_cycle(first, alice, title="Cycle 2026")
    answer_all(later, alice, {"AA-01": "poor", "AA-02": "good", "BB-01": "poor"})
    put_in_review(later)
    summary = board_summary(later)
    client.force_login(alice)
    page = words(client.get(f"/assessments/{later.code}/sign-off").content.decode())
    _, text = read(pdf.render_pdf(later))
    report = words(text)
    overall = f"{summary.result.percentage:.0f}%"
    assert f"Overall rating {overall}" in page and f"Overall: {overall}" in report
    since = compared(summary.since)
    assert since.declines
    for t in (*since.improvements, *since.declines):
        assert t.delta is not None  # a change up or down has a score in both cycles
        change = f"up {t.delta:.0f}" if t.delta > 0 else f"down {-t.delta:.0f}"
        assert f"{t.theme.title} ({change} points)" in page
        assert f"{t.theme.title} ({change} points)" in report
    for item in summary.critical:
        assert item.question.code in page and item.question.code in report


def test_the_page_and_the_pdf_agree_across_framework_versions(client, alice, partnership_a):
    first = make_assessment(partnership_a)
    answer_all(first, alice, {"AA-01": "good", "AA-02": "developing", "BB-01": "established"})
    carry = {"AA-02": {"mode": "none"}}
    later = next_year_on_version_2(first, alice, carry)
    assert compared(board_summary(later).since).like_for_like is not None
    assert_page_and_pdf_agree(client, alice, later)


@pytest.mark.parametrize("fixture", [V1, V2], ids=["version 1", "version 2"])
def test_the_page_and_the_pdf_agree_for_a_stored_snapshot(client, alice, partnership_a, fixture):
    older = signed_from_fixture(partnership_a, alice, fixture)
    assert_page_and_pdf_agree(client, alice, older)
    newer = make_assessment(
        partnership_a,
        older.framework,
        title="Self-assessment 2025 to 2026",
        period_start=older.period_end,
        period_end=older.period_end.replace(year=older.period_end.year + 1),
    )
    answer_all(newer, alice, {"AA-01": "good", "AA-02": "good", "BB-02": "good"})
    assert compared(board_summary(newer).since).older == older
    assert_page_and_pdf_agree(client, alice, newer)


CHANGES = (
    "Improved|Declined|Unchanged|Newly answered|No longer answered|Not answered|Does not apply"
)


def changes_in(table: str, codes: list[str]) -> dict[str, str]:
    """Each question's change as a table shows it: the last change named in its row."""
    found = {}
    for code, following in zip(codes, [*codes[1:], None], strict=True):
        start = table.index(f"{code} ")
        row = table[start : table.index(f"{following} ", start) if following else None]
        found[code] = re.findall(CHANGES, row)[-1].lower()
    return found


def test_the_compare_page_and_the_pdf_show_the_same_question_changes(client, alice, partnership_a):
    first = make_assessment(partnership_a, title="Signed 2025")
    answer_all(first, alice, {"AA-01": "good", "AA-02": "developing", "BB-01": "established"})
    later = start_next_cycle(first, alice, title="Cycle 2026")
    answer_all(later, alice, {"AA-01": "established", "AA-02": "good", "BB-01": "poor"})
    comparison = compared(comparison_of(later))
    client.force_login(alice)
    page = words(client.get(f"/assessments/{later.code}/compare").content.decode())
    _, text = read(pdf.render_pdf(later))
    report = words(text)
    report = report[report.index("Compared with Signed 2025") :]
    assert "From Signed 2025 to Cycle 2026 (current draft)" in page
    assert "Cycle 2026 (current draft) Change" in report
    codes = [q.code for q in comparison.questions]
    expected = {q.code: q.change for q in comparison.questions}
    assert {"improved", "declined"} <= set(expected.values())
    assert changes_in(page[page.index("Questions Question") :], codes) == expected
    assert changes_in(report, codes) == expected
