"""Who may see and change what. Every view that shows partnership data starts here.

Outsiders get 404 (the same answer for a guessed code as for a real one they cannot see), members
whose role lacks the right get 403. List queries filter by membership in the database.
"""

import enum
import uuid
from dataclasses import dataclass

from allauth.account.authentication import get_authentication_records
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from assessment.models import Assessment, Membership, Partnership, Role, Status, User


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind ``login_required``: its user is a signed-in person."""

    user: User


class Right(enum.Enum):
    READ = "read"
    ANSWER = "answer"  # answer questions and update actions (contributors: their agency's)
    COMMENT = "comment"
    MANAGE = "manage"  # invite, change roles, assign themes, sign off, reopen


RIGHTS: dict[str, frozenset[Right]] = {
    Role.LEAD: frozenset(Right),
    Role.CONTRIBUTOR: frozenset({Right.READ, Right.ANSWER}),
    Role.SCRUTINEER: frozenset({Right.READ, Right.COMMENT}),
    Role.VIEWER: frozenset({Right.READ}),
}


class TwoFactorRequired(PermissionDenied):
    """The partnership requires two-factor authentication and this session has not used it."""

    def __init__(self, partnership: Partnership):
        super().__init__(partnership.name)
        self.partnership = partnership


@dataclass(frozen=True)
class Access:
    """A person's place in one partnership, and what it lets them do."""

    partnership: Partnership
    membership: Membership

    @property
    def role(self) -> str:
        return self.membership.role

    def may(self, right: Right) -> bool:
        return right in RIGHTS[self.membership.role]

    @property
    def can_manage(self) -> bool:
        return self.may(Right.MANAGE)

    @property
    def can_answer(self) -> bool:
        return self.may(Right.ANSWER)

    @property
    def can_comment(self) -> bool:
        return self.may(Right.COMMENT)

    def may_update_response(self, entry) -> bool:
        """Leads update every register entry, contributors those their agency leads."""
        if self.can_manage:
            return True
        return (
            self.can_answer
            and bool(entry.lead_agency)
            and (entry.lead_agency == self.membership.agency)
        )


@dataclass(frozen=True)
class AssessmentAccess(Access):
    """A person's place in the partnership that owns an assessment."""

    assessment: Assessment

    @property
    def can_comment(self) -> bool:
        """Comments are part of the signed record, so none are added once it is signed off."""
        return self.may(Right.COMMENT) and not self.assessment.is_locked

    def may_edit_theme(self, assigned_agencies: set[str]) -> bool:
        """Leads edit any theme until sign-off; contributors edit drafts of themes given to their
        agency (or given to nobody yet)."""
        if self.assessment.is_locked:
            return False
        if self.can_manage:
            return True
        if not self.can_answer or self.assessment.status != Status.DRAFT:
            return False
        return not assigned_agencies or self.membership.agency in assigned_agencies

    @property
    def plan_is_live(self) -> bool:
        """The action plan stays the partnership's working plan after sign-off, until a next
        cycle is started from this one (its open actions then move there)."""
        return not self.assessment.carried_into.exists()

    def may_add_action(self) -> bool:
        return self.can_manage and self.plan_is_live

    def may_update_action(self, action) -> bool:
        """Leads update every action, contributors those their agency owns, and the named owner
        (from any agency) their own, while the plan is live."""
        if not self.plan_is_live:
            return False
        if self.can_manage or action.owner_id == self.membership.user_id:
            return True
        return self.can_answer and action.agency == self.membership.agency

    def may_respond(self, challenge, assigned: set[str]) -> bool:
        """Leads respond to any challenge; contributors to those on their agency's questions and
        themes (``assigned``: the agencies given the challenge's theme), or on the whole cycle."""
        if self.can_manage:
            return True
        if not self.can_answer:
            return False
        concerned = challenge.agencies_concerned(assigned)
        return concerned is None or self.membership.agency in concerned


def has_two_factor(user) -> bool:
    """Whether the person has an authenticator app set up (not whether they used it today)."""
    return user.authenticator_set.filter(type="totp").exists()


def used_two_factor(request: HttpRequest) -> bool:
    """Whether this session entered a code from an authenticator app or a recovery code.

    allauth records each step of signing in in the session. A device on the account is not
    enough: a session that got in with a password alone (the admin's old form, a session from
    before the device) must not pass a two-factor requirement.
    """
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def partnership_access(
    request: HttpRequest, code: uuid.UUID | str, need: Right = Right.READ
) -> Access:
    """The partnership with ``code`` as the signed-in person sees it.

    Raises Http404 unless they are a member, PermissionDenied (403) unless their role has
    ``need``, and TwoFactorRequired when the partnership demands two-factor authentication that
    this session has not used. Remembers the partnership as the person's current one.
    """
    if not request.user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.select_related("partnership")
        .filter(partnership__code=code, user=request.user)
        .first()
    )
    if membership is None:
        raise Http404("No such partnership")
    partnership = membership.partnership
    if partnership.requires_two_factor and not used_two_factor(request):
        raise TwoFactorRequired(partnership)
    access = Access(partnership=partnership, membership=membership)
    if not access.may(need):
        raise PermissionDenied(f"Your role ({membership.get_role_display()}) cannot do this.")
    if request.session.get("partnership") != str(partnership.code):
        request.session["partnership"] = str(partnership.code)
    return access


def partnerships_of(user) -> QuerySet[Membership]:
    """The signed-in person's memberships, with their partnerships, for lists and the header."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user)
        .select_related("partnership")
        .order_by("partnership__name")
    )


def assessment_access(
    request: HttpRequest, code: uuid.UUID | str, need: Right = Right.READ
) -> AssessmentAccess:
    """The assessment with ``code`` as the signed-in person sees it (404 outsider, 403 no right)."""
    assessment = (
        Assessment.objects.select_related("partnership", "framework", "carried_from")
        .filter(code=code)
        .first()
        if request.user.is_authenticated
        else None
    )
    if assessment is None:
        raise Http404("No such assessment")
    access = partnership_access(request, assessment.partnership.code, need)
    return AssessmentAccess(
        partnership=access.partnership, membership=access.membership, assessment=assessment
    )
