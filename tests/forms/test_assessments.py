"""The start form's suggestion of the next period."""

from datetime import date

import pytest

from assessment.forms.assessments import next_period


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2024, 4, 1), date(2025, 3, 31), (date(2025, 4, 1), date(2026, 3, 31))),
        (date(2023, 4, 1), date(2024, 3, 31), (date(2024, 4, 1), date(2025, 3, 31))),  # leap
        (date(2027, 3, 1), date(2028, 2, 29), (date(2028, 3, 1), date(2029, 2, 28))),
        (date(2025, 1, 1), date(2025, 6, 30), (date(2025, 7, 1), date(2025, 12, 28))),  # 180 days
    ],
)
def test_the_next_period_follows_on_and_lasts_as_long(start, end, expected):
    assert next_period(start, end) == expected
