"""Accepting an invitation: the one page an outsider can reach with a secret link."""

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from assessment.forms.partnerships import NewAccountForm
from assessment.models import Invitation, Membership, User

_STATUS = {"accepted": 410, "cancelled": 410, "expired": 410}


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = Invitation.find(token)
    if invitation is None:
        return render(
            request, "assessment/invitations/unusable.html", {"reason": "invalid"}, status=404
        )
    if invitation.state != "pending":
        return render(
            request,
            "assessment/invitations/unusable.html",
            {"reason": invitation.state, "invitation": invitation},
            status=_STATUS[invitation.state],
        )
    context = {"invitation": invitation, "partnership": invitation.partnership}

    if request.user.is_authenticated:
        if request.user.email.lower() != invitation.email:
            return render(request, "assessment/invitations/wrong_email.html", context, status=403)
        already = Membership.objects.filter(
            partnership=invitation.partnership, user=request.user
        ).first()
        if request.method == "POST":
            return _accept(request, invitation)
        return render(
            request, "assessment/invitations/confirm.html", {**context, "already": already}
        )

    if User.objects.filter(email__iexact=invitation.email).exists():
        login_url = f"{reverse('account_login')}?{urlencode({'next': request.path})}"
        return render(
            request, "assessment/invitations/sign_in.html", {**context, "login_url": login_url}
        )

    form = NewAccountForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email=invitation.email,
                    password=form.cleaned_data["password1"],
                    name=form.cleaned_data["name"],
                )
                response = _accept(request, invitation, new_user=user)
        except IntegrityError:
            # The form sent twice at once (a double click): the other request made the account.
            # The link now offers to sign in.
            return redirect(request.path)
        return response
    return render(request, "assessment/invitations/new_account.html", {**context, "form": form})


def _accept(
    request: HttpRequest, invitation: Invitation, new_user: User | None = None
) -> HttpResponse:
    user = new_user if new_user is not None else request.user
    if not isinstance(user, User):  # the callers accept only for a signed-in or new person
        raise PermissionDenied
    already = Membership.objects.filter(partnership=invitation.partnership, user=user).exists()
    try:
        membership = invitation.accept(user)
    except ValidationError as error:
        # Someone used or cancelled the link between the page loading and this click.
        return render(
            request,
            "assessment/invitations/unusable.html",
            {"reason": "race", "message": error.messages[0]},
            status=410,
        )
    if new_user is not None:
        login(request, new_user, backend="django.contrib.auth.backends.ModelBackend")
    if already:
        messages.info(
            request,
            f"You are already a member of {membership.partnership}. Your role has not changed.",
        )
        return redirect("partnership_home", code=membership.partnership.code)
    return redirect("joined", code=membership.partnership.code)
