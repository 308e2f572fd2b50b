import pytest
from django.db import IntegrityError

from assessment.models import LastLeadError, Membership, Role
from tests.factories import make_member, make_user


def test_one_membership_per_person_and_partnership(alice, partnership_a):
    with pytest.raises(IntegrityError):
        make_member(partnership_a, alice)


def test_the_last_lead_rule_in_the_model(alice, bob):
    lead = Membership.objects.get(user=alice)
    with pytest.raises(LastLeadError):
        lead.change(role=Role.VIEWER, agency=lead.agency)
    with pytest.raises(LastLeadError):
        lead.remove()
    Membership.objects.get(user=bob).change(role=Role.LEAD, agency="other")
    lead.remove()
    assert not Membership.objects.filter(user=alice).exists()


def test_demoting_a_non_lead_needs_no_other_lead(alice, partnership_a):
    member = make_member(partnership_a, make_user("dana@example.org"), Role.CONTRIBUTOR)
    member.change(role=Role.VIEWER, agency="health")
    member.refresh_from_db()
    assert (member.role, member.agency) == (Role.VIEWER, "health")
