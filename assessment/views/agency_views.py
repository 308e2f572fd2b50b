"""Shared themes: an agency's view (the theme page's own form and save path), submitting it,
the moderation page that sets the views side by side, settling one question, naming a
moderator, an agency's dissent, and the results of each agency's views."""

import uuid
from typing import TypedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from assessment import agency_views, moderation
from assessment.access import AssessmentAccess, AuthenticatedHttpRequest, Right, assessment_access
from assessment.agency_views import agency_label, is_shared, may_read_views
from assessment.forms.answers import AnswerForm
from assessment.forms.moderation import DissentForm, ModerationNoteForm, ModeratorForm
from assessment.models import (
    AssessmentLocked,
    Dissent,
    Membership,
    Moderation,
    Option,
    Question,
    Role,
    Theme,
)
from assessment.models.assessment import AnswerValues
from assessment.pii import WARNING
from assessment.views.answers import ThemePage, _errors, handle_autosave, handle_post
from assessment.workflow import Change, values_of


def _may_read(page: ThemePage) -> bool:
    rows = {row["agency"]: row for row in page.shared_rows}
    return bool(rows[page.agency]["url"])


@login_required
def agency_view(
    request: AuthenticatedHttpRequest, code: uuid.UUID, theme: str, agency: str
) -> HttpResponse:
    """One agency's view of a shared theme: its members give it on the theme page's own form;
    others read it once it is submitted (an agency given the theme, once it has submitted its
    own)."""
    access = assessment_access(request, code)
    page = ThemePage(access, theme, agency=agency)
    if request.method != "POST":
        if not _may_read(page):
            raise PermissionDenied(
                f"You can read {agency_label(agency)}'s view once it is submitted"
                + (" and your agency has submitted its own." if page.shared_rows else ".")
            )
        return page.render(request, page.forms())
    return handle_post(request, page)


@login_required
@require_POST
def agency_autosave(
    request: AuthenticatedHttpRequest, code: uuid.UUID, theme: str, agency: str
) -> HttpResponse:
    return handle_autosave(request, ThemePage(assessment_access(request, code), theme, agency))


@login_required
@require_POST
def submit_agency_view(
    request: AuthenticatedHttpRequest, code: uuid.UUID, theme: str, agency: str
) -> HttpResponse:
    access = assessment_access(request, code)
    page = ThemePage(access, theme, agency=agency)
    if not page.editable:
        raise PermissionDenied("You cannot submit this agency's view.")
    try:
        moderation.submit_view(
            assessment=access.assessment, theme=page.theme, agency=agency, user=request.user
        )
    except AssessmentLocked as error:
        raise PermissionDenied(error.messages[0]) from None
    except ValidationError as error:
        return page.render(
            request, page.forms(), status=400, errors=[("submit-view", m) for m in error.messages]
        )
    messages.success(request, f"{agency_label(agency)}'s view of {page.theme.title} submitted")
    return redirect(page.url)


class SharedTheme:
    """A shared theme as its lead or moderator sees it (404 if not shared, 403 otherwise)."""

    def __init__(self, access: AssessmentAccess, theme_code: str):
        assessment = access.assessment
        self.access = access
        self.theme = get_object_or_404(
            Theme.objects.all(), framework=assessment.framework, code=theme_code
        )
        self.agencies = agency_views.assigned_agencies(assessment).get(self.theme.pk, [])
        if not is_shared(self.agencies):
            raise Http404("This theme is not given to several agencies")
        nation = assessment.partnership.nation
        self.questions = [
            q
            for q in self.theme.questions.order_by("order").prefetch_related(
                Prefetch("options", Option.objects.order_by("order"))
            )
            if q.applies_to(nation)
        ]
        for question in self.questions:
            question.theme = self.theme
        moderator = agency_views.moderator_of(assessment, self.theme)
        self.moderator = moderator
        self.is_moderator = moderator is not None and moderator.user_id == access.membership.user_id
        if not (access.can_manage or self.is_moderator):
            raise PermissionDenied("Only a lead or the theme's moderator compares the views.")
        self.may_settle = agency_views.may_moderate(access.membership, assessment, self.theme)

    def views(self) -> agency_views.ThemeViews:
        submitted = set(
            self.access.assessment.agency_submissions.filter(theme=self.theme).values_list(
                "agency", flat=True
            )
        )
        visible = {
            a: may_read_views(
                self.access.membership,
                a,
                assigned=self.agencies,
                submitted=submitted,
                moderator=True,
            )
            for a in self.agencies
        }
        return agency_views.theme_views(
            self.access.assessment,
            self.theme,
            self.questions,
            agencies=self.agencies,
            visible=visible,
        )


@login_required
def moderate_theme(request: AuthenticatedHttpRequest, code: uuid.UUID, theme: str) -> HttpResponse:
    """The agencies' views of a shared theme side by side, disagreements highlighted."""
    access = assessment_access(request, code)
    shared = SharedTheme(access, theme)
    members = _moderator_candidates(access)
    return render(
        request,
        "assessment/agencies/moderate_theme.html",
        {
            "access": access,
            "assessment": access.assessment,
            "theme": shared.theme,
            "shared": shared,
            "views": shared.views(),
            "moderator_form": ModeratorForm(
                members=members,
                current=_current_moderator(shared, members),
            )
            if access.can_manage and not access.assessment.is_locked
            else None,
        },
    )


def _moderator_candidates(access: AssessmentAccess) -> list[Membership]:
    return list(
        Membership.objects.filter(
            partnership=access.partnership, role__in=(Role.LEAD, Role.CONTRIBUTOR)
        ).select_related("user")
    )


def _current_moderator(shared: SharedTheme, members: list[Membership]) -> str:
    if shared.moderator is None:
        return ""
    return next((str(m.code) for m in members if m.user_id == shared.moderator.user_id), "")


@login_required
@require_POST
def name_moderator(request: AuthenticatedHttpRequest, code: uuid.UUID, theme: str) -> HttpResponse:
    access = assessment_access(request, code, Right.MANAGE)
    shared = SharedTheme(access, theme)
    members = _moderator_candidates(access)
    form = ModeratorForm(request.POST, members=members)
    if not form.is_valid():
        return render(
            request,
            "assessment/agencies/moderate_theme.html",
            {
                "access": access,
                "assessment": access.assessment,
                "theme": shared.theme,
                "shared": shared,
                "views": shared.views(),
                "moderator_form": form,
            },
            status=400,
        )
    chosen = form.members.get(form.cleaned_data["moderator"])
    try:
        moderation.name_moderator(
            assessment=access.assessment, theme=shared.theme, user=request.user, moderator=chosen
        )
    except AssessmentLocked as error:
        raise PermissionDenied(error.messages[0]) from None
    messages.success(
        request,
        f"{chosen.user} now moderates {shared.theme.title}"
        if chosen
        else f"Only leads moderate {shared.theme.title}",
    )
    return redirect("moderate_theme", code=access.assessment.code, theme=shared.theme.code)


class _AnswerFormArgs(TypedDict):
    """What the moderation page's ``AnswerForm`` is made with, whether bound or not."""

    question: Question
    options: list[Option]
    answer: AnswerValues | None
    nation: str
    framework_url: str
    editable: bool
    complete: bool


def _question(shared: SharedTheme, code: str) -> Question:
    question = next((q for q in shared.questions if q.code == code), None)
    if question is None:
        raise Http404("No such question in this theme")
    return question


@login_required
def moderate_question(
    request: AuthenticatedHttpRequest, code: uuid.UUID, theme: str, question: str
) -> HttpResponse:
    """Settle the partnership answer to one question: start from an agency's view (or the
    answer as it stands), change what the partnership agrees, and say why."""
    access = assessment_access(request, code)
    shared = SharedTheme(access, theme)
    q = _question(shared, question)
    views = shared.views()
    row = next(r for r in views.questions if r.question.pk == q.pk)
    framework = access.assessment.framework
    form_args: _AnswerFormArgs = {
        "question": q,
        "options": list(q.options.all()),
        "answer": row.answer,
        "nation": access.partnership.nation,
        "framework_url": reverse("framework_detail", args=[framework.slug, framework.version]),
        "editable": shared.may_settle,
        "complete": True,
    }
    started_from = request.POST.get("started_from") or request.GET.get("from", "")
    if started_from and started_from not in row.views:
        started_from = ""  # not a submitted view this person may read
    conflict: AnswerValues | None = None
    conflicted = False
    if request.method == "POST":
        if not shared.may_settle:
            raise PermissionDenied("You cannot settle this theme's answers.")
        form = AnswerForm(request.POST, **form_args)
        note_form = ModerationNoteForm(request.POST, code=q.code)
        if form.is_valid() and note_form.is_valid():
            change = Change(
                q,
                form.answer_values(),
                form.cleaned_data["version"],
                personal_data_confirmed=form.personal_data_confirmed,
            )
            try:
                result = moderation.moderate(
                    assessment=access.assessment,
                    change=change,
                    note=note_form.cleaned_data["note"],
                    started_from=started_from,
                    user=request.user,
                )
            except AssessmentLocked as error:
                raise PermissionDenied(error.messages[0]) from None
            except ValidationError as error:
                note_form.add_error("note", error.messages[0])
            else:
                if result.ok:
                    messages.success(request, f"Partnership answer to {q.code} settled")
                    return redirect(
                        reverse("moderate_theme", args=[access.assessment.code, theme])
                        + f"#{q.code}"
                    )
                # Someone changed the partnership answer meanwhile: keep what this person
                # typed, on the version now stored, and show what the other person saved.
                # None: the answer this person started from is no longer stored at all.
                conflict = result.conflicts[0].theirs
                conflicted = True
                data = request.POST.copy()
                data[f"{q.code}-version"] = str(conflict.version if conflict is not None else 0)
                retried: _AnswerFormArgs = {**form_args, "answer": conflict}
                form = AnswerForm(data, **retried)
                form.is_valid()
    else:
        form = AnswerForm(**form_args)
        if started_from:
            form.start_from(values_of(row.views[started_from]))
        note_form = ModerationNoteForm(
            initial={"note": row.moderation.note if row.moderation else ""}, code=q.code
        )
    errors = _errors(form) if form.is_bound else []
    if note_form.is_bound:
        errors += [("id_note", str(m)) for m in note_form.errors.get("note", [])]
    if conflict is not None:
        errors.insert(
            0,
            (
                f"conflict-{q.code}",
                f"{q.code}: someone else changed the partnership answer while you were working. "
                "Check their answer below, then save yours again",
            ),
        )
    elif conflicted:
        errors.insert(
            0,
            (
                f"id_{q.code}-evidence",
                f"{q.code}: the partnership answer you started from is no longer saved. "
                "Check your answer, then save it again",
            ),
        )
    return render(
        request,
        "assessment/agencies/moderate_question.html",
        {
            "access": access,
            "assessment": access.assessment,
            "theme": shared.theme,
            "shared": shared,
            "row": row,
            "question": q,
            "agencies": shared.agencies,
            "form": form,
            "note_form": note_form,
            "started_from": started_from,
            "errors": errors,
            "conflict": conflict,
            "pii_warning": WARNING if form.pii_findings or note_form.errors else None,
        },
        status=200,  # like the theme page whose form it shows: errors are in the page
    )


@login_required
def record_dissent(
    request: AuthenticatedHttpRequest, code: uuid.UUID, theme: str, question: str
) -> HttpResponse:
    """An agency given a shared theme records that it does not accept the settled answer."""
    access = assessment_access(request, code)
    assessment = access.assessment
    theme_obj = get_object_or_404(Theme, framework=assessment.framework, code=theme)
    agencies = agency_views.assigned_agencies(assessment).get(theme_obj.pk, [])
    if not is_shared(agencies):
        raise Http404("This theme is not given to several agencies")
    q = get_object_or_404(Question, theme=theme_obj, code=question)
    agency = access.membership.agency
    if (
        agency not in agencies
        or access.membership.role not in (Role.LEAD, Role.CONTRIBUTOR)
        or assessment.is_locked
    ):
        raise PermissionDenied("Only an agency given this theme records its dissent.")
    settled = Moderation.objects.filter(assessment=assessment, question=q).first()
    existing = Dissent.objects.filter(assessment=assessment, question=q, agency=agency).first()
    status = 200
    if request.method == "POST" and settled is not None:
        form = DissentForm(request.POST, code=q.code)
        if form.is_valid():
            try:
                moderation.record_dissent(
                    assessment=assessment,
                    question=q,
                    agency=agency,
                    text=form.cleaned_data["text"],
                    user=request.user,
                )
            except AssessmentLocked as error:
                raise PermissionDenied(error.messages[0]) from None
            except ValidationError as error:
                form.add_error("text", error.messages[0])
            else:
                messages.success(request, f"{agency_label(agency)}'s dissent on {q.code} recorded")
                return redirect("theme", code=assessment.code, theme=theme_obj.code)
        status = 400
    else:
        form = DissentForm(initial={"text": existing.text if existing else ""}, code=q.code)
    answer = assessment.answers.filter(question=q).first()
    return render(
        request,
        "assessment/agencies/dissent.html",
        {
            "access": access,
            "assessment": assessment,
            "theme": theme_obj,
            "question": q,
            "agency": agency,
            "answer": answer,
            "settled": settled,
            "form": form,
            "existing": existing,
        },
        status=status,
    )


@login_required
def agency_results(request: AuthenticatedHttpRequest, code: uuid.UUID) -> HttpResponse:
    """Each agency's submitted views scored as if they were the answers, theme by theme, next
    to the partnership's: for the partnership's own use (the board's record is the
    partnership answer)."""
    access = assessment_access(request, code)
    return render(
        request,
        "assessment/agencies/results.html",
        {
            "access": access,
            "assessment": access.assessment,
            "table": agency_views.agency_results(access.assessment),
        },
    )
