"""Personal data checks: each kind is found, and ordinary practice text is left alone."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.pii import find_personal_data, nhs_number_is_valid
from tests.properties import examples


def kinds(text: str) -> list[str]:
    return [f.kind for f in find_personal_data(text)]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Contact jo.bloggs@school.example.org for the list", "email"),
        ("Her mobile is 07700 900123.", "phone"),
        ("Call +44 7700 900123 after 5pm", "phone"),
        ("Ring 020 7946 0018", "phone"),
        ("NHS no 943 476 5919 was on the referral", "nhs_number"),
        ("DOB 12/03/2009", "date_of_birth"),
        ("date of birth: 3 March 2010", "date_of_birth"),
        ("lives at SW1A 1AA with her aunt", "postcode"),
        ("lives near cf10 3nq", "postcode"),
        ("Jane Smith (14/02/2008) was discussed at the meeting", "name_and_date"),
        ("On 1 May 2022 we met Kyle Brown to discuss the case", "name_and_date"),
    ],
)
def test_it_finds_each_kind_of_personal_detail(text, kind):
    assert kind in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "Our 2023 multi-agency audit of 40 cases found that 35% lacked ethnicity data.",
        "The MACE panel meets monthly; minutes are kept by the Safeguarding Children Partnership.",
        "Tower Hamlets and St Helens were praised in Annex 4 para 62 (report published 1 February 2022).",
        "Children's Social Care reviewed 1,900 records between 01/04/2022 and 31/03/2023.",
        "We flagged 12 of 114 children; 3 were boys.",
        "Return home interviews were offered within 72 hours in 88% of 1234567890 episodes",
    ],
)
def test_ordinary_practice_text_raises_no_warning(text):
    assert find_personal_data(text) == []


def test_an_invalid_nhs_number_is_not_reported_as_one():
    assert nhs_number_is_valid("9434765919")
    assert not nhs_number_is_valid("9434765918")
    assert "nhs_number" not in kinds("reference 943 476 5918")


def test_a_check_digit_of_ten_is_never_valid():
    # 000 000 006: 6 x 2 = 12, remainder 1, so the check digit would have to be 10.
    assert not any(nhs_number_is_valid(f"000000006{d}") for d in range(10))


def test_empty_text_is_fine():
    assert find_personal_data("") == []


def test_a_name_exactly_forty_characters_from_a_date_is_reported():
    gap = " " * 40
    assert kinds(f"Kyle Brown{gap}1/2/2020") == ["name_and_date"]
    assert kinds(f"1/2/2020{gap}Kyle Brown") == ["name_and_date"]


def test_a_name_forty_one_characters_from_a_date_is_not():
    gap = " " * 41
    assert kinds(f"Kyle Brown{gap}1/2/2020") == []
    assert kinds(f"1/2/2020{gap}Kyle Brown") == []


def _near_any_date(text: str) -> list[str]:
    """The rule stated plainly (every name against every date), to check the fast lookup."""
    from assessment.pii import _ANY_DATE, _NAME, _NOT_NAMES, NEAR

    dates = [m.span() for m in _ANY_DATE.finditer(text)]
    return [
        m.group(0)
        for m in _NAME.finditer(text)
        if m.group(1).lower() not in _NOT_NAMES
        and m.group(2).lower() not in _NOT_NAMES
        and any(abs(s - m.end()) <= NEAR or abs(m.start() - e) <= NEAR for s, e in dates)
    ]


@given(
    st.lists(
        st.sampled_from(["Kyle Brown", "Jo Bloggs", "1/2/2020", "3 May 2021", " ", "x" * 17, ". "]),
        max_size=30,
    )
)
@settings(max_examples=examples(200))
def test_names_beside_dates_are_found_as_the_plain_rule_says(parts):
    from assessment.pii import _names_near_dates

    text = "".join(parts)
    assert _names_near_dates(text) == _near_any_date(text)
