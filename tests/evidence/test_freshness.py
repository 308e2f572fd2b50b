"""Freshness and coverage: pure functions of dates and scores, one boundary per test."""

from datetime import date

from assessment.evidence import Coverage, Dated, coverage, is_out_of_date, months_before
from assessment.scoring import QuestionResult, Result, ThemeResult

CYCLE = date(2025, 4, 1)
TODAY = date(2025, 6, 1)


def out(item: Dated, limit: int | None = 12, as_of: date = TODAY) -> bool:
    return is_out_of_date(item, cycle_start=CYCLE, limit_months=limit, as_of=as_of)


def test_an_item_is_current_on_its_review_by_date():
    assert not out(Dated(produced=date(2025, 1, 1), review_by=TODAY))


def test_an_item_is_out_of_date_the_day_after_its_review_by_date():
    assert out(Dated(produced=date(2025, 1, 1), review_by=date(2025, 5, 31)))


def test_a_period_ending_exactly_the_limit_before_the_cycle_is_current():
    assert not out(Dated(produced=date(2024, 6, 1), period_end=date(2024, 4, 1)))


def test_a_period_ending_a_day_before_the_limit_is_out_of_date():
    assert out(Dated(produced=date(2024, 6, 1), period_end=date(2024, 3, 31)))


def test_without_a_period_the_date_produced_counts():
    assert out(Dated(produced=date(2024, 3, 31)))
    assert not out(Dated(produced=date(2024, 4, 1)))


def test_the_period_wins_over_a_recent_production_date():
    assert out(Dated(produced=date(2025, 3, 1), period_end=date(2023, 12, 31)))


def test_without_a_limit_only_the_review_by_date_makes_an_item_out_of_date():
    assert not out(Dated(produced=date(2010, 1, 1)), limit=None)


def test_months_are_calendar_months_ending_on_the_last_day_of_a_shorter_month():
    assert months_before(date(2025, 3, 31), 1) == date(2025, 2, 28)
    assert months_before(date(2024, 3, 31), 1) == date(2024, 2, 29)
    assert months_before(date(2025, 1, 15), 13) == date(2023, 12, 15)


def test_a_signed_off_cycle_is_judged_on_its_sign_off_day_not_today():
    item = Dated(produced=date(2025, 1, 1), review_by=date(2025, 7, 1))
    assert not out(item, as_of=date(2025, 6, 30))
    assert out(item, as_of=date(2025, 7, 2))


def q(code: str, level: str | None, na: bool = False) -> QuestionResult:
    return QuestionResult(code, "AA", 1, False, level, not_applicable=na)


def result(*questions: QuestionResult) -> Result:
    theme = ThemeResult("AA", tuple(questions), 3, 2, 1, 50.0, "developing", ())
    return Result((theme,), 50.0, "developing", ())


def test_coverage_counts_scored_answers_with_at_least_one_current_item():
    current = Dated(produced=date(2025, 1, 1))
    stale = Dated(produced=date(2020, 1, 1))
    found = coverage(
        result(q("AA-01", "good"), q("AA-02", "poor"), q("AA-03", None, na=True)),
        {"AA-01": [stale, current], "AA-02": [stale], "AA-03": [current]},
        limits={"AA-01": 12, "AA-02": 12, "AA-03": 12},
        cycle_start=CYCLE,
        as_of=TODAY,
    )
    # AA-03 is not applicable: not scored, so not counted, though its item is current.
    assert found["AA"] == Coverage(scored=2, covered=1, out_of_date=2)
    assert found["AA"].percentage == 50
    assert found["AA"].label == "1 of 2 scored answers have current evidence"


def test_an_item_out_of_date_under_one_questions_limit_may_be_current_for_another():
    item = Dated(produced=date(2023, 6, 1))
    found = coverage(
        result(q("AA-01", "good"), q("AA-02", "good")),
        {"AA-01": [item], "AA-02": [item]},
        limits={"AA-01": 12, "AA-02": 24},
        cycle_start=CYCLE,
        as_of=TODAY,
    )
    assert found["AA"] == Coverage(scored=2, covered=1, out_of_date=1)


def test_a_theme_without_scored_answers_has_no_coverage_percentage():
    found = coverage(result(q("AA-01", None)), {}, limits={}, cycle_start=CYCLE, as_of=TODAY)
    assert found["AA"].percentage is None and found["AA"].label == "No scored answers"
