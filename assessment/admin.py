from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from simple_history.admin import SimpleHistoryAdmin

from assessment.access import used_two_factor
from assessment.accounts import two_factor_step
from assessment.models import (
    Framework,
    Invitation,
    Membership,
    Partnership,
    Question,
    Role,
    Theme,
    User,
)


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "last_login"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal details", {"fields": ["name"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    filter_horizontal = ["groups"]

    def save_model(self, request, obj, form, change):
        if change and "email" in form.changed_data:
            obj.change_email(obj.email)
        else:
            super().save_model(request, obj, form, change)


class MembershipFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        leads = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("role") == Role.LEAD
        ]
        if self.instance.pk and not leads:
            raise ValidationError("A partnership must keep at least one lead.")


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = MembershipFormSet
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "agency"]


@admin.register(Partnership)
class PartnershipAdmin(SimpleHistoryAdmin):
    list_display = ["name", "nation", "area", "requires_two_factor", "created"]
    list_filter = ["nation"]
    search_fields = ["name", "area"]
    readonly_fields = ["code", "created"]
    inlines = [MembershipInline]

    def save_formset(self, request, form, formset, change):
        # The last-lead rule lives in the model; the admin must not bypass it.
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.remove()
        for obj in instances:
            if obj.pk:
                obj.change(role=obj.role, agency=obj.agency)
            else:
                obj.save()
        formset.save_m2m()


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "partnership", "role", "agency", "state", "expires_at"]
    list_filter = ["role", "agency"]
    search_fields = ["email", "partnership__name"]
    readonly_fields = [f.name for f in Invitation._meta.fields]

    def has_add_permission(self, request):
        return False  # invitations are sent from the members page, which emails the link


class ReadOnlyAdmin(admin.ModelAdmin):
    """The question bank YAML is the source of truth: the admin only shows it."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ThemeInline(admin.TabularInline):
    model = Theme
    fields = readonly_fields = ("order", "code", "title", "report_part")
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Framework)
class FrameworkAdmin(ReadOnlyAdmin):
    list_display = ["title", "slug", "version", "loaded_at"]
    inlines = [ThemeInline]


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin):
    list_display = ["code", "text", "kind", "weight", "critical"]
    list_filter = ["theme__framework", "kind", "critical"]
    search_fields = ["code", "text"]


@admin.register(Theme)
class ThemeAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "framework"]


# Staff sign in through the service's own sign-in (allauth: throttled, with two-factor
# authentication), never the admin's password form, and every staff session must have entered
# a code from an authenticator app.
def _two_factor_admin_login(request: HttpRequest, extra_context=None) -> HttpResponse:
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("admin:index")
    if not used_two_factor(request):
        return two_factor_step(
            request, "Staff accounts must use two-factor authentication.", next_url=next_url
        )
    return redirect(next_url)


_staff_permission = admin.site.has_permission
# The default site is changed in place, so that every app's registrations stay on it.
admin.site.has_permission = lambda request: _staff_permission(request) and used_two_factor(request)  # type: ignore[method-assign]
admin.site.login = secure_admin_login(_two_factor_admin_login)  # type: ignore[method-assign]
