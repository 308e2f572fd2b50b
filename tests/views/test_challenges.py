"""Challenge and response: raising, responding, keeping open, resolving, and where they are counted."""

import pytest

from assessment.models import Agency, Assignment, Challenge, ChallengeNote, Role, Theme
from tests.factories import make_assessment, make_contributor, make_member, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(partnership_a, alice):
    return make_assessment(partnership_a)


@pytest.fixture
def sam(partnership_a):
    user = make_user("sam@example.org", "Sam Scrutineer")
    make_member(partnership_a, user, Role.SCRUTINEER, Agency.OTHER)
    return user


def raise_on(client, assessment, text="Which audit shows this?", **subject):
    return client.post(f"/assessments/{assessment.code}/challenges/new", {"text": text, **subject})


def test_a_scrutineer_raises_a_challenge_on_a_question(client, sam, assessment):
    client.force_login(sam)
    page = client.get(f"/assessments/{assessment.code}/challenges/new?question=AA-01")
    assert "Raise a challenge on AA-01" in page.content.decode()
    response = raise_on(client, assessment, question="AA-01")
    challenge = Challenge.objects.get(text="Which audit shows this?")
    assert response["Location"].endswith(f"/challenges/{challenge.code}/")
    assert challenge.question is not None and challenge.theme is not None
    assert (challenge.question.code, challenge.theme.code, challenge.raised_by) == (
        "AA-01",
        "AA",
        sam,
    )
    assert challenge.is_open


def test_a_challenge_on_a_theme_or_the_whole_assessment(client, alice, assessment):
    client.force_login(alice)
    raise_on(client, assessment, text="On the theme", theme="BB")
    raise_on(client, assessment, text="On everything")
    assert Challenge.objects.get(text="On the theme").subject == "Theme BB"
    assert Challenge.objects.get(text="On everything").subject == "the whole self-assessment"


def test_an_unknown_question_is_404(client, sam, assessment):
    client.force_login(sam)
    assert raise_on(client, assessment, question="ZZ-99").status_code == 404


def test_viewers_and_contributors_cannot_raise_challenges(client, bob, partnership_a, assessment):
    for person in (bob, make_contributor(partnership_a)):
        client.force_login(person)
        assert raise_on(client, assessment).status_code == 403
    assert not Challenge.objects.exists()


def test_an_empty_challenge_is_named_and_personal_data_is_checked(client, sam, assessment):
    client.force_login(sam)
    response = raise_on(client, assessment, text="", question="AA-01")
    assert response.status_code == 400 and "Enter your challenge" in response.content.decode()
    text = "Ask jo.bloggs@example.org why the case of Jo Bloggs, born 3 March 2011, was missed"
    response = raise_on(client, assessment, text=text, question="AA-01")
    html = response.content.decode()
    assert response.status_code == 400
    assert "may contain personal details (a date of birth, a name next to a date, an email" in html
    assert "jo.bloggs@example.org" in html  # nothing typed is lost
    assert not Challenge.objects.exists()
    raise_on(client, assessment, text=text, question="AA-01", confirm_personal_data="on")
    assert Challenge.objects.count() == 1


def test_the_agencies_concerned_and_leads_respond_others_cannot(
    client, alice, sam, partnership_a, assessment
):
    theme = Theme.objects.get(framework=assessment.framework, code="AA")
    Assignment.objects.create(assessment=assessment, theme=theme, agency=Agency.HEALTH)
    challenge = Challenge.objects.create(
        assessment=assessment, theme=theme, question=theme.questions.get(code="AA-01"), text="Why?"
    )
    police = make_contributor(partnership_a, Agency.POLICE, "pat@example.org")  # the question's
    health = make_contributor(partnership_a, Agency.HEALTH, "hal@example.org")  # assigned
    education = make_contributor(partnership_a, Agency.EDUCATION, "ed@example.org")
    url = f"/assessments/{assessment.code}/challenges/{challenge.code}/respond"
    for person, status in (
        (police, 302),
        (health, 302),
        (alice, 302),
        (education, 403),
        (sam, 403),
    ):
        client.force_login(person)
        assert (
            client.post(url, {"text": f"From {person.get_full_name()} team"}).status_code == status
        )
    assert [n.author for n in challenge.notes.all()] == [police, health, alice]
    client.force_login(education)
    page = client.get(f"/assessments/{assessment.code}/challenges/{challenge.code}/")
    assert "Respond" not in page.content.decode()


def test_the_scrutineer_keeps_it_open_then_resolves_it(client, sam, partnership_a, assessment):
    challenge = Challenge.objects.create(assessment=assessment, raised_by=sam, text="Why?")
    url = f"/assessments/{assessment.code}/challenges/{challenge.code}/resolve"
    client.force_login(sam)
    response = client.post(url, {"resolve-outcome": "", "resolve-text": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Select whether the response settles the challenge" in html and "Enter a note" in html
    client.post(url, {"resolve-outcome": "keep_open", "resolve-text": "Send the audit itself"})
    challenge.refresh_from_db()
    assert challenge.is_open
    client.post(url, {"resolve-outcome": "resolve", "resolve-text": "The audit settles it"})
    challenge.refresh_from_db()
    assert not challenge.is_open and challenge.resolved_by == sam
    assert [n.kind for n in challenge.notes.all()] == [ChallengeNote.NOTE, ChallengeNote.RESOLUTION]
    dana = make_contributor(partnership_a)
    client.force_login(dana)
    response = client.post(
        f"/assessments/{assessment.code}/challenges/{challenge.code}/respond", {"text": "Late"}
    )
    assert response.status_code == 400
    assert "This challenge has been resolved" in response.content.decode()


def test_contributors_cannot_resolve(client, partnership_a, assessment):
    challenge = Challenge.objects.create(assessment=assessment, text="Why?")
    client.force_login(make_contributor(partnership_a))
    url = f"/assessments/{assessment.code}/challenges/{challenge.code}/resolve"
    assert (
        client.post(url, {"resolve-outcome": "resolve", "resolve-text": "Fine"}).status_code == 403
    )
    challenge.refresh_from_db()
    assert challenge.is_open


def test_open_challenges_are_counted_and_listed_with_links(client, alice, sam, assessment):
    theme = Theme.objects.get(framework=assessment.framework, code="AA")
    challenge = Challenge.objects.create(
        assessment=assessment, theme=theme, raised_by=sam, text="Is the profile current?"
    )
    Challenge.objects.create(assessment=assessment, text="Settled", resolved_by=sam)
    Challenge.objects.filter(text="Settled").update(resolved_at="2025-05-01T10:00:00Z")
    link = f"/assessments/{assessment.code}/challenges/{challenge.code}/"
    client.force_login(alice)
    home = client.get(f"/assessments/{assessment.code}/").content.decode()
    assert "1 open challenge waiting" in home and link in home
    assert "Challenges (1 open)" in home
    assert "1 open challenge</strong>" in home  # on the task list row of theme AA
    check = client.get(f"/assessments/{assessment.code}/check").content.decode()
    assert "1 open challenge waiting" in check and link in check
    dashboard = client.get(f"/partnerships/{assessment.partnership.code}/").content.decode()
    assert "1 open challenge waiting" in dashboard and link in dashboard
    theme_page = client.get(f"/assessments/{assessment.code}/themes/AA/").content.decode()
    assert link in theme_page and "Raise a challenge on AA-01" in theme_page
    listing = client.get(f"/assessments/{assessment.code}/challenges/").content.decode()
    assert "Open (1)" in listing and "Resolved (1)" in listing


def test_challenges_and_responses_are_in_the_activity_log(client, alice, sam, assessment):
    client.force_login(sam)
    raise_on(client, assessment, question="AA-01")
    challenge = Challenge.objects.get()
    client.force_login(alice)
    client.post(
        f"/assessments/{assessment.code}/challenges/{challenge.code}/respond",
        {"text": "The 2024 audit"},
    )
    activity = client.get(f"/assessments/{assessment.code}/activity").content.decode()
    assert "raised a challenge on AA-01" in activity
    assert "response on the challenge on AA-01" in activity


def test_another_partnerships_challenge_is_404(client, charlie, assessment):
    challenge = Challenge.objects.create(assessment=assessment, text="Why?")
    client.force_login(charlie)
    url = f"/assessments/{assessment.code}/challenges/{challenge.code}/"
    assert client.get(url).status_code == 404
