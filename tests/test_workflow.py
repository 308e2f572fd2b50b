"""Saving, carrying over, submitting, signing off and reopening (assessment/workflow.py)."""

import pytest
from django.core.exceptions import ValidationError

from assessment import snapshots
from assessment.models import Answer, AssessmentLocked, Question, Snapshot, Status
from assessment.progress import progress
from assessment.workflow import (
    Change,
    confirm_answers,
    reopen,
    save_answers,
    submit,
    values_of,
)
from tests.factories import (
    framework_data,
    make_assessment,
    make_framework,
    option_id,
    put_in_review,
    sign_off_by_board,
    start_next_cycle,
)

pytestmark = pytest.mark.django_db


def change(
    assessment, code: str, level: str = "good", version: int = 0, evidence: str = "Audit 2024"
) -> Change:
    question = Question.objects.get(theme__framework=assessment.framework, code=code)
    values = values_of(None) | {
        "selected": [option_id(code, level, assessment)],
        "evidence": evidence,
    }
    return Change(question, values, version)


def test_saving_creates_and_versions_answers(alice, partnership_a):
    assessment = make_assessment(partnership_a)
    result = save_answers(
        assessment=assessment, changes=[change(assessment, "AA-01")], user=alice, agency="police"
    )
    assert result.ok and len(result.saved) == 1
    answer = Answer.objects.get()
    assert (answer.version, answer.answered_by, answer.agency) == (1, alice, "police")
    save_answers(
        assessment=assessment,
        changes=[change(assessment, "AA-01", "poor", version=1)],
        user=alice,
        agency="police",
    )
    answer.refresh_from_db()
    assert answer.version == 2
    assert answer.history.count() == 2


def test_saving_refuses_not_applicable_on_a_critical_question_where_not_allowed(
    alice, partnership_a
):
    assessment = make_assessment(partnership_a)
    hidden = change(assessment, "AA-01")
    hidden.values |= {"not_applicable": True, "not_applicable_reason": "Not us"}
    with pytest.raises(ValidationError, match="AA-01 is a critical question"):
        save_answers(
            assessment=assessment,
            changes=[change(assessment, "AA-02"), hidden],
            user=alice,
            agency="police",
        )
    assert not Answer.objects.exists()


def test_saving_keeps_the_answer_under_not_applicable(alice, partnership_a):
    assessment = make_assessment(partnership_a)
    na = change(assessment, "AA-02")
    na.values |= {"not_applicable": True, "not_applicable_reason": "Not us"}
    save_answers(assessment=assessment, changes=[na], user=alice, agency="police")
    answer = Answer.objects.get()
    assert answer.not_applicable and answer.selected == [option_id("AA-02", "good", assessment)]


def test_a_stale_save_is_refused_and_nothing_is_written(alice, bob, partnership_a):
    assessment = make_assessment(partnership_a)
    save_answers(
        assessment=assessment,
        changes=[change(assessment, "AA-01", "good")],
        user=alice,
        agency="police",
    )
    # Bob's page was drawn before Alice saved (version 0); he answers differently.
    result = save_answers(
        assessment=assessment,
        changes=[
            change(assessment, "AA-02", "good"),
            change(assessment, "AA-01", "poor", version=0),
        ],
        user=bob,
        agency="health",
    )
    assert not result.ok
    assert [c.question.code for c in result.conflicts] == ["AA-01"]
    theirs = result.conflicts[0].theirs
    assert theirs is not None and theirs.answered_by == alice
    assert Answer.objects.count() == 1  # AA-02 was not written either: one transaction
    assert Answer.objects.get().selected == [option_id("AA-01", "good")]


def test_a_stale_save_with_the_same_content_is_not_a_conflict(alice, bob, partnership_a):
    assessment = make_assessment(partnership_a)
    save_answers(
        assessment=assessment, changes=[change(assessment, "AA-01")], user=alice, agency="police"
    )
    result = save_answers(
        assessment=assessment,
        changes=[change(assessment, "AA-01", version=0)],
        user=bob,
        agency="police",
    )
    assert result.ok and result.saved == []
    assert Answer.objects.get().version == 1


def test_unchanged_and_blank_answers_are_not_written(alice, partnership_a):
    assessment = make_assessment(partnership_a)
    question = Question.objects.get(code="AA-02")
    result = save_answers(
        assessment=assessment,
        changes=[Change(question, values_of(None), 0)],
        user=alice,
        agency="police",
    )
    assert result.saved == [] and not Answer.objects.exists()


def test_carrying_over_copies_answers_to_confirm_and_matches_options_across_versions(
    alice, partnership_a
):
    first = make_assessment(partnership_a, title="2024")
    save_answers(
        assessment=first,
        changes=[change(first, "AA-01", "established", evidence="Old evidence")],
        user=alice,
        agency="police",
    )
    newer = make_framework(version="2.0")
    second = start_next_cycle(first, alice, "2025", framework=newer)
    carried = Answer.objects.get(assessment=second)
    assert carried.needs_reconfirmation
    assert carried.question.theme.framework == newer
    assert carried.selected == [option_id("AA-01", "established", second)]
    assert carried.evidence == "Old evidence"
    assert second.carried_from == first

    assert confirm_answers(assessment=second, questions=[carried.question], user=alice) == 1
    carried.refresh_from_db()
    assert not carried.needs_reconfirmation
    assert Answer.objects.get(assessment=first).selected == [
        option_id("AA-01", "established", first)
    ]


def carried_into_a_new_version(alice, partnership_a, answers: dict, carry: dict, **changes):
    """Answer ``answers`` ({code: level}) in a cycle on version 1.0, give version 2.0 the
    ``carry`` rules ({code: rule}) and ``changes`` ({code: fields}), and start the next cycle."""
    first = make_assessment(partnership_a, title="2024")
    save_answers(
        assessment=first,
        changes=[change(first, code, level) for code, level in answers.items()],
        user=alice,
        agency="police",
    )
    newer = make_framework(version="2.0")
    for code, rule in carry.items():
        Question.objects.filter(theme__framework=newer, code=code).update(carry=rule)
    for code, fields in changes.items():
        Question.objects.filter(theme__framework=newer, code=code).update(**fields)
    second = start_next_cycle(first, alice, "2025", framework=newer)
    return first, second, {a.question.code: a for a in second.answers.select_related("question")}


def test_an_answer_whose_meaning_is_the_same_carries_to_the_same_option(alice, partnership_a):
    _, second, carried = carried_into_a_new_version(
        alice, partnership_a, {"AA-01": "developing"}, {"AA-01": {"mode": "same"}}
    )
    assert carried["AA-01"].selected == [option_id("AA-01", "developing", second)]
    assert carried["AA-01"].needs_reconfirmation


def test_an_answer_maps_to_the_option_the_new_version_names(alice, partnership_a):
    # Options are listed poor, developing, established, good: old 3 (established) -> new 1.
    rule = {"mode": "map", "from": "AA-01", "options": {"3": 1, "4": 2}}
    _, second, carried = carried_into_a_new_version(
        alice, partnership_a, {"AA-01": "established", "AA-02": "good"}, {"AA-01": rule}
    )
    assert carried["AA-01"].selected == [option_id("AA-01", "poor", second)]
    assert carried["AA-01"].needs_reconfirmation and carried["AA-01"].evidence == "Audit 2024"
    assert carried["AA-02"].selected == [option_id("AA-02", "good", second)]  # null: the same


def test_an_option_the_map_leaves_out_carries_the_evidence_but_no_choice(alice, partnership_a):
    rule = {"mode": "map", "from": "AA-01", "options": {"4": 2}}
    _, _, carried = carried_into_a_new_version(
        alice, partnership_a, {"AA-01": "poor"}, {"AA-01": rule}
    )
    assert carried["AA-01"].selected == [] and carried["AA-01"].needs_reconfirmation


def test_an_answer_to_a_split_or_changed_question_does_not_carry(alice, partnership_a):
    _, _, carried = carried_into_a_new_version(
        alice, partnership_a, {"AA-01": "good", "AA-02": "good"}, {"AA-02": {"mode": "none"}}
    )
    assert set(carried) == {"AA-01"}


def test_an_answer_carries_to_a_question_with_a_new_code_from_its_old_one(alice, partnership_a):
    _, second, carried = carried_into_a_new_version(
        alice,
        partnership_a,
        {"BB-02": "established"},
        {"BB-01": {"mode": "same", "from": "BB-02"}, "BB-02": {"mode": "none"}},
    )
    assert set(carried) == {"BB-01"}
    assert carried["BB-01"].selected == [option_id("BB-01", "established", second)]


def test_not_applicable_does_not_carry_to_a_question_now_critical_without_n_a(alice, partnership_a):
    first = make_assessment(partnership_a, title="2024")
    na = change(first, "AA-02", "developing")
    na.values |= {"not_applicable": True, "not_applicable_reason": "Not us"}
    save_answers(assessment=first, changes=[na], user=alice, agency="police")
    newer = make_framework(version="2.0")
    Question.objects.filter(theme__framework=newer, code="AA-02").update(
        critical=True, critical_nations=["england", "wales"]
    )
    second = start_next_cycle(first, alice, "2025", framework=newer)
    carried = second.answers.get()
    assert not carried.not_applicable and carried.needs_reconfirmation
    assert carried.selected == [option_id("AA-02", "developing", second)]


def test_progress_gives_each_theme_a_status(alice, partnership_a):
    assessment = make_assessment(partnership_a)
    themes = list(assessment.framework.themes.prefetch_related("questions").order_by("order"))
    rows = progress(assessment, themes, [], [])
    assert [r.status for r in rows] == ["Not started", "Not started"]
    save_answers(
        assessment=assessment, changes=[change(assessment, "AA-01")], user=alice, agency="police"
    )
    rows = progress(assessment, themes, list(Answer.objects.all()), [])
    assert rows[0].status == "In progress"
    assert rows[0].complete == 1 and rows[0].applicable == 3
    codes = ["AA-02", "BB-01", "BB-02"]
    save_answers(
        assessment=assessment,
        changes=[change(assessment, c) for c in codes],
        user=alice,
        agency="police",
    )
    rows = progress(assessment, themes, list(Answer.objects.all()), [])
    assert [r.status for r in rows] == [
        "In progress",
        "Completed",
    ]  # AA-03 (indicator) is still missing


def test_the_welsh_partnership_does_not_see_english_only_questions(charlie, partnership_b):
    assessment = make_assessment(partnership_b)
    themes = list(assessment.framework.themes.prefetch_related("questions").order_by("order"))
    assert [q.code for q in progress(assessment, themes, [], [])[0].questions] == ["AA-01", "AA-02"]


def test_submit_counts_the_required_answers_still_missing_itself(alice, partnership_a):
    from tests.views.test_assessments import complete_everything

    assessment = make_assessment(partnership_a)
    with pytest.raises(ValidationError, match="5 required questions"):
        submit(assessment=assessment, user=alice)
    complete_everything(assessment, alice)
    submit(assessment=assessment, user=alice)
    assert assessment.status == Status.IN_REVIEW


def _signed_off(alice, partnership):
    assessment = make_assessment(partnership)
    save_answers(
        assessment=assessment, changes=[change(assessment, "AA-01")], user=alice, agency="police"
    )
    put_in_review(assessment)
    snapshot = sign_off_by_board(assessment, alice)
    return assessment, snapshot


def test_sign_off_freezes_a_snapshot_with_its_hash(alice, partnership_a):
    assessment, snapshot = _signed_off(alice, partnership_a)
    assert assessment.status == Status.SIGNED_OFF and assessment.signed_off_by == alice
    assert snapshots.check(snapshot).ok
    assert len(snapshot.sha256) == 64
    assert snapshot.data["answers"][0]["question"] == "AA-01"
    assert snapshot.data["answers"][0]["selected"][0]["level"] == "good"
    assert snapshot.data["signed_off"]["by"] == "alice@example.org"
    tampered = dict(snapshot.data, answers=[])
    assert snapshots.digest(tampered) != snapshot.sha256


def test_a_signed_off_assessment_refuses_every_change(alice, partnership_a):
    assessment, _ = _signed_off(alice, partnership_a)
    answer = Answer.objects.get()
    answer.evidence = "Sneaky edit"
    with pytest.raises(AssessmentLocked):
        answer.save()
    with pytest.raises(AssessmentLocked):
        answer.delete()
    with pytest.raises(AssessmentLocked):
        Answer.objects.filter(pk=answer.pk).update(evidence="Bulk edit")
    with pytest.raises(AssessmentLocked):
        Answer.objects.filter(pk=answer.pk).delete()
    with pytest.raises(AssessmentLocked):
        save_answers(
            assessment=assessment,
            changes=[change(assessment, "AA-02")],
            user=alice,
            agency="police",
        )
    assessment.title = "Renamed"
    with pytest.raises(AssessmentLocked):
        assessment.save()
    with pytest.raises(AssessmentLocked):
        assessment.delete()
    assert Answer.objects.get().evidence == "Audit 2024"


def test_reopening_needs_a_reason_and_keeps_the_snapshot(alice, partnership_a):
    assessment, snapshot = _signed_off(alice, partnership_a)
    with pytest.raises(ValidationError):
        reopen(assessment=assessment, user=alice, reason="  ")
    reopening = reopen(
        assessment=assessment,
        user=alice,
        reason="The board asked for the health figures to be updated",
    )
    assert assessment.status == Status.DRAFT
    assert reopening.snapshot == snapshot
    assert snapshots.check(Snapshot.objects.get()).ok
    save_answers(
        assessment=assessment,
        changes=[change(assessment, "AA-01", "poor", version=1)],
        user=alice,
        agency="police",
    )
    assert "reopened by" in assessment.history.first().history_change_reason


def test_only_an_assessment_in_review_can_be_signed_off(alice, partnership_a):
    assessment = make_assessment(partnership_a)
    with pytest.raises(ValidationError):
        sign_off_by_board(assessment, alice)


def test_framework_data_is_deterministic():
    assert framework_data() == framework_data()


def test_an_answer_only_the_other_person_changed_is_kept_without_asking(alice, bob, partnership_a):
    assessment = make_assessment(partnership_a)
    save_answers(
        assessment=assessment,
        changes=[change(assessment, "AA-01", "poor")],
        user=alice,
        agency="police",
    )
    # Bob's page shows version 1 (poor). Alice then changes it to good (version 2).
    save_answers(
        assessment=assessment,
        changes=[change(assessment, "AA-01", "good", version=1)],
        user=alice,
        agency="police",
    )
    # Bob saves his page, on which AA-01 still says poor: he did not touch it.
    result = save_answers(
        assessment=assessment,
        changes=[
            change(assessment, "AA-01", "poor", version=1),
            change(assessment, "AA-02", "good"),
        ],
        user=bob,
        agency="police",
    )
    assert result.ok
    assert Answer.objects.get(question__code="AA-01").selected == [option_id("AA-01", "good")]
    assert Answer.objects.get(question__code="AA-02").answered_by == bob


def test_a_failure_part_way_through_a_save_writes_nothing(alice, partnership_a, monkeypatch):
    assessment = make_assessment(partnership_a)
    real_save = Answer.save
    calls = []

    def failing_second_save(self, *args, **kwargs):
        calls.append(self.question.code)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Answer, "save", failing_second_save)
    with pytest.raises(RuntimeError):
        save_answers(
            assessment=assessment,
            changes=[change(assessment, "AA-01"), change(assessment, "AA-02")],
            user=alice,
            agency="police",
        )
    assert calls == ["AA-01", "AA-02"]
    assert not Answer.objects.exists()  # the first answer was rolled back with the second
