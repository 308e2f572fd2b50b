"""The signed-in person's choice of email notifications."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from assessment.forms.notifications import NotificationSettingsForm
from assessment.models import NotificationSettings
from assessment.models.notification import OPTIONAL


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    """About the person only: no partnership's data, so no partnership access check."""
    choices = NotificationSettings.of(request.user)
    form = NotificationSettingsForm(
        request.POST or None,
        initial={
            "wanted": [k.value for k in OPTIONAL if k not in choices.muted],
            "weekly_digest": choices.weekly_digest,
        },
    )
    if request.method == "POST" and form.is_valid():
        wanted = set(form.cleaned_data["wanted"])
        choices.muted = [k.value for k in OPTIONAL if k not in wanted]
        choices.weekly_digest = form.cleaned_data["weekly_digest"]
        choices.save()
        messages.success(request, "Your email choices are saved")
        return redirect("notification_settings")
    return render(request, "assessment/notifications/settings.html", {"form": form})
