from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from assessment.models import Invitation, Membership, Partnership, Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def create(**options) -> str:
    out = StringIO()
    call_command("create_partnership", stdout=out, **options)
    return out.getvalue()


def test_it_invites_a_new_lead_and_prints_the_link():
    output = create(
        name="Westshire Partnership", nation="england", area="Westshire", lead="new@example.org"
    )
    partnership = Partnership.objects.get(name="Westshire Partnership")
    invitation = Invitation.objects.get(partnership=partnership)
    assert (invitation.email, invitation.role) == ("new@example.org", Role.LEAD)
    assert "/invitations/" in output


def test_an_existing_account_becomes_lead_at_once():
    user = make_user("known@example.org")
    create(name="Westshire Partnership", nation="wales", area="Westshire", lead="Known@example.org")
    assert Membership.objects.get(user=user).role == Role.LEAD


def test_a_duplicate_name_is_refused():
    create(name="Westshire Partnership", nation="england", area="Westshire", lead="a@example.org")
    with pytest.raises(CommandError, match="already exists"):
        create(
            name="westshire partnership", nation="england", area="Westshire", lead="a@example.org"
        )
