"""Challenges on register entries: raised by a scrutineer like a challenge on an answer, answered
by the lead agency and the leads, resolved or kept open, counted with the cycle's challenges and
held to the sign-off rule for open challenges."""

from datetime import date

import pytest

from assessment import snapshots
from assessment.models import Agency, Challenge, ChallengeNote, Role, Status
from assessment.signoff import record_board_approval
from tests.factories import (
    make_assessment,
    make_contributor,
    make_member,
    make_recommendation_set,
    make_user,
    put_in_review,
    sign_off_by_board,
)
from tests.views.test_register import make_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def sam(partnership_a):
    user = make_user("sam@example.org", "Sam Scrutineer")
    make_member(partnership_a, user, Role.SCRUTINEER, Agency.OTHER)
    return user


@pytest.fixture
def entry(partnership_a):
    recommendation = make_recommendation_set().recommendations.get(number="1")
    return make_entry(partnership_a, recommendation, response="We refresh the profile yearly.")


@pytest.fixture
def cycle(partnership_a):
    return make_assessment(partnership_a)


def challenge_url(partnership, entry) -> str:
    return f"/partnerships/{partnership.code}/recommendations/{entry.code}/challenge"


def raise_on_entry(client, partnership, entry, text="Where is the refreshed profile?"):
    return client.post(challenge_url(partnership, entry), {"text": text})


def test_a_scrutineer_challenges_an_entry_and_it_joins_the_open_cycle(
    client, sam, partnership_a, entry, cycle
):
    client.force_login(sam)
    page = client.get(f"/partnerships/{partnership_a.code}/recommendations/{entry.code}/")
    assert challenge_url(partnership_a, entry) in page.content.decode()
    response = raise_on_entry(client, partnership_a, entry)
    challenge = Challenge.objects.get()
    assert challenge.entry == entry and challenge.assessment == cycle
    assert response["Location"] == f"/assessments/{cycle.code}/challenges/{challenge.code}/"
    detail = client.get(response["Location"]).content.decode()
    assert "Challenge on the register entry 1:" in detail


def test_an_empty_challenge_on_an_entry_is_named_and_nothing_is_raised(
    client, sam, partnership_a, entry, cycle
):
    client.force_login(sam)
    response = raise_on_entry(client, partnership_a, entry, text="")
    assert response.status_code == 400
    assert "Enter your challenge" in response.content.decode()
    text = "Ask jo.bloggs@example.org why the profile is late"
    response = raise_on_entry(client, partnership_a, entry, text=text)
    assert response.status_code == 400
    assert "may contain personal details" in response.content.decode()
    assert "jo.bloggs@example.org" in response.content.decode()  # nothing typed is lost
    assert not Challenge.objects.exists()


def test_an_entry_cannot_be_challenged_before_any_cycle_exists(client, sam, partnership_a, entry):
    client.force_login(sam)
    page = client.get(challenge_url(partnership_a, entry)).content.decode()
    assert "start the partnership's first self-assessment" in page
    assert raise_on_entry(client, partnership_a, entry).status_code == 200
    assert not Challenge.objects.exists()


def test_only_scrutineers_and_leads_challenge_entries(
    client, alice, bob, sam, partnership_a, entry, cycle
):
    contributor = make_contributor(partnership_a, Agency.POLICE, "pat@example.org")
    for person, status in ((bob, 403), (contributor, 403), (alice, 302), (sam, 302)):
        client.force_login(person)
        assert raise_on_entry(client, partnership_a, entry).status_code == status


def test_another_partnerships_entry_cannot_be_challenged(client, charlie, partnership_a, entry):
    client.force_login(charlie)
    assert client.get(challenge_url(partnership_a, entry)).status_code == 404
    assert raise_on_entry(client, partnership_a, entry).status_code == 404


def test_the_lead_agency_and_the_leads_respond_then_the_scrutineer_resolves(
    client, alice, sam, partnership_a, entry, cycle
):
    challenge = Challenge.objects.create(assessment=cycle, entry=entry, raised_by=sam, text="Why?")
    police = make_contributor(partnership_a, Agency.POLICE, "pat@example.org")  # lead agency
    health = make_contributor(partnership_a, Agency.HEALTH, "hal@example.org")
    respond = f"/assessments/{cycle.code}/challenges/{challenge.code}/respond"
    for person, status in ((police, 302), (alice, 302), (health, 403), (sam, 403)):
        client.force_login(person)
        assert client.post(respond, {"text": "The profile is out in May"}).status_code == status
    assert [n.author for n in challenge.notes.all()] == [police, alice]
    client.force_login(sam)
    resolve = f"/assessments/{cycle.code}/challenges/{challenge.code}/resolve"
    client.post(resolve, {"resolve-outcome": "keep_open", "resolve-text": "Send the profile"})
    challenge.refresh_from_db()
    assert challenge.is_open
    client.post(resolve, {"resolve-outcome": "resolve", "resolve-text": "Seen the profile"})
    challenge.refresh_from_db()
    assert not challenge.is_open
    assert [n.kind for n in challenge.notes.all()][-2:] == [
        ChallengeNote.NOTE,
        ChallengeNote.RESOLUTION,
    ]


def test_open_challenges_on_entries_are_counted_and_linked_like_the_others(
    client, alice, sam, partnership_a, entry, cycle
):
    challenge = Challenge.objects.create(
        assessment=cycle, entry=entry, raised_by=sam, text="Is the profile current?"
    )
    link = f"/assessments/{cycle.code}/challenges/{challenge.code}/"
    client.force_login(alice)
    home = client.get(f"/assessments/{cycle.code}/").content.decode()
    assert "1 open challenge waiting" in home and link in home
    dashboard = client.get(f"/partnerships/{partnership_a.code}/").content.decode()
    assert "1 open challenge waiting" in dashboard and link in dashboard
    register = client.get(f"/partnerships/{partnership_a.code}/recommendations/").content.decode()
    assert "Open challenges on entries (1)" in register and link in register
    put_in_review(cycle)
    sign_off = client.get(f"/assessments/{cycle.code}/sign-off").content.decode()
    assert link in sign_off and "1 open challenge needs a reason" in sign_off


def test_sign_off_needs_a_reason_for_an_open_challenge_on_an_entry(
    alice, sam, partnership_a, entry, cycle
):
    from django.core.exceptions import ValidationError

    challenge = Challenge.objects.create(assessment=cycle, entry=entry, raised_by=sam, text="Why?")
    put_in_review(cycle)
    with pytest.raises(ValidationError, match="register entry 1"):
        record_board_approval(
            assessment=cycle,
            user=alice,
            meeting=date(2025, 6, 12),
            name="Chair",
            role="Independent chair",
        )
    record_board_approval(
        assessment=cycle,
        user=alice,
        meeting=cycle.period_end,
        name="Chair",
        role="Independent chair",
        left_open={str(challenge.code): "The profile is due in June"},
    )
    cycle.refresh_from_db()
    assert cycle.status == Status.SIGNED_OFF
    record = snapshots.read(cycle.latest_snapshot.data)
    assert record.challenges is not None
    (kept,) = record.challenges
    assert kept.subject.startswith("the register entry 1:") and kept.is_open


def test_an_entry_challenge_left_open_carries_into_the_next_cycle(
    client, alice, sam, partnership_a, entry, cycle
):
    challenge = Challenge.objects.create(assessment=cycle, entry=entry, raised_by=sam, text="Why?")
    put_in_review(cycle)
    sign_off_by_board(cycle, alice)
    following = make_assessment(
        partnership_a,
        cycle.framework,
        title="Next year",
        period_start=cycle.period_end,
        period_end=cycle.period_end.replace(year=cycle.period_end.year + 1),
    )
    client.force_login(alice)
    home = client.get(f"/assessments/{following.code}/").content.decode()
    assert f"/assessments/{following.code}/challenges/{challenge.code}/" in home
    # A scrutineer can still resolve it, though the cycle holding it is signed off.
    client.force_login(sam)
    client.post(
        f"/assessments/{cycle.code}/challenges/{challenge.code}/resolve",
        {"resolve-outcome": "resolve", "resolve-text": "Seen it"},
    )
    challenge.refresh_from_db()
    assert not challenge.is_open
    client.force_login(alice)
    home = client.get(f"/assessments/{following.code}/").content.decode()
    assert str(challenge.code) not in home
