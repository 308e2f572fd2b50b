"""Answering a theme: the theme page (which also confirms carried answers), autosave, conflicts,
comments."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from assessment import evidence
from assessment.access import AssessmentAccess, AuthenticatedHttpRequest, Right, assessment_access
from assessment.agency_views import is_shared, may_give_view, may_moderate, may_read_views
from assessment.answer_rules import normalise
from assessment.forms.answers import AnswerForm
from assessment.forms.assessments import CommentForm, room_for_a_comment
from assessment.forms.evidence import EvidenceItemForm, evidence_choices
from assessment.models import (
    AgencyThemeSubmission,
    AgencyView,
    Answer,
    AnswerEvidence,
    AssessmentLocked,
    Challenge,
    Comment,
    EvidenceItem,
    Moderation,
    Option,
    Question,
    Role,
)
from assessment.models.assessment import AnswerValues
from assessment.pii import WARNING
from assessment.results import framework_content, with_questions
from assessment.views.assessments import locked
from assessment.workflow import Change, SaveResult, save_answers, values_of

EVIDENCE_STAMP = "__question__"  # stands for a question's code in the drawn new-item form

T = TypeVar("T")


class ThemePage:
    """Everything a theme page needs, loaded in a fixed number of queries."""

    def __init__(self, access: AssessmentAccess, theme_code: str, agency: str | None = None):
        """The partnership answers of a theme, or with ``agency`` that agency's view of a
        theme given to several agencies (``agency_views``)."""
        self.access = access
        self.agency = agency
        assessment = access.assessment
        # The framework's content is read once per process (it never changes once used).
        content = framework_content(assessment.framework)
        if theme_code not in content.themes:
            raise Http404("No such theme in this framework")
        self.theme = content.themes[theme_code]
        nation = assessment.partnership.nation
        self.questions = [
            q for q in content.questions if q.theme_id == self.theme.pk and q.applies_to(nation)
        ]
        self.agencies = set(
            assessment.assignments.filter(theme=self.theme).values_list("agency", flat=True)
        )
        # Given to several agencies: each gives its view, and the partnership answer is
        # settled by moderation, not typed on this page.
        self.shared = is_shared(self.agencies)
        rows: QuerySet[Answer] | QuerySet[AgencyView] = Answer.objects.filter(assessment=assessment)
        if agency is None:
            self.editable = access.may_edit_theme(self.agencies) and not self.shared
            self.submitted = False
        else:
            if not self.shared or agency not in self.agencies:
                raise Http404("This theme is not given to that agency among others")
            rows = AgencyView.objects.filter(assessment=assessment, agency=agency)
            self.submitted = AgencyThemeSubmission.objects.filter(
                assessment=assessment, theme=self.theme, agency=agency
            ).exists()
            self.editable = (
                agency == access.membership.agency
                and may_give_view(access.membership, assessment, sorted(self.agencies))
                and not self.submitted
            )
        self.rows = rows
        self.refresh_answers()
        framework = assessment.framework
        self.framework_url = reverse("framework_detail", args=[framework.slug, framework.version])
        self.comments: dict[int | None, list[Comment]] = {}
        self.challenges: dict[int | None, list[Challenge]] = {}
        if agency is None:  # comments and challenges are on the partnership answers
            for comment in Comment.objects.filter(
                assessment=assessment, theme=self.theme
            ).select_related("author"):
                self.comments.setdefault(comment.question_id, []).append(comment)
            for challenge in Challenge.objects.filter(
                assessment=assessment, theme=self.theme, resolved_at__isnull=True
            ):
                self.challenges.setdefault(challenge.question_id, []).append(challenge)
        # Evidence items are attached to the partnership answers (an agency view shows them too).
        self.attached = evidence.attached(assessment)
        self.evidence_items = list(
            EvidenceItem.objects.filter(partnership=access.partnership).order_by(
                "-produced", "title"
            )
        )
        self.evidence_day = evidence.as_of(assessment)
        # The new-item form of each question; the one being sent is bound (``evidence_form``).
        self.evidence_forms: dict[str, EvidenceItemForm] = {}
        themes = list(content.themes)  # in order
        index = themes.index(self.theme.code)
        self.next_theme = themes[index + 1] if index + 1 < len(themes) else None

    @property
    def url(self) -> str:
        code = self.access.assessment.code
        if self.agency is None:
            return reverse("theme", args=[code, self.theme.code])
        return reverse("agency_view", args=[code, self.theme.code, self.agency])

    @property
    def autosave_url(self) -> str:
        code = self.access.assessment.code
        if self.agency is None:
            return reverse("autosave", args=[code, self.theme.code])
        return reverse("agency_autosave", args=[code, self.theme.code, self.agency])

    @property
    def autosave_trigger(self) -> str:
        """htmx's trigger: a choice is saved soon, typing once the person pauses."""
        return (
            f"change delay:{settings.AUTOSAVE_AFTER_CHOICE_MS}ms, "
            f"input delay:{settings.AUTOSAVE_AFTER_TYPING_MS}ms"
        )

    @cached_property
    def may_moderate(self) -> bool:
        return self.shared and may_moderate(
            self.access.membership, self.access.assessment, self.theme
        )

    @cached_property
    def shared_rows(self) -> list[dict]:
        """Each agency given a shared theme: whether it has submitted its view, and a link to
        the view when the reader may read it."""
        if not self.shared:
            return []
        assessment, agencies = self.access.assessment, sorted(self.agencies)
        submitted = set(
            AgencyThemeSubmission.objects.filter(
                assessment=assessment, theme=self.theme
            ).values_list("agency", flat=True)
        )
        return [
            {
                "agency": agency,
                "submitted": agency in submitted,
                "current": agency == self.agency,
                "own": agency == self.access.membership.agency,
                "url": reverse("agency_view", args=[assessment.code, self.theme.code, agency])
                if may_read_views(
                    self.access.membership,
                    agency,
                    assigned=agencies,
                    submitted=submitted,
                    moderator=self.may_moderate,
                )
                else "",
            }
            for agency in agencies
        ]

    @cached_property
    def settled(self) -> list[str]:
        """The codes of the shared theme's questions whose partnership answer is settled."""
        if not self.shared:
            return []
        return list(
            Moderation.objects.filter(assessment=self.access.assessment, question__theme=self.theme)
            .order_by("question__order")
            .values_list("question__code", flat=True)
        )

    @property
    def may_dissent(self) -> bool:
        membership = self.access.membership
        return (
            self.shared
            and not self.access.assessment.is_locked
            and membership.agency in self.agencies
            and membership.role in (Role.LEAD, Role.CONTRIBUTOR)
        )

    def save(self, request: AuthenticatedHttpRequest, changes: list[Change]) -> SaveResult:
        return save_answers(
            assessment=self.access.assessment,
            changes=changes,
            user=request.user,
            agency=self.access.membership.agency,
            agency_view=self.agency is not None,
        )

    def forms(
        self, data=None, *, complete: bool = False, skip: frozenset[str] | set[str] = frozenset()
    ) -> list[AnswerForm]:
        return [
            AnswerForm(
                data,
                question=q,
                options=list(q.options.all()),
                answer=self.answers.get(q.pk),
                nation=self.access.partnership.nation,
                framework_url=self.framework_url,
                complete=complete,
                editable=self.editable,
            )
            for q in self.questions
            if q.code not in skip
        ]

    def changes(self, forms: list[AnswerForm], post) -> list[Change]:
        """What the valid forms say, with the carried-over answers the person confirmed: one by
        one, or all at once with the box after the last question."""
        everything = bool(post.get("confirm_all"))
        return [
            Change(
                f.question,
                f.answer_values(),
                f.cleaned_data["version"],
                still_true=everything or bool(f.cleaned_data.get("still_true")),
                personal_data_confirmed=f.personal_data_confirmed,
            )
            for f in forms
        ]

    def refresh_answers(self) -> None:
        """Read the theme's answers (or the agency's views), and again after a save (new
        versions) for a page drawn once more; each with its question from the framework's
        content, not a join."""
        found = self.rows.filter(question__theme=self.theme).select_related(
            "answered_by", "confirmed_by"
        )
        self.answers = {
            a.question_id: a for a in with_questions([*found], self.access.assessment.framework)
        }

    def forms_after_save(self, post, forms: list[AnswerForm]) -> list[AnswerForm]:
        """The page's answer forms after a draft save: those saved drawn afresh from the
        database, those with problems as the person sent them."""
        self.refresh_answers()
        waiting = {f.question.code for f in forms if f.errors}
        fresh = {f.question.code: f for f in self.forms()}
        again = {f.question.code: f for f in self.forms(post) if f.question.code in waiting}
        for f in again.values():
            f.is_valid()
        return [again.get(q.code) or fresh[q.code] for q in self.questions]

    def evidence_form(self, question: Question, data, files) -> EvidenceItemForm:
        """The new-item form of ``question`` as sent; drawn back in place of the empty one."""
        form = EvidenceItemForm(
            data,
            files,
            partnership=self.access.partnership,
            prefix=f"{question.code}-ev",
            code=question.code,
            initial={"agency": self.access.membership.agency},
        )
        self.evidence_forms[question.code] = form
        return form

    @cached_property
    def blank_evidence_form(self) -> str:
        """The new-item form drawn once for a stand-in question code. Every question's empty
        form is this with its own code stamped in (as formsets stamp ``__prefix__``): a theme
        page of twelve questions draws the form's markup once, not twelve times."""
        form = EvidenceItemForm(
            partnership=self.access.partnership,
            prefix=f"{EVIDENCE_STAMP}-ev",
            code=EVIDENCE_STAMP,
            initial={"agency": self.access.membership.agency},
        )
        return str(form.as_govuk())

    def evidence_form_html(self, question: Question) -> SafeString:
        """The new-item form of one question: the one sent back with its errors, or the empty
        one stamped with the question's code."""
        form = self.evidence_forms.get(question.code)
        if form is not None:
            return form.as_govuk()
        return mark_safe(  # noqa: S308 - drawn by the form, the code escaped
            self.blank_evidence_form.replace(EVIDENCE_STAMP, conditional_escape(question.code))
        )

    def evidence_for(self, question: Question) -> dict:
        items = self.attached.get(question.pk, [])
        codes = {i.code for i in items}
        sent = self.evidence_forms.get(question.code)
        return {
            "shown": evidence.shown(
                items, question=question, assessment=self.access.assessment, day=self.evidence_day
            ),
            "choices": evidence_choices([i for i in self.evidence_items if i.code not in codes])
            if self.editable
            else [],
            "form": self.evidence_form_html(question) if self.editable else None,
            "sent": sent is not None and sent.is_bound,
            "expected": (question.evidence or {}).get("text", ""),
        }

    def render(
        self, request: HttpRequest, forms: list[AnswerForm], status: int = 200, **extra
    ) -> HttpResponse:
        assessment = self.access.assessment
        items = [
            {
                "form": f,
                "question": f.question,
                "answer": f.answer,
                "comments": self.comments.get(f.question.pk, []),
                "challenges": self.challenges.get(f.question.pk, []),
                "evidence": self.evidence_for(f.question),
            }
            for f in forms
        ]
        evidence_errors = [
            (anchor, message)
            for form in self.evidence_forms.values()
            if form.is_bound
            for anchor, message in evidence_form_errors(form)
        ]
        return render(
            request,
            "assessment/answers/theme.html",
            {
                "access": self.access,
                "assessment": assessment,
                "theme": self.theme,
                "items": items,
                "page": self,
                "theme_comments": self.comments.get(None, []),
                "theme_challenges": self.challenges.get(None, []),
                "may_challenge": self.access.may(Right.COMMENT),
                "comment_form": CommentForm(),
                "errors": [error for f in forms for error in _errors(f)]
                + evidence_errors
                + extra.pop("extra_errors", []),
                "pii_warning": WARNING
                if any(f.pii_findings for f in forms)
                or any(e.warned for e in self.evidence_forms.values() if e.is_bound)
                else None,
                "to_confirm": sum(1 for a in self.answers.values() if a.needs_reconfirmation),
                "conflicted": [f.question.code for f in forms if _conflicts(f)],
                **extra,
            },
            status=status,
        )


def _conflicts(form: AnswerForm) -> bool:
    """A valid answer the person changed on a page drawn before someone else changed it too,
    differently: shown at the top even while other answers on the page have errors."""
    if not form.is_bound or form.errors or not form.changed or form.answer is None:
        return False
    return form.cleaned_data["version"] != form.answer.version and normalise(
        form.answer_values()
    ) != normalise(form.answer.values)


def _errors(form: AnswerForm) -> list[tuple[str, str]]:
    """(anchor, message) pairs for the page's error summary."""
    from assessment.templatetags.gds_extras import first_input_id

    out: list[tuple[str, str]] = []
    for name, errors in form.errors.items():
        anchor = first_input_id(form[name] if name in form.fields else form["evidence"])
        out.extend((anchor, str(message)) for message in errors)
    return out


def _conflict_codes(request: HttpRequest) -> list[str]:
    return [code for code in request.POST.get("conflicts", "").split(",") if code]


@login_required
def theme(request: AuthenticatedHttpRequest, code: uuid.UUID, theme: str) -> HttpResponse:
    access = assessment_access(request, code)
    page = ThemePage(access, theme)
    if request.method != "POST":
        return page.render(request, page.forms())
    return handle_post(request, page)


def handle_post(request: AuthenticatedHttpRequest, page: ThemePage) -> HttpResponse:
    """Save a theme page (partnership answers or an agency's view): conflicts, errors, next."""
    access = page.access
    if not page.editable:
        if access.assessment.is_locked:
            raise PermissionDenied("This self-assessment is signed off and locked.")
        raise PermissionDenied("You cannot change the answers in this theme.")

    if "evidence_for" in request.POST or "evidence_remove" in request.POST:
        if page.agency is not None:
            # Evidence items belong to the partnership answer; an agency's view only shows them.
            raise PermissionDenied("Evidence is attached to the partnership answer, not a view.")
        return _evidence_change(request, page)

    keep_theirs: set[str] = set()
    conflicts = _conflict_codes(request)
    if conflicts:
        choices = {c: request.POST.get(f"resolve-{c}") for c in conflicts}
        if any(choice not in ("mine", "theirs") for choice in choices.values()):
            return _conflict_page(request, page, request.POST, missing_choice=True)
        keep_theirs = {c for c, choice in choices.items() if choice == "theirs"}

    complete = "continue" in request.POST
    forms = page.forms(request.POST, complete=complete, skip=keep_theirs)
    if not all(f.is_valid() for f in forms):
        return page.render(request, forms)
    try:
        result = page.save(request, page.changes(forms, request.POST))
    except AssessmentLocked as error:
        raise PermissionDenied(error.messages[0]) from None
    if not result.ok:
        return _conflict_page(request, page, request.POST, result=result)
    messages.success(request, _saved_message(result))
    if page.agency is not None:
        return redirect(page.url + ("#submit-view" if complete else ""))
    if complete:
        if page.next_theme:
            return redirect("theme", code=access.assessment.code, theme=page.next_theme)
        return redirect("assessment_home", code=access.assessment.code)
    return redirect("theme", code=access.assessment.code, theme=page.theme.code)


def _evidence_change(request: AuthenticatedHttpRequest, page: ThemePage) -> HttpResponse:
    """Attach an item to a question (an existing one, or a new one with its file), or remove
    one, without leaving the page. The answers on the page are saved as a draft first, as
    autosave would, so that nothing typed is lost; answers with problems are shown again."""
    access = page.access
    forms = page.forms(request.POST)
    valid = [f for f in forms if f.is_valid()]
    try:
        result = save_answers(
            assessment=access.assessment,
            changes=page.changes(valid, request.POST),
            user=request.user,
            agency=access.membership.agency,
        )
    except AssessmentLocked as error:
        raise PermissionDenied(error.messages[0]) from None
    if not result.ok:
        return _conflict_page(request, page, request.POST, result=result)
    by_code = {q.code: q for q in page.questions}
    if "evidence_remove" in request.POST:
        question_code, _, item_code = request.POST["evidence_remove"].partition(":")
        question = by_code.get(question_code)
        if question is None:
            raise PermissionDenied("That question is not in this theme.")
        link = AnswerEvidence.objects.filter(
            assessment=access.assessment, question=question, item__code__in=_uuids(item_code)
        ).first()
        if link is not None:
            _refuse_locked(link.delete)
            messages.success(request, f"{question.code}: “{link.item.title}” removed")
        return _back_to(page, question)

    question = by_code.get(request.POST["evidence_for"])
    if question is None:
        raise PermissionDenied("That question is not in this theme.")
    existing = request.POST.get(f"{question.code}-ev-existing", "")
    form = page.evidence_form(question, request.POST, request.FILES)
    if existing:
        item = next((i for i in page.evidence_items if str(i.code) == existing), None)
        if item is None:
            raise PermissionDenied("That evidence item is not this partnership's.")
        page.evidence_forms.pop(question.code, None)
    elif not _filled(form, question):
        page.evidence_forms.pop(question.code, None)
        return page.render(
            request,
            page.forms_after_save(request.POST, forms),
            evidence_missing=question.code,
            extra_errors=[
                (
                    f"id_{question.code}-ev-existing",
                    f"{question.code}: Select an evidence item to attach, or add a new one",
                )
            ],
        )
    elif not form.is_valid():
        return page.render(request, page.forms_after_save(request.POST, forms))
    else:
        item = form.save(user=request.user)
        page.evidence_forms.pop(question.code, None)  # attached: an empty form again
    _, created = _refuse_locked(
        lambda: AnswerEvidence.objects.get_or_create(
            assessment=access.assessment,
            question=question,
            item=item,
            defaults={"added_by": request.user},
        )
    )
    if created:
        messages.success(request, f"{question.code}: “{item.title}” attached")
    else:
        messages.success(request, f"{question.code}: “{item.title}” was already attached")
    if any(f.errors for f in forms):
        page.attached = evidence.attached(access.assessment)
        return page.render(request, page.forms_after_save(request.POST, forms))
    return _back_to(page, question)


def _filled(form: EvidenceItemForm, question: Question) -> bool:
    """Whether the person began a new item (any of its fields given, or a file chosen)."""
    prefix = f"{question.code}-ev-"
    data = form.data
    skip = {f"{prefix}agency", f"{prefix}pending"}
    return (
        bool(form.files.get(f"{prefix}file"))
        or bool(data.get(f"{prefix}pending"))
        or any(
            str(value).strip()
            for key, value in data.items()
            if key.startswith(prefix) and key not in skip and key != f"{prefix}existing"
        )
    )


def _uuids(value: str) -> list[uuid.UUID]:
    try:
        return [uuid.UUID(value)]
    except ValueError:
        return []


def _refuse_locked(action: Callable[[], T]) -> T:
    """Runs ``action``; a change the sign-off lock refuses becomes a 403."""
    try:
        return action()
    except AssessmentLocked as error:
        raise PermissionDenied(error.messages[0]) from None


def _back_to(page: ThemePage, question: Question) -> HttpResponse:
    url = reverse("theme", args=[page.access.assessment.code, page.theme.code])
    return redirect(f"{url}#evidence-{question.code}")


def evidence_form_errors(form: EvidenceItemForm) -> list[tuple[str, str]]:
    from assessment.views.evidence import form_errors

    return form_errors(form)


def _saved_message(result: SaveResult) -> str:
    saved, confirmed = len(result.saved), len(result.confirmed)
    parts = []
    if saved:
        parts.append(f"{saved} answer{pluralize(saved)} saved")
    if confirmed:
        parts.append(f"{confirmed} carried-over answer{pluralize(confirmed)} confirmed")
    return " and ".join(parts) if parts else "No changes to save"


@dataclass
class _ShownConflict:
    """One conflict as the page shows it: the saved answer beside this person's."""

    question: Question
    theirs: AnswerValues | None  # the partnership answer or an agency view
    mine: dict
    theirs_values: dict = field(default_factory=dict)
    options: list[Option] = field(default_factory=list)


def _conflict_page(
    request, page: ThemePage, post, result=None, missing_choice: bool = False
) -> HttpResponse:
    """Both versions side by side; the person's own submission travels in hidden fields."""
    if result is None:  # re-shown because no choice was made: recompute from the database
        forms = page.forms(post)
        for f in forms:
            f.is_valid()
        changes = [
            Change(f.question, f.answer_values(), f.cleaned_data.get("version", 0))
            for f in forms
            if not f.errors
        ]
        conflicts = [
            _ShownConflict(change.question, page.answers.get(change.question.pk), change.values)
            for change in changes
            if change.question.code in _conflict_codes(request)
        ]
    else:
        conflicts = [_ShownConflict(c.question, c.theirs, c.mine) for c in result.conflicts]
    codes = {c.question.code for c in conflicts}
    versions = {c.question.code: (c.theirs.version if c.theirs else 0) for c in conflicts}
    hidden = []
    for key in post:
        if key in ("csrfmiddlewaretoken", "conflicts") or key.startswith("resolve-"):
            continue
        prefix = key.split("-version")[0] if key.endswith("-version") else None
        for value in post.getlist(key):
            if prefix in codes:
                value = str(versions[prefix])  # a choice of "mine" then saves over their version
            hidden.append((key, value))
    for c in conflicts:
        c.options = list(c.question.options.all())
        c.theirs_values = values_of(c.theirs)
    return render(
        request,
        "assessment/answers/conflict.html",
        {
            "access": page.access,
            "assessment": page.access.assessment,
            "theme": page.theme,
            "conflicts": conflicts,
            "hidden": hidden,
            "codes": ",".join(sorted(codes)),
            "missing_choice": missing_choice,
            "action": page.url,
        },
    )


@login_required
@require_POST
def autosave(request: AuthenticatedHttpRequest, code: uuid.UUID, theme: str) -> HttpResponse:
    """Saves a draft of the theme in the background (htmx); answers with problems wait for Save."""
    return handle_autosave(request, ThemePage(assessment_access(request, code), theme))


def handle_autosave(request: AuthenticatedHttpRequest, page: ThemePage) -> HttpResponse:
    access = page.access
    if not page.editable:
        # 200, not 403: htmx only swaps successful responses, and the person must see why.
        state = "locked" if access.assessment.is_locked else "forbidden"
        return render(request, "assessment/answers/_autosave.html", {"state": state})
    forms = page.forms(request.POST)
    valid = [f for f in forms if f.is_valid()]
    waiting = [f.question.code for f in forms if f.errors]
    try:
        result = page.save(request, page.changes(valid, request.POST))
    except AssessmentLocked:
        return render(request, "assessment/answers/_autosave.html", {"state": "locked"})
    if not result.ok:
        state = "conflict"
        conflicted = [c.question.code for c in result.conflicts]
    else:
        state = "saved" if not waiting else "partial"
        conflicted = []
    return render(
        request,
        "assessment/answers/_autosave.html",
        {
            "state": state,
            "saved": result.saved,
            "confirmed": result.confirmed,
            "waiting": waiting,
            "conflicted": conflicted,
        },
    )


@login_required
@require_POST
def comment(request: AuthenticatedHttpRequest, code: uuid.UUID, theme: str) -> HttpResponse:
    """A scrutineer's or lead's comment on a question (``question`` in the POST) or the theme."""
    access = assessment_access(request, code, Right.COMMENT)
    if access.assessment.is_locked:
        return locked(
            request, access, "Comment in the next cycle, or ask a lead to reopen this one."
        )
    page = ThemePage(access, theme)
    question = None
    if request.POST.get("question"):
        question = next((q for q in page.questions if q.code == request.POST["question"]), None)
        if question is None:
            raise PermissionDenied("That question is not in this theme.")
    form = CommentForm(request.POST)
    existing = Comment.objects.filter(
        assessment=access.assessment, theme=page.theme, question=question
    ).count()
    item = "This question" if question else "This theme"
    if form.is_valid() and room_for_a_comment(form, existing=existing, item=item):
        Comment.objects.create(
            assessment=access.assessment,
            theme=page.theme,
            question=question,
            author=request.user,
            text=form.cleaned_data["text"],
        )
        messages.success(request, "Comment added")
        anchor = f"#comments-{question.code}" if question else "#theme-comments"
        return redirect(reverse("theme", args=[access.assessment.code, page.theme.code]) + anchor)
    return render(
        request,
        "assessment/answers/comment.html",
        {
            "access": access,
            "assessment": access.assessment,
            "theme": page.theme,
            "question": question,
            "form": form,
        },
        status=400,
    )


@login_required
def answer_history(request: HttpRequest, code: uuid.UUID, question: str) -> HttpResponse:
    """Who changed an answer, when, and from what to what."""
    access = assessment_access(request, code)
    question_obj = get_object_or_404(
        Question.objects.select_related("theme").prefetch_related("options"),
        theme__framework=access.assessment.framework,
        code=question,
    )
    agency = request.GET.get("agency", "")
    history = Answer.history.filter(assessment_id=access.assessment.pk, question_id=question_obj.pk)
    if agency:
        # One agency's view of a shared theme: read by those who may read the view itself.
        page = ThemePage(access, question_obj.theme.code, agency=agency)
        if not next(r for r in page.shared_rows if r["agency"] == agency)["url"]:
            raise PermissionDenied("You cannot read this agency's view yet.")
        history = AgencyView.history.filter(
            assessment_id=access.assessment.pk, question_id=question_obj.pk, agency=agency
        )
    records = list(history.select_related("history_user").order_by("history_date"))
    options = {o.pk: o for o in question_obj.options.all()}
    entries = []
    previous = None
    for record in records:
        values = {name: getattr(record, name) for name in Answer.VALUE_FIELDS}
        changed = [k for k in values if previous is None or values[k] != previous[k]]
        entries.append({"record": record, "values": values, "changed": changed, "options": options})
        previous = values
    entries.reverse()
    return render(
        request,
        "assessment/answers/history.html",
        {
            "access": access,
            "assessment": access.assessment,
            "question": question_obj,
            "entries": entries,
            "agency": agency,
        },
    )
