"""Email notifications: who hears about what, people's choices, digests, and reminders that are
never sent twice. Mail goes to Django's outbox; one test goes through a real SMTP server."""

import socket
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from assessment import notifications
from assessment.models import (
    Action,
    Agency,
    Assignment,
    Challenge,
    Notification,
    NotificationSettings,
    Representative,
    Role,
    Theme,
)
from assessment.scrutiny import raise_challenge, resolve, respond
from assessment.signoff import approve, return_for_changes
from assessment.workflow import submit
from tests.factories import make_assessment, make_contributor, make_member, make_user
from tests.views.test_results import answer_all

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]


@pytest.fixture
def assessment(partnership_a, alice):
    return make_assessment(partnership_a)


@pytest.fixture
def pat(partnership_a):
    user = make_contributor(partnership_a, Agency.POLICE, "pat@example.org")
    user.name = "Pat Police"
    user.save()
    return user


@pytest.fixture
def sam(partnership_a):
    user = make_user("sam@example.org", "Sam Scrutineer")
    make_member(partnership_a, user, Role.SCRUTINEER, Agency.OTHER)
    return user


def to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def test_a_challenge_on_a_police_question_tells_the_police_and_the_leads(
    alice, pat, sam, partnership_a, assessment, django_capture_on_commit_callbacks
):
    make_contributor(partnership_a, Agency.EDUCATION, "ed@example.org")
    question = Theme.objects.get(framework=assessment.framework, code="AA").questions.get(
        code="AA-01"
    )
    with django_capture_on_commit_callbacks(execute=True):
        challenge = raise_challenge(
            assessment=assessment, user=sam, text="Which audit?", question=question
        )
    assert {m.to[0] for m in mail.outbox} == {"pat@example.org", "alice@example.org"}
    message = to("pat@example.org")[0]
    assert message.subject == "A challenge on AA-01 needs a response"
    assert "Which audit?" in message.body
    assert f"/challenges/{challenge.code}/" in message.body
    html, kind = message.alternatives[0]
    assert kind == "text/html" and "Which audit?" in html and "<a href=" in html
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        respond(challenge=challenge, user=pat, text="The 2024 audit")
    assert [m.to[0] for m in mail.outbox] == ["sam@example.org"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        resolve(challenge=challenge, user=sam, text="Settled")
    assert {m.to[0] for m in mail.outbox} == {"pat@example.org", "alice@example.org"}
    assert mail.outbox[0].subject == "Resolved: the challenge on AA-01"


def test_a_challenge_on_a_register_entry_tells_its_lead_agency_its_owner_and_the_leads(
    alice, pat, sam, partnership_a, assessment, django_capture_on_commit_callbacks
):
    from tests.factories import make_recommendation_set
    from tests.views.test_register import make_entry

    owner = make_contributor(partnership_a, Agency.HEALTH, "hal@example.org")
    make_contributor(partnership_a, Agency.EDUCATION, "ed@example.org")
    entry = make_entry(
        partnership_a, make_recommendation_set().recommendations.get(number="1"), owner=owner
    )
    with django_capture_on_commit_callbacks(execute=True):
        challenge = raise_challenge(assessment=assessment, user=sam, text="Late?", entry=entry)
    assert {m.to[0] for m in mail.outbox} == {
        "pat@example.org",  # the entry's lead agency is the police
        "hal@example.org",
        "alice@example.org",
    }
    assert to("pat@example.org")[0].subject == (
        "A challenge on the register entry 1: Profile every year needs a response"
    )
    assert f"/challenges/{challenge.code}/" in to("hal@example.org")[0].body


def test_submitting_asks_the_representatives_and_tells_the_others(
    alice, pat, partnership_a, assessment, django_capture_on_commit_callbacks
):
    hal = make_contributor(partnership_a, Agency.HEALTH, "hal@example.org")
    dana = make_contributor(partnership_a, Agency.EDUCATION, "dana2@example.org")
    answer_all(assessment, alice, {"AA-01": "good", "AA-02": "good", "BB-01": "good"})
    for partner, person in (
        ("local_authority", alice),
        ("police", pat),
        ("integrated_care_board", hal),
    ):
        Representative.objects.create(
            partnership=partnership_a,
            partner=partner,
            membership=person.memberships.get(partnership=partnership_a),
        )
    with django_capture_on_commit_callbacks(execute=True):
        submit(assessment=assessment, user=alice)
    assert {m.to[0]: m.subject for m in mail.outbox} == {
        "pat@example.org": "Your approval is asked for: Self-assessment 2025",
        "hal@example.org": "Your approval is asked for: Self-assessment 2025",
        dana.email: "Submitted for review: Self-assessment 2025",
    }  # never the person who submitted
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        return_for_changes(assessment=assessment, user=hal, reason="Update the health figures")
    assert {m.to[0] for m in mail.outbox} == {"alice@example.org", "pat@example.org", dana.email}
    assert "Update the health figures" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        submit(assessment=assessment, user=alice)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for person in (alice, pat, hal):
            approve(assessment=assessment, user=person)
    signed = {m.to[0] for m in mail.outbox if m.subject.startswith("Signed off")}
    assert signed == {"alice@example.org", "pat@example.org", dana.email}  # not hal, who did it


def test_a_theme_assigned_to_an_agency_tells_its_contributors(
    client, alice, pat, assessment, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/assessments/{assessment.code}/assign", {"theme_BB": ["police"]})
    assert [(m.to[0], m.subject) for m in mail.outbox] == [
        ("pat@example.org", "Theme BB is assigned to your agency")
    ]


def test_an_action_assigned_to_a_person_tells_them(
    client, alice, pat, assessment, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    data = {
        "description": "Flag every case",
        "agency": "police",
        "owner": str(pat.pk),
        "due_0": "27",
        "due_1": "9",
        "due_2": "2025",
        "priority": "high",
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/assessments/{assessment.code}/actions/new", data)
    assert [(m.to[0], m.subject) for m in mail.outbox] == [
        ("pat@example.org", "An action is assigned to you")
    ]
    assert "27 September 2025" in mail.outbox[0].body


def test_people_turn_off_optional_emails_but_not_essential_ones(
    client, pat, sam, assessment, django_capture_on_commit_callbacks
):
    client.force_login(pat)
    response = client.post(
        "/notifications/settings",
        {"wanted": ["submitted"]},  # resolved and the rest: off
    )
    assert response.status_code == 302
    assert "challenge_resolved" in NotificationSettings.objects.get(user=pat).muted
    with django_capture_on_commit_callbacks(execute=True):
        challenge = raise_challenge(assessment=assessment, user=sam, text="Why?")
        respond(challenge=challenge, user=pat, text="Because")
        resolve(challenge=challenge, user=sam, text="Fine")
    assert [m.subject for m in to("pat@example.org")] == []  # the whole-cycle one tells leads
    question = Theme.objects.get(framework=assessment.framework, code="AA").questions.get(
        code="AA-01"
    )
    with django_capture_on_commit_callbacks(execute=True):
        raise_challenge(assessment=assessment, user=sam, text="And this?", question=question)
    assert [m.subject for m in to("pat@example.org")] == ["A challenge on AA-01 needs a response"]


def test_the_weekly_digest_replaces_single_optional_emails(
    alice, pat, assessment, django_capture_on_commit_callbacks
):
    NotificationSettings.objects.create(user=pat, weekly_digest=True)
    theme = Theme.objects.get(framework=assessment.framework, code="AA")
    assignment = Assignment.objects.create(assessment=assessment, theme=theme, agency="police")
    with django_capture_on_commit_callbacks(execute=True):
        notifications.theme_assigned(assessment, [assignment], alice)
    assert to("pat@example.org") == []
    out = StringIO()
    call_command("send_reminders", stdout=out)
    (digest,) = to("pat@example.org")
    assert digest.subject == "Your weekly summary: 1 update"
    assert "Theme AA is assigned to your agency" in digest.body
    call_command("send_reminders", stdout=StringIO())
    assert len(to("pat@example.org")) == 1  # a week must pass before the next


def test_reminders_are_sent_once_for_due_soon_then_overdue_weekly(alice, pat, assessment):
    today = timezone.localdate()
    soon = Action.objects.create(
        assessment=assessment,
        agency="police",
        owner=pat,
        description="Soon",
        due=today + timedelta(days=14),
    )
    late = Action.objects.create(
        assessment=assessment,
        agency="police",
        owner=pat,
        description="Late",
        due=today - timedelta(days=1),
    )
    Action.objects.create(  # done: no reminder
        assessment=assessment,
        agency="police",
        owner=pat,
        description="Done",
        due=today,
        status="done",
    )
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert "2 reminders recorded, 2 emails sent" in out.getvalue()
    subjects = sorted(m.subject for m in to("pat@example.org"))
    assert subjects == [
        f"An action of yours is due on {soon.due:%-d %B %Y}",
        f"Overdue since {late.due:%-d %B %Y}: an action of yours",
    ]
    for _ in range(3):  # hourly runs the same day send nothing new
        call_command("send_reminders", stdout=StringIO())
    assert len(to("pat@example.org")) == 2
    # A week later the overdue one again; the due-soon one was already reminded.
    assert notifications.due_reminders(today + timedelta(days=7)) == 1
    assert notifications.due_reminders(today + timedelta(days=7)) == 0
    # Once the due-soon one is past its date it is overdue too.
    assert notifications.due_reminders(today + timedelta(days=15)) == 2
    assert Notification.objects.filter(kind="action_overdue").count() == 4


def test_an_email_goes_through_a_real_smtp_server(settings, alice, pat, assessment):
    """The production path: Django's SMTP backend to a server listening on the loopback."""
    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        Action.objects.create(
            assessment=assessment,
            agency="police",
            owner=pat,
            description="Flag every case",
            due=date.today(),
        )
        call_command("send_reminders", stdout=StringIO())
    finally:
        controller.stop()
    (envelope,) = received
    assert envelope.rcpt_tos == ["pat@example.org"]
    content = envelope.content.decode()
    assert "Flag every case" in content
    assert "text/plain" in content and "text/html" in content


def test_the_settings_page_needs_sign_in(client):
    assert client.get("/notifications/settings").status_code == 302


def test_challenges_in_other_partnerships_tell_nobody_here(
    charlie, partnership_b, pat, alice, django_capture_on_commit_callbacks
):
    theirs = make_assessment(partnership_b)
    with django_capture_on_commit_callbacks(execute=True):
        Challenge.objects.none()
        raise_challenge(assessment=theirs, user=charlie, text="Theirs")
    assert to("pat@example.org") == [] and to("alice@example.org") == []
