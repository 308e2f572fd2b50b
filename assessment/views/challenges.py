"""Challenges: the list, raising one, responding, and resolving or keeping it open."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from assessment import register
from assessment.access import (
    AssessmentAccess,
    AuthenticatedHttpRequest,
    Right,
    assessment_access,
    partnership_access,
)
from assessment.forms.governance import ChallengeForm, ResolveForm, ResponseForm
from assessment.governance import challenges_of
from assessment.models import Challenge, Question, Theme
from assessment.scrutiny import holding_cycle, keep_open, raise_challenge, resolve, respond


@login_required
def challenge_list(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """Every challenge on the cycle, open ones first, each with a link to its thread."""
    access = assessment_access(request, code)
    challenges = list(challenges_of(access.assessment))
    return render(
        request,
        "assessment/challenges/list.html",
        {
            "access": access,
            "assessment": access.assessment,
            "open": [c for c in challenges if c.is_open],
            "resolved": [c for c in challenges if not c.is_open],
        },
    )


def _subject(access: AssessmentAccess, data) -> tuple[Theme | None, Question | None]:
    """The theme and question named by ``theme`` and ``question`` (codes) in the request."""
    framework = access.assessment.framework
    theme = question = None
    if data.get("question"):
        question = (
            Question.objects.select_related("theme")
            .filter(theme__framework=framework, code=data["question"])
            .first()
        )
        if question is None or not question.applies_to(access.partnership.nation):
            raise Http404("No such question")
        theme = question.theme
    elif data.get("theme"):
        theme = get_object_or_404(Theme, framework=framework, code=data["theme"])
    return theme, question


@login_required
def new_challenge(request: AuthenticatedHttpRequest, code: uuid.UUID) -> HttpResponse:
    """Raise a challenge on a question (``?question=PP-01``), a theme (``?theme=PP``) or, with
    neither, the whole self-assessment."""
    access = assessment_access(request, code, Right.COMMENT)
    source = request.POST if request.method == "POST" else request.GET
    theme, question = _subject(access, source)
    form = ChallengeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        challenge = raise_challenge(
            assessment=access.assessment,
            user=request.user,
            text=form.cleaned_data["text"],
            theme=theme,
            question=question,
        )
        messages.success(request, f"Challenge raised on {challenge.subject}")
        return redirect("challenge_detail", code=access.assessment.code, challenge=challenge.code)
    return render(
        request,
        "assessment/challenges/new.html",
        {
            "access": access,
            "assessment": access.assessment,
            "form": form,
            "theme": theme,
            "question": question,
        },
        status=400 if form.errors else 200,
    )


@login_required
def challenge_register_entry(
    request: AuthenticatedHttpRequest, code: uuid.UUID, entry: uuid.UUID
) -> HttpResponse:
    """Raise a challenge on an entry of the partnership's register (``code``: the partnership).
    It then follows the same thread as any other: the lead agency's contributors and the leads
    respond, and the scrutineer resolves it or keeps it open."""
    access = partnership_access(request, code, Right.COMMENT)
    item = get_object_or_404(register.entries(access.partnership), code=entry)
    cycle = holding_cycle(access.partnership)
    form = ChallengeForm(request.POST or None) if cycle is not None else None
    if cycle is not None and form is not None and request.method == "POST" and form.is_valid():
        challenge = raise_challenge(
            assessment=cycle, user=request.user, text=form.cleaned_data["text"], entry=item
        )
        messages.success(request, f"Challenge raised on {challenge.subject}")
        return redirect("challenge_detail", code=cycle.code, challenge=challenge.code)
    return render(
        request,
        "assessment/challenges/new_on_entry.html",
        {"access": access, "entry": item, "cycle": cycle, "form": form},
        status=400 if form is not None and form.errors else 200,
    )


def _challenge(access: AssessmentAccess, code: uuid.UUID) -> Challenge:
    return get_object_or_404(challenges_of(access.assessment), code=code)


def _may_respond(access: AssessmentAccess, challenge: Challenge) -> bool:
    assigned = set()
    if challenge.theme_id:
        assigned = set(
            access.assessment.assignments.filter(theme_id=challenge.theme_id).values_list(
                "agency", flat=True
            )
        )
    return access.may_respond(challenge, assigned)


def _detail(
    request: HttpRequest,
    access: AssessmentAccess,
    challenge: Challenge,
    *,
    response_form: ResponseForm | None = None,
    resolve_form: ResolveForm | None = None,
    status: int = 200,
) -> HttpResponse:
    may_respond = challenge.is_open and _may_respond(access, challenge)
    # A challenge on a register entry is about the partnership's live register, not the signed
    # record, so it can be resolved whatever the state of the cycle that holds it.
    may_resolve = challenge.is_open and (
        access.can_comment if challenge.entry_id is None else access.may(Right.COMMENT)
    )
    return render(
        request,
        "assessment/challenges/detail.html",
        {
            "access": access,
            "assessment": access.assessment,
            "challenge": challenge,
            "response_form": response_form or (ResponseForm() if may_respond else None),
            "resolve_form": resolve_form or (ResolveForm() if may_resolve else None),
            "error_form": response_form if response_form is not None else resolve_form,
        },
        status=status,
    )


@login_required
def challenge_detail(request: HttpRequest, code: uuid.UUID, challenge: uuid.UUID) -> HttpResponse:
    access = assessment_access(request, code)
    return _detail(request, access, _challenge(access, challenge))


@login_required
@require_POST
def respond_to_challenge(
    request: AuthenticatedHttpRequest, code: uuid.UUID, challenge: uuid.UUID
) -> HttpResponse:
    access = assessment_access(request, code)
    challenge_obj = _challenge(access, challenge)
    if not _may_respond(access, challenge_obj):
        raise PermissionDenied("Only the leads and the agencies concerned can respond.")
    form = ResponseForm(request.POST)
    if form.is_valid():
        try:
            respond(challenge=challenge_obj, user=request.user, text=form.cleaned_data["text"])
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(request, "Response sent")
            return redirect("challenge_detail", code=access.assessment.code, challenge=challenge)
    return _detail(request, access, challenge_obj, response_form=form, status=400)


@login_required
@require_POST
def resolve_challenge(
    request: AuthenticatedHttpRequest, code: uuid.UUID, challenge: uuid.UUID
) -> HttpResponse:
    """The scrutineer (or a lead) resolves the challenge, or keeps it open with a further note."""
    access = assessment_access(request, code, Right.COMMENT)
    challenge_obj = _challenge(access, challenge)
    form = ResolveForm(request.POST)
    if form.is_valid():
        command = resolve if form.cleaned_data["outcome"] == "resolve" else keep_open
        try:
            command(challenge=challenge_obj, user=request.user, text=form.cleaned_data["text"])
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(
                request,
                "Challenge resolved"
                if command is resolve
                else "Note added; the challenge stays open",
            )
            return redirect("challenge_detail", code=access.assessment.code, challenge=challenge)
    return _detail(request, access, challenge_obj, resolve_form=form, status=400)
