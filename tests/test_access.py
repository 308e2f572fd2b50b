"""The access rules in assessment/access.py, tested directly."""

import uuid

import pytest
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from assessment.access import RIGHTS, Right, TwoFactorRequired, partnership_access, partnerships_of
from assessment.models import Role
from tests.factories import make_member, make_partnership


def request_for(user):
    request = RequestFactory().get("/")
    request.user = user
    request.session = SessionBase()  # in memory: the access helpers only read it
    return request


def test_a_member_gets_the_partnership_and_their_rights(alice, partnership_a):
    access = partnership_access(request_for(alice), partnership_a.code)
    assert access.partnership == partnership_a
    assert access.role == Role.LEAD
    assert access.can_manage and access.can_answer and access.can_comment


def test_it_remembers_the_current_partnership(alice, partnership_a):
    request = request_for(alice)
    partnership_access(request, partnership_a.code)
    assert request.session["partnership"] == str(partnership_a.code)


def test_an_outsider_gets_404(charlie, partnership_a):
    with pytest.raises(Http404):
        partnership_access(request_for(charlie), partnership_a.code)


def test_a_guessed_code_gets_404(alice):
    with pytest.raises(Http404):
        partnership_access(request_for(alice), uuid.uuid4())


def test_a_viewer_can_read_but_not_change(bob, partnership_a):
    assert partnership_access(request_for(bob), partnership_a.code).role == Role.VIEWER
    for right in (Right.ANSWER, Right.COMMENT, Right.MANAGE):
        with pytest.raises(PermissionDenied):
            partnership_access(request_for(bob), partnership_a.code, right)


@pytest.mark.parametrize(
    ("role", "rights"),
    [
        (Role.LEAD, {Right.READ, Right.ANSWER, Right.COMMENT, Right.MANAGE}),
        (Role.CONTRIBUTOR, {Right.READ, Right.ANSWER}),
        (Role.SCRUTINEER, {Right.READ, Right.COMMENT}),
        (Role.VIEWER, {Right.READ}),
    ],
)
def test_each_role_has_exactly_its_rights(role, rights):
    assert RIGHTS[role] == rights


def test_two_factor_requirement_blocks_sessions_that_have_not_entered_a_code(alice, partnership_a):
    partnership_a.requires_two_factor = True
    partnership_a.save()
    with pytest.raises(TwoFactorRequired):
        partnership_access(request_for(alice), partnership_a.code)
    alice.authenticator_set.create(type="totp", data={"secret": "JBSWY3DPEHPK3PXP"})
    with pytest.raises(TwoFactorRequired):  # a device is not a code entered in this session
        partnership_access(request_for(alice), partnership_a.code)
    request = request_for(alice)
    request.session = {
        "account_authentication_methods": [{"method": "mfa", "type": "totp"}],
        "account_authentication_methods_user": str(alice.pk),
    }
    assert partnership_access(request, partnership_a.code).partnership == partnership_a


def test_lists_hold_only_the_persons_own_partnerships(alice, charlie, partnership_a, partnership_b):
    third = make_partnership("Third")
    make_member(third, alice)
    assert {m.partnership for m in partnerships_of(alice)} == {partnership_a, third}
    assert {m.partnership for m in partnerships_of(charlie)} == {partnership_b}
