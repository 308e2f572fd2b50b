"""Scoring rules, one boundary per test, and their properties. No database."""

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.scoring import (
    NOT_ENOUGH_EVIDENCE,
    RATING_ORDER,
    AnswerData,
    QuestionSpec,
    band,
    compare_with_benchmarks,
    months_between,
    rating_for,
    restrict,
    score,
    score_question,
)
from tests.properties import examples

TODAY = date(2025, 6, 30)
LADDER = {1: ("poor", 0), 2: ("developing", 1), 3: ("established", 2), 4: ("good", 3)}
LOWER = {"direction": "lower", "good": 5, "established": 15, "developing": 30}
HIGHER = {"direction": "higher", "good": 24, "established": 12, "developing": 6}


def single(code="AA-01", theme="AA", weight=1, critical=False, na_allowed=True):
    return QuestionSpec(code, theme, "single", weight, critical, LADDER, na_allowed=na_allowed)


def chose(code, level):
    return AnswerData(code, selected=(next(k for k, (lvl, _) in LADDER.items() if lvl == level),))


# Question rules ---------------------------------------------------------------------------


def test_a_single_choice_takes_its_options_level_and_points():
    result = score_question(single(), chose("AA-01", "established"), TODAY)
    assert (result.level, result.points, result.earned, result.possible) == ("established", 2, 2, 3)


def test_weight_multiplies_earned_and_possible_points():
    result = score_question(single(weight=3), chose("AA-01", "developing"), TODAY)
    assert (result.earned, result.possible) == (3, 9)


def test_an_unanswered_question_scores_nothing_either_side():
    result = score_question(single(), None, TODAY)
    assert (result.level, result.earned, result.possible) == (None, 0, 0)


def test_not_applicable_scores_nothing_either_side():
    result = score_question(single(), AnswerData("AA-01", not_applicable=True), TODAY)
    assert result.not_applicable and (result.earned, result.possible) == (0, 0)


def test_an_option_of_another_question_is_ignored():
    assert score_question(single(), AnswerData("AA-01", selected=(99,)), TODAY).level is None


def test_an_unbanded_count_is_not_scored():
    spec = QuestionSpec("AA-02", "AA", "count")
    assert not spec.scored
    assert score_question(spec, AnswerData("AA-02", number=4), TODAY).level is None


def test_an_indicator_with_a_zero_denominator_has_no_level():
    spec = QuestionSpec("AA-03", "AA", "indicator", bands=LOWER)
    assert (
        score_question(spec, AnswerData("AA-03", numerator=0, denominator=0), TODAY).level is None
    )


# Bands: each boundary --------------------------------------------------------------------


def test_lower_is_better_boundaries():
    assert band(5, LOWER) == "good"
    assert band(5.01, LOWER) == "established"
    assert band(15, LOWER) == "established"
    assert band(30, LOWER) == "developing"
    assert band(30.01, LOWER) == "poor"


def test_higher_is_better_boundaries():
    assert band(24, HIGHER) == "good"
    assert band(23.9, HIGHER) == "established"
    assert band(12, HIGHER) == "established"
    assert band(6, HIGHER) == "developing"
    assert band(5.9, HIGHER) == "poor"


def test_an_indicator_is_banded_on_its_percentage():
    spec = QuestionSpec("AA-03", "AA", "indicator", bands=LOWER)
    result = score_question(spec, AnswerData("AA-03", numerator=3, denominator=20), TODAY)
    assert (result.value, result.level) == (15.0, "established")


def test_an_indicator_per_10000_is_banded_on_its_rate_per_10000():
    bands = {"direction": "higher", "good": 20, "established": 10, "developing": 5}
    spec = QuestionSpec("AA-03", "AA", "indicator", bands=bands, per=10_000)
    result = score_question(spec, AnswerData("AA-03", numerator=3, denominator=2000), TODAY)
    assert (result.value, result.level) == (15.0, "established")


def test_an_indicator_is_per_100_unless_the_framework_says_otherwise():
    assert QuestionSpec("AA-03", "AA", "indicator").per == 100


def test_a_multiple_choice_is_banded_on_the_points_of_the_practices_ticked():
    options = {1: ("good", 2), 2: ("good", 2), 3: ("poor", 0)}
    bands = {"direction": "higher", "good": 4, "established": 2, "developing": 1}
    spec = QuestionSpec("AA-04", "AA", "multiple", options=options, bands=bands)
    assert score_question(spec, AnswerData("AA-04", selected=(1, 2)), TODAY).level == "good"
    assert score_question(spec, AnswerData("AA-04", selected=(1, 3)), TODAY).level == "established"
    assert score_question(spec, AnswerData("AA-04", selected=(3,)), TODAY).level == "poor"


def test_a_date_is_banded_on_whole_months_since_it():
    spec = QuestionSpec(
        "AA-05",
        "AA",
        "date",
        bands={"direction": "lower", "good": 12, "established": 18, "developing": 24},
    )
    assert (
        score_question(spec, AnswerData("AA-05", date_value=date(2024, 6, 30)), TODAY).level
        == "good"
    )
    assert (
        score_question(spec, AnswerData("AA-05", date_value=date(2024, 5, 29)), TODAY).level
        == "established"
    )


def test_months_between_counts_whole_months():
    assert months_between(date(2024, 1, 31), date(2024, 2, 29)) == 0
    assert months_between(date(2024, 1, 15), date(2024, 2, 15)) == 1
    assert months_between(date(2025, 1, 1), date(2024, 1, 1)) == 0


# Themes and overall ------------------------------------------------------------------------


def two_questions(levels, weights=(1, 1), critical=(False, False)):
    specs = [
        single(f"AA-0{i + 1}", weight=w, critical=c)
        for i, (w, c) in enumerate(zip(weights, critical, strict=True))
    ]
    answers = [chose(f"AA-0{i + 1}", lvl) for i, lvl in enumerate(levels) if lvl]
    return score(specs, answers, TODAY)


def test_a_theme_score_is_weighted_points_over_weighted_maximum():
    result = two_questions(["good", "poor"], weights=(2, 1))
    assert result.theme("AA").percentage == 100 * 6 / 9


def test_rating_thresholds():
    assert rating_for(75) == "good" and rating_for(74.99) == "established"
    assert rating_for(50) == "established" and rating_for(49.99) == "developing"
    assert rating_for(25) == "developing" and rating_for(24.99) == "poor"


def test_half_the_questions_answered_is_enough_evidence():
    assert two_questions(["good", None]).theme("AA").rating == "good"


def test_fewer_than_half_answered_is_not_enough_evidence():
    specs = [single(f"AA-0{i}") for i in range(1, 4)]
    result = score(specs, [chose("AA-01", "good")], TODAY)
    assert result.theme("AA").rating == NOT_ENOUGH_EVIDENCE
    assert result.theme("AA").percentage == 100.0  # still shown, but not as a rating


def test_not_applicable_questions_leave_the_denominator_and_count_towards_completeness():
    specs = [single(f"AA-0{i}") for i in range(1, 4)]
    answers = [
        chose("AA-01", "good"),
        AnswerData("AA-02", not_applicable=True),
        AnswerData("AA-03", not_applicable=True),
    ]
    theme = score(specs, answers, TODAY).theme("AA")
    assert theme.percentage == 100.0 and theme.rating == "good" and theme.completeness == 1.0


def test_a_theme_entirely_not_applicable_has_not_enough_evidence():
    theme = score([single()], [AnswerData("AA-01", not_applicable=True)], TODAY).theme("AA")
    assert theme.rating == NOT_ENOUGH_EVIDENCE


def test_a_critical_poor_answer_puts_the_theme_in_the_lowest_band():
    result = two_questions(["poor", "good"], weights=(1, 3), critical=(True, False))
    assert result.theme("AA").percentage == 75.0
    assert result.theme("AA").rating == "poor"
    assert result.critical_findings == ("AA-01",)


def test_a_critical_question_answered_well_is_no_finding():
    assert two_questions(["developing", "good"], critical=(True, False)).critical_findings == ()


def test_a_critical_finding_holds_the_overall_rating_to_developing_at_best():
    specs = [single("AA-01", critical=True), single("BB-01", "BB"), single("BB-02", "BB", weight=3)]
    answers = [chose("AA-01", "poor"), chose("BB-01", "good"), chose("BB-02", "good")]
    result = score(specs, answers, TODAY)
    assert result.percentage == 100 * 12 / 15 and result.rating == "developing"


# Critical questions not answered ---------------------------------------------------------


def critical_and_good(critical_answer, na_allowed=False):
    """AA-01 critical (weight 1), AA-02 and AA-03 answered good: well covered without AA-01."""
    specs = [
        single("AA-01", critical=True, na_allowed=na_allowed),
        single("AA-02"),
        single("AA-03"),
    ]
    answers = [chose("AA-02", "good"), chose("AA-03", "good")]
    if critical_answer is not None:
        answers.append(critical_answer)
    return score(specs, answers, TODAY)


def test_an_unanswered_critical_question_is_listed_as_not_answered():
    result = critical_and_good(None)
    assert result.theme("AA").critical_not_answered == ("AA-01",)
    assert result.critical_not_answered == ("AA-01",)


def test_an_unanswered_critical_question_leaves_its_theme_without_a_rating():
    theme = critical_and_good(None).theme("AA")
    assert theme.percentage == 100.0 and theme.rating == NOT_ENOUGH_EVIDENCE


def test_an_answer_without_a_choice_to_a_critical_question_is_not_answered():
    result = critical_and_good(AnswerData("AA-01"))  # evidence only, no option chosen
    assert result.critical_not_answered == ("AA-01",)


def test_a_critical_question_marked_not_applicable_where_not_allowed_is_not_answered():
    result = critical_and_good(AnswerData("AA-01", not_applicable=True), na_allowed=False)
    assert result.critical_not_answered == ("AA-01",)
    assert result.theme("AA").rating == NOT_ENOUGH_EVIDENCE


def test_a_critical_question_marked_not_applicable_where_allowed_is_not_listed():
    result = critical_and_good(AnswerData("AA-01", not_applicable=True), na_allowed=True)
    assert result.critical_not_answered == ()
    assert result.theme("AA").rating == "good"


def test_a_critical_question_answered_is_not_listed():
    result = critical_and_good(chose("AA-01", "developing"))
    assert result.critical_not_answered == () and result.theme("AA").rating == "good"


def test_an_unanswered_question_that_is_not_critical_is_not_listed():
    specs = [single("AA-01"), single("AA-02"), single("AA-03")]
    result = score(specs, [chose("AA-02", "good"), chose("AA-03", "good")], TODAY)
    assert result.critical_not_answered == () and result.theme("AA").rating == "good"


def test_a_critical_finding_still_makes_a_theme_with_a_critical_question_not_answered_poor():
    specs = [single("AA-01", critical=True), single("AA-02", critical=True), single("AA-03")]
    theme = score(specs, [chose("AA-02", "poor"), chose("AA-03", "good")], TODAY).theme("AA")
    assert theme.rating == "poor"
    assert theme.critical_findings == ("AA-02",) and theme.critical_not_answered == ("AA-01",)


def test_a_critical_question_not_answered_holds_the_overall_rating_to_developing_at_best():
    specs = [single("AA-01", critical=True), single("BB-01", "BB"), single("BB-02", "BB")]
    result = score(specs, [chose("BB-01", "good"), chose("BB-02", "good")], TODAY)
    assert result.percentage == 100.0 and result.rating == "developing"


def test_the_rating_order_puts_not_enough_evidence_level_with_poor():
    assert RATING_ORDER[NOT_ENOUGH_EVIDENCE] == RATING_ORDER["poor"] == 0
    assert [RATING_ORDER[r] for r in ("developing", "established", "good")] == [1, 2, 3]


def test_the_overall_score_pools_every_answered_question():
    specs = [single("AA-01"), single("BB-01", "BB", weight=2)]
    result = score(specs, [chose("AA-01", "good"), chose("BB-01", "developing")], TODAY)
    assert result.percentage == 100 * (3 + 2) / 9


def test_unscored_questions_do_not_count_towards_coverage():
    specs = [single(), QuestionSpec("AA-02", "AA", "text"), QuestionSpec("AA-03", "AA", "text")]
    assert score(specs, [chose("AA-01", "good")], TODAY).theme("AA").rating == "good"


def test_restricting_a_result_counts_only_the_kept_questions_under_their_new_codes():
    specs = [single("AA-01"), single("AA-02", weight=2), single("BB-01", "BB")]
    result = score(specs, [chose("AA-01", "good"), chose("AA-02", "poor")], TODAY)
    kept = restrict(result, {"AA-01": ("AA-01", "AA"), "BB-01": ("CC-05", "CC")})
    assert [t.code for t in kept.themes] == ["AA", "CC"]
    assert kept.theme("AA").percentage == 100.0 and kept.theme("AA").scored_total == 1
    assert kept.question("CC-05").level is None
    assert kept.percentage == 100.0 and result.percentage == 100 * 3 / 9


def test_benchmark_comparison_respects_the_direction_of_better():
    figures = [("Durham", 35.0), ("Swansea", 28.0), ("Bristol", 10.0)]
    assert compare_with_benchmarks(28.0, figures, "lower") == {
        "better_than": ["Durham"],
        "worse_than": ["Bristol"],
        "same_as": ["Swansea"],
    }
    assert compare_with_benchmarks(28.0, figures, "higher")["better_than"] == ["Bristol"]


# Properties --------------------------------------------------------------------------------

levels = st.sampled_from(["poor", "developing", "established", "good", None, "n/a"])


@st.composite
def assessments(draw):
    count = draw(st.integers(1, 12))
    specs = [
        single(
            f"{theme}-{i:02d}",
            theme,
            draw(st.integers(1, 3)),
            draw(st.booleans()),
            draw(st.booleans()),
        )
        for i in range(count)
        for theme in [draw(st.sampled_from(["AA", "BB", "CC"]))]
    ]
    chosen = {s.code: draw(levels) for s in specs}
    return specs, chosen


def answers_for(chosen: dict) -> list[AnswerData]:
    out = []
    for code, level in chosen.items():
        if level == "n/a":
            out.append(AnswerData(code, not_applicable=True))
        elif level:
            out.append(chose(code, level))
    return out


@settings(max_examples=examples(300), deadline=None)
@given(assessments())
def test_scores_stay_between_0_and_100(case):
    specs, chosen = case
    result = score(specs, answers_for(chosen), TODAY)
    for value in [result.percentage, *(t.percentage for t in result.themes)]:
        assert value is None or 0 <= value <= 100
    for theme in result.themes:
        assert 0 <= theme.completeness <= 1


@settings(max_examples=examples(300), deadline=None)
@given(assessments(), st.data())
def test_improving_one_answer_never_lowers_its_theme_or_the_overall_score(case, data):
    specs, chosen = case
    answered = [
        code for code, level in chosen.items() if level in ("poor", "developing", "established")
    ]
    if not answered:
        return
    code = data.draw(st.sampled_from(answered))
    ladder = ["poor", "developing", "established", "good"]
    better = data.draw(st.sampled_from(ladder[ladder.index(chosen[code]) + 1 :]))
    before = score(specs, answers_for(chosen), TODAY)
    after = score(specs, answers_for({**chosen, code: better}), TODAY)
    theme = code.split("-")[0]
    assert after.percentage is not None and before.percentage is not None
    assert after.percentage >= before.percentage
    after_theme, before_theme = after.theme(theme).percentage, before.theme(theme).percentage
    assert after_theme is not None and before_theme is not None
    assert after_theme >= before_theme
    # Ratings rise with the score. "Not enough evidence" is not a rung of the ladder: a theme
    # rated poor only because of a critical finding becomes "not enough evidence" when that
    # answer improves and too few others are answered, which is not a worse judgement.
    order = ["poor", "developing", "established", "good"]
    for b, a in (
        (before.theme(theme).rating, after.theme(theme).rating),
        (before.rating, after.rating),
    ):
        if NOT_ENOUGH_EVIDENCE not in (a, b):
            assert order.index(a) >= order.index(b)


@settings(max_examples=examples(300), deadline=None)
@given(assessments(), st.data())
def test_marking_a_question_not_applicable_leaves_every_other_contribution_alone(case, data):
    specs, chosen = case
    code = data.draw(st.sampled_from(sorted(chosen)))
    before = score(specs, answers_for(chosen), TODAY)
    after = score(specs, answers_for({**chosen, code: "n/a"}), TODAY)
    for spec in specs:
        if spec.code != code:
            b, a = before.question(spec.code), after.question(spec.code)
            assert (b.earned, b.possible, b.level) == (a.earned, a.possible, a.level)
    assert (after.question(code).earned, after.question(code).possible) == (0, 0)


@settings(max_examples=examples(200), deadline=None)
@given(assessments(), st.data())
def test_a_critical_poor_answer_always_yields_the_lowest_band(case, data):
    specs, chosen = case
    critical = [s.code for s in specs if s.critical]
    if not critical:
        return
    code = data.draw(st.sampled_from(critical))
    result = score(specs, answers_for({**chosen, code: "poor"}), TODAY)
    assert result.theme(code.split("-")[0]).rating == "poor"
    assert code in result.critical_findings
    assert result.rating in ("poor", "developing", NOT_ENOUGH_EVIDENCE)


@settings(max_examples=examples(200), deadline=None)
@given(assessments(), st.randoms())
def test_the_result_does_not_depend_on_the_order_of_answers(case, random):
    specs, chosen = case
    answers = answers_for(chosen)
    shuffled = list(answers)
    random.shuffle(shuffled)
    assert score(specs, answers, TODAY) == score(specs, shuffled, TODAY)


@settings(max_examples=examples(300), deadline=None)
@given(assessments(), st.data())
def test_marking_a_critical_question_not_applicable_never_beats_answering_it_poor(case, data):
    """Where the framework does not allow N/A for a critical question, ticking it can never rate
    a theme above the same answers with that question answered at the lowest level."""
    specs, chosen = case
    codes = [s.code for s in specs if s.critical and not s.na_allowed]
    if not codes:
        return
    code = data.draw(st.sampled_from(codes))
    theme = code.split("-")[0]
    hidden = score(specs, answers_for({**chosen, code: "n/a"}), TODAY)
    honest = score(specs, answers_for({**chosen, code: "poor"}), TODAY)
    assert RATING_ORDER[hidden.theme(theme).rating] <= RATING_ORDER[honest.theme(theme).rating]
    assert code in hidden.critical_not_answered
    assert hidden.rating in ("poor", "developing", NOT_ENOUGH_EVIDENCE)


@settings(max_examples=examples(300), deadline=None)
@given(assessments())
def test_every_critical_question_without_a_level_is_listed_unless_na_is_allowed(case):
    specs, chosen = case
    result = score(specs, answers_for(chosen), TODAY)
    expected = {
        s.code
        for s in specs
        if s.critical and (chosen[s.code] is None or (chosen[s.code] == "n/a" and not s.na_allowed))
    }
    assert set(result.critical_not_answered) == expected
    for theme in result.themes:
        if theme.critical_not_answered:
            assert theme.rating in ("poor", NOT_ENOUGH_EVIDENCE)
