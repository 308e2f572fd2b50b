"""Partnerships and their people: overview, members, invitations, settings."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from assessment import register
from assessment.access import (
    AuthenticatedHttpRequest,
    Right,
    has_two_factor,
    partnership_access,
    partnerships_of,
)
from assessment.forms.governance import RepresentativesForm
from assessment.forms.partnerships import InvitationForm, MembershipForm, PartnershipSettingsForm
from assessment.governance import APPROVER_ROLES, open_challenges, representatives_of
from assessment.models import Invitation, LastLeadError, Partnership, Role, statutory_partners
from assessment.results import dashboard


@login_required
def partnership_list(request: HttpRequest) -> HttpResponse:
    """The partnerships the person belongs to: where they switch between them."""
    memberships = partnerships_of(request.user)
    return render(
        request, "assessment/partnerships/partnership_list.html", {"memberships_list": memberships}
    )


@login_required
def partnership_home(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """The partnership's dashboard: its cycles, and the current one's progress and findings."""
    access = partnership_access(request, code)
    assessments = list(
        access.partnership.assessments.select_related("framework", "partnership")
        .prefetch_related("snapshots")
        .order_by("-period_end")
    )
    context = {
        "access": access,
        "assessments": assessments,
        "register_flags": register.flags(list(register.entries(access.partnership))),
    }
    if assessments:
        context.update(dashboard(assessments))
        context["open_challenges"] = open_challenges(assessments[0])
    return render(request, "assessment/partnerships/partnership_home.html", context)


@login_required
def members(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    access = partnership_access(request, code)
    people = access.partnership.memberships.select_related("user").order_by(
        "user__name", "user__email"
    )
    invitations: list[Invitation] | QuerySet[Invitation] = []
    if access.can_manage:
        invitations = access.partnership.invitations.pending().select_related("invited_by")
    lead_count = sum(1 for m in people if m.role == Role.LEAD)
    return render(
        request,
        "assessment/partnerships/members.html",
        {"access": access, "people": people, "invitations": invitations, "lead_count": lead_count},
    )


def _send_invitation(request: AuthenticatedHttpRequest, invitation: Invitation, token: str) -> None:
    link = request.build_absolute_uri(reverse("accept_invitation", args=[token]))
    inviter = request.user.get_full_name()
    send_mail(
        subject=f"You are invited to join {invitation.partnership.name}",
        message=(
            f"{inviter} has invited you to join {invitation.partnership.name} as "
            f"{invitation.get_role_display().lower()} ({invitation.get_agency_display()}) in the "
            f"service to assess the partnership's response to child sexual exploitation.\n\n"
            f"Open this link to accept. It works once and expires on "
            f"{invitation.expires_at:%d %B %Y}:\n\n{link}\n\n"
            "If you were not expecting this email, you can ignore it."
        ),
        from_email=None,
        recipient_list=[invitation.email],
    )


@login_required
def invite(request: AuthenticatedHttpRequest, code: uuid.UUID) -> HttpResponse:
    access = partnership_access(request, code, Right.MANAGE)
    form = InvitationForm(request.POST or None, partnership=access.partnership)
    if request.method == "POST" and form.is_valid():
        invitation, token = Invitation.create(
            partnership=access.partnership,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            agency=form.cleaned_data["agency"],
            invited_by=request.user,
        )
        _send_invitation(request, invitation, token)
        messages.success(request, f"Invitation sent to {invitation.email}")
        return redirect("members", code=access.partnership.code)
    return render(request, "assessment/partnerships/invite.html", {"access": access, "form": form})


@login_required
@require_POST
def resend_invitation(
    request: AuthenticatedHttpRequest, code: uuid.UUID, invitation: uuid.UUID
) -> HttpResponse:
    access = partnership_access(request, code, Right.MANAGE)
    pending = get_object_or_404(
        Invitation.objects.filter(
            partnership=access.partnership, accepted_at__isnull=True, cancelled_at__isnull=True
        ),
        code=invitation,
    )
    token = pending.renew()
    _send_invitation(request, pending, token)
    messages.success(
        request, f"Invitation sent again to {pending.email}. The earlier link no longer works."
    )
    return redirect("members", code=access.partnership.code)


@login_required
@require_POST
def cancel_invitation(request: HttpRequest, code: uuid.UUID, invitation: uuid.UUID) -> HttpResponse:
    access = partnership_access(request, code, Right.MANAGE)
    pending = get_object_or_404(access.partnership.invitations.pending(), code=invitation)
    pending.cancelled_at = timezone.now()
    pending.save(update_fields=["cancelled_at"])
    messages.success(request, f"Invitation to {pending.email} cancelled")
    return redirect("members", code=access.partnership.code)


@login_required
def change_member(request: HttpRequest, code: uuid.UUID, member: uuid.UUID) -> HttpResponse:
    access = partnership_access(request, code, Right.MANAGE)
    membership = get_object_or_404(
        access.partnership.memberships.select_related("user"), code=member
    )
    form = MembershipForm(
        request.POST or None, initial={"role": membership.role, "agency": membership.agency}
    )
    if request.method == "POST" and form.is_valid():
        try:
            membership.change(role=form.cleaned_data["role"], agency=form.cleaned_data["agency"])
        except LastLeadError as error:
            form.add_error("role", error.message)
        else:
            role, agency = membership.get_role_display(), membership.get_agency_display()
            messages.success(request, f"{membership.user} is now {role.lower()} ({agency})")
            return redirect("members", code=access.partnership.code)
    return render(
        request,
        "assessment/partnerships/change_member.html",
        {"access": access, "form": form, "member": membership},
    )


@login_required
def remove_member(request: HttpRequest, code: uuid.UUID, member: uuid.UUID) -> HttpResponse:
    access = partnership_access(request, code, Right.MANAGE)
    membership = get_object_or_404(
        access.partnership.memberships.select_related("user"), code=member
    )
    error = None
    if request.method == "POST":
        try:
            membership.remove()
        except LastLeadError as exc:
            error = exc.message
        else:
            messages.success(
                request, f"{membership.user} has been removed from {access.partnership}"
            )
            if membership.user_id == request.user.id:
                return redirect("partnership_list")
            return redirect("members", code=access.partnership.code)
    return render(
        request,
        "assessment/partnerships/remove_member.html",
        {"access": access, "member": membership, "error": error},
        status=400 if error else 200,
    )


@login_required
def partnership_settings(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    access = partnership_access(request, code, Right.MANAGE)
    partnership: Partnership = access.partnership
    posted = request.POST if request.method == "POST" else None
    saving_representatives = posted is not None and "representatives" in posted
    representatives = _representatives_form(partnership, posted if saving_representatives else None)
    if saving_representatives and representatives.is_valid():
        representatives.save()
        messages.success(request, "Statutory partners' representatives saved")
        return redirect("partnership_settings", code=partnership.code)
    form = PartnershipSettingsForm(
        None if saving_representatives else posted, partnership=partnership
    )
    if posted is not None and not saving_representatives and form.is_valid():
        partnership.change_settings(**form.cleaned_data)
        messages.success(request, "Settings saved")
        return redirect("partnership_home", code=partnership.code)
    without_2fa = (
        partnership.memberships.annotate(
            totp=Count("user__authenticator", filter=Q(user__authenticator__type="totp"))
        )
        .filter(totp=0)
        .select_related("user")
        .order_by("user__name", "user__email")
    )
    return render(
        request,
        "assessment/partnerships/settings.html",
        {
            "access": access,
            "form": form,
            "without_2fa": without_2fa,
            "representatives": representatives,
            "published": partnership.published_responses.order_by("-version"),
        },
        status=400 if representatives.errors else 200,
    )


def _representatives_form(partnership: Partnership, data) -> RepresentativesForm:
    members = list(
        partnership.memberships.filter(role__in=APPROVER_ROLES)
        .select_related("user")
        .order_by("user__name")
    )
    current = {p: m.code for p, m in representatives_of(partnership).items()}
    return RepresentativesForm(
        data,
        partners=statutory_partners(partnership.nation),
        members=members,
        partnership=partnership,
        initial={p: str(code) for p, code in current.items()},
    )


@login_required
def joined(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """Straight after accepting an invitation: welcome, and an offer to set up two-factor."""
    access = partnership_access(request, code)
    has_2fa = has_two_factor(request.user)
    return render(
        request, "assessment/partnerships/joined.html", {"access": access, "has_2fa": has_2fa}
    )
