from io import StringIO

import pytest
from django.core.management import call_command

from assessment import snapshots
from assessment.models import Membership, Partnership, Role, User

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_it_creates_an_english_and_a_welsh_partnership_with_every_role():
    output = seed()
    assert set(Partnership.objects.values_list("nation", flat=True)) == {"england", "wales"}
    for partnership in Partnership.objects.all():
        roles = set(partnership.memberships.values_list("role", flat=True))
        assert roles == set(Role.values)
        assert partnership.memberships.values("agency").distinct().count() >= 3
    assert "lead@northmoor.example" in output
    assert "demo-password-2026" in output


def test_demo_people_can_sign_in(client):
    seed()
    response = client.post(
        "/accounts/login/", {"login": "police@northmoor.example", "password": "demo-password-2026"}
    )
    assert response.status_code == 302


def test_it_is_idempotent():
    seed()
    counts = (Partnership.objects.count(), User.objects.count(), Membership.objects.count())
    seed()
    assert (Partnership.objects.count(), User.objects.count(), Membership.objects.count()) == counts


def test_if_empty_leaves_a_used_database_alone(db):
    Partnership.objects.create(name="Real partnership", nation="england", area="Somewhere")
    output = seed("--if-empty")
    assert Partnership.objects.count() == 1
    assert "no demo data added" in output


def test_the_scrutineer_belongs_to_both_partnerships():
    seed()
    assert Membership.objects.filter(user__email="scrutineer@demo.example").count() == 2


def test_with_a_framework_each_partnership_gets_a_signed_off_cycle_and_a_carried_one(db):
    from assessment.frameworks import load, read
    from assessment.models import Assessment, Status
    from tests.test_question_bank import BANK

    load(read(BANK))
    seed()
    for partnership in Partnership.objects.all():
        last, current = partnership.assessments.order_by("period_end")
        assert last.status == Status.SIGNED_OFF and snapshots.check(last.snapshots.get()).ok
        assert current.status == Status.DRAFT and current.carried_from == last
        assert current.answers.filter(needs_reconfirmation=True).exists()
        assert current.answers.filter(needs_reconfirmation=False).exists()
        levels = {
            o.level
            for a in last.answers.all()
            for o in a.question.options.all()
            if o.pk in a.selected
        }
        assert levels == {"poor", "developing", "established", "good"}
    seed()
    assert Assessment.objects.count() == 4


def test_the_demo_moves_from_2022_1_to_2022_2_so_the_migration_shows(db):
    from assessment.frameworks import load, read
    from tests.test_question_bank import BANK

    load(read(BANK.with_name("iicsa-cse-networks-2022.2.yaml")))
    load(read(BANK))  # loaded last, but the older version
    seed()
    for partnership in Partnership.objects.all():
        last, current = partnership.assessments.order_by("period_end")
        assert (last.framework.version, current.framework.version) == ("2022.1", "2022.2")
        # Questions that do not carry start empty; mapped and carried ones wait to be confirmed.
        waiting = [a.question.carry_rule["mode"] for a in current.answers.select_related("question")
                   if a.needs_reconfirmation]  # fmt: skip
        assert "none" not in waiting and "map" in waiting and "same" in waiting


def test_the_demo_action_plan_carries_open_actions_into_the_current_cycle(db):
    from assessment.frameworks import load, read
    from assessment.models import Action
    from tests.test_question_bank import BANK

    load(read(BANK))
    seed()
    for partnership in Partnership.objects.all():
        last, current = partnership.assessments.order_by("period_end")
        assert len(last.snapshots.get().data["actions"]) == 4
        assert current.actions.count() == 3  # the done one stayed behind
        assert all(a.raised_in == last for a in current.actions.all())
    assert Action.objects.filter(status="done").count() == 2


def test_with_recommendation_sets_each_partnership_gets_a_register_and_one_is_published(
    db, settings, tmp_path
):
    from pathlib import Path

    from assessment.frameworks import load, read
    from assessment.models import PublishedResponse, RecommendationResponse
    from assessment.recommendation_sets import load as load_set
    from assessment.recommendation_sets import read as read_set
    from tests.test_question_bank import BANK

    settings.MEDIA_ROOT = tmp_path
    load(read(BANK))
    for path in sorted((Path(BANK).parent.parent / "recommendations").glob("*.yaml")):
        load_set(read_set(path))
    seed()
    northmoor = Partnership.objects.get(nation="england")
    entries = RecommendationResponse.objects.filter(partnership=northmoor)
    assert set(entries.values_list("status", flat=True)) == {
        "not_started",
        "in_progress",
        "implemented",
        "not_accepted",
    }
    assert entries.filter(recommendation__isnull=True).count() == 1  # the local recommendation
    assert entries.filter(owner__isnull=True).exists()  # flagged on the dashboard
    assert entries.filter(actions__isnull=False).distinct().count() >= 3
    # The problem profile and the data return show two entries (by their demo titles).
    assert entries.filter(evidence__isnull=False).distinct().count() == 2
    assert PublishedResponse.objects.filter(partnership=northmoor).count() == 1
    wales = Partnership.objects.get(nation="wales")
    assert RecommendationResponse.objects.filter(partnership=wales).count() == entries.count()
    assert not PublishedResponse.objects.filter(partnership=wales).exists()
    seed()  # idempotent
    assert RecommendationResponse.objects.count() == 2 * entries.count()


def test_the_demo_has_a_theme_with_three_disagreeing_agency_views_moderated_with_a_dissent(db):
    from assessment.agency_views import settlements
    from assessment.frameworks import load, read
    from assessment.models import AgencyThemeSubmission, Dissent, Moderation
    from tests.test_question_bank import BANK

    load(read(BANK))
    output = seed()
    northmoor = Partnership.objects.get(nation="england")
    current = northmoor.assessments.get(status="draft")
    assert set(
        AgencyThemeSubmission.objects.filter(assessment=current).values_list("agency", flat=True)
    ) == {"police", "health", "education"}
    (settled,) = [s for s in settlements(current) if s.note]
    assert settled.views == (("education", "good"), ("health", "poor"), ("police", "established"))
    assert settled.partnership == "developing" and settled.disagreed
    assert Moderation.objects.get(assessment=current).started_from == "health"
    assert Dissent.objects.get(assessment=current).agency == "health"
    assert "given to three agencies, moderated" in output
    seed()
    assert Moderation.objects.count() == 1


def test_the_demo_has_fictional_evidence_items_with_pdfs_one_out_of_date(db, settings, tmp_path):
    from pypdf import PdfReader

    from assessment import evidence
    from assessment.frameworks import load, read
    from assessment.models import EvidenceItem
    from tests.test_question_bank import BANK

    settings.MEDIA_ROOT = tmp_path
    load(read(BANK))
    load(read(BANK.with_name("iicsa-cse-networks-2022.2.yaml")))
    seed()
    for partnership in Partnership.objects.all():
        items = list(EvidenceItem.objects.filter(partnership=partnership))
        assert len(items) == 4
        with items[0].file.open("rb") as handle:
            text = PdfReader(handle).pages[0].extract_text()
        assert "fictional demo evidence" in text
        last, current = partnership.assessments.order_by("period_end")
        recorded = snapshots.evidence_codes(last.latest_snapshot.data)
        assert len(recorded) == 2  # the signed-off cycle kept the items it relied on
        stale = evidence.out_of_date_by_theme(current)
        assert sum(stale.values()) >= 1


def test_every_demo_answer_is_one_the_form_accepts(db):
    """Found by the benchmark's load test (which answers with the demo's values): "None of
    these" ticked beside other options, an answer the person could not save unchanged."""
    from datetime import date

    from assessment.answer_rules import problems
    from assessment.demo import _values
    from assessment.frameworks import load, read
    from assessment.models import Question
    from tests.test_question_bank import BANK

    load(read(BANK))
    questions = list(Question.objects.prefetch_related("options"))
    found = [
        (q.code, p.message)
        for step in range(6)
        for cycle in range(3)
        for q in questions
        for p in problems(
            q,
            _values(q, step, cycle),
            nation="england",
            today=date.today(),
            options=list(q.options.all()),
        )
    ]
    assert found == []
