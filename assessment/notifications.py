"""Who is told what, by email.

Each event below works out who should hear about it (never the person who caused it), records one
``Notification`` per person (skipping the optional kinds they turned off; holding optional ones for
the weekly digest of those who chose it) and enqueues a task that sends them, so no request waits
for a mail server. ``send_reminders`` covers what depends on the date: actions due in 14 days,
overdue actions (then weekly) and the weekly digests. The ``key`` of each notification names its
event, so that running the reminders every hour never sends the same one twice.
"""

from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from assessment.models import (
    OPEN_STATUSES,
    Action,
    Approval,
    Assessment,
    Assignment,
    Challenge,
    ChallengeNote,
    Membership,
    Notification,
    NotificationKind,
    NotificationSettings,
    Role,
    User,
)
from assessment.models.notification import ESSENTIAL

DUE_SOON_DAYS = 14


def _link(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _members(assessment: Assessment, *, roles=None, agencies=None) -> list[User]:
    memberships = Membership.objects.filter(partnership=assessment.partnership).select_related(
        "user"
    )
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    if agencies is not None:
        memberships = memberships.filter(agency__in=agencies)
    return [m.user for m in memberships]


def record(
    users: Iterable[User],
    *,
    kind: str,
    key: str,
    subject: str,
    body: str,
    url: str,
    exclude: User | None = None,
) -> list[Notification]:
    """Record a notification for each person who wants it, once per ``key``; returns the new
    ones that are to be sent now (the rest wait for a digest or were already recorded)."""
    to_send = []
    seen = set()
    for user in users:
        if user is None or not user.is_active or user.pk in seen:
            continue
        if exclude is not None and user.pk == exclude.pk:
            continue
        seen.add(user.pk)
        choices = NotificationSettings.of(user)
        if kind not in ESSENTIAL and kind in choices.muted:
            continue
        digest = choices.weekly_digest and kind not in ESSENTIAL
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    user=user,
                    kind=kind,
                    key=f"{kind}:{key}",
                    subject=subject,
                    body=body,
                    url=url,
                    in_digest=digest,
                )
        except IntegrityError:
            continue  # this event was already recorded for this person
        if not digest:
            to_send.append(notification)
    if to_send:
        ids = [n.pk for n in to_send]
        transaction.on_commit(lambda: _enqueue(ids))
    return to_send


def _enqueue(ids: list[int]) -> None:
    from assessment.tasks import send_notifications

    send_notifications.enqueue(ids)


def send(notifications: list[Notification]) -> int:
    """Email each unsent notification (plain text and HTML) and mark it sent. Returns how many."""
    sent = 0
    for notification in notifications:
        claimed = Notification.objects.filter(pk=notification.pk, sent_at__isnull=True).update(
            sent_at=timezone.now()
        )
        if not claimed:
            continue  # another worker sent it
        _email(notification.user, notification.subject, [notification], digest=False)
        sent += 1
    return sent


def _email(user: User, subject: str, items: list[Notification], *, digest: bool) -> None:
    context = {
        "user": user,
        "items": items,
        "settings_url": _link("notification_settings"),
        "digest": digest,
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("email/notification.txt", context),
        to=[user.email],
    )
    message.attach_alternative(render_to_string("email/notification.html", context), "text/html")
    message.send()


# Events ------------------------------------------------------------------------------------


def theme_assigned(assessment: Assessment, assignments: list[Assignment], by: User) -> None:
    for assignment in assignments:
        theme = assignment.theme
        record(
            _members(assessment, roles=[Role.CONTRIBUTOR], agencies=[assignment.agency]),
            kind=NotificationKind.THEME_ASSIGNED,
            key=f"{assessment.code}:{theme.code}:{assignment.agency}:{timezone.now():%Y%m%d%H%M}",
            subject=f"{theme.title} is assigned to your agency",
            body=(
                f"{by.get_full_name()} has asked {assignment.get_agency_display()} to answer the "
                f"theme {theme.title} in {assessment.title} ({assessment.partnership.name})."
            ),
            url=_link("theme", assessment.code, theme.code),
            exclude=by,
        )


def submitted(assessment: Assessment) -> None:
    """Submitted for review: the representatives are asked to approve; the others are told."""
    from assessment.governance import representatives_of

    by = assessment.submitted_by
    key = f"{assessment.code}:round-{assessment.review_round}"
    approvers = [m.user for m in representatives_of(assessment.partnership).values()]
    record(
        approvers,
        kind=NotificationKind.APPROVAL_REQUESTED,
        key=key,
        subject=f"Your approval is asked for: {assessment.title}",
        body=(
            f"{by.get_full_name() if by else 'A lead'} has submitted {assessment.title} for review. "
            "You are named to approve it for a statutory partner of "
            f"{assessment.partnership.name}.\n\n"
            "Read the findings and the open challenges, then approve it or return it for changes."
        ),
        url=_link("sign_off", assessment.code),
        exclude=by,
    )
    others = [
        u
        for u in _members(assessment, roles=[Role.LEAD, Role.CONTRIBUTOR])
        if u.pk not in {a.pk for a in approvers}
    ]
    record(
        others,
        kind=NotificationKind.SUBMITTED,
        key=key,
        subject=f"Submitted for review: {assessment.title}",
        body=(
            f"{assessment.title} has been submitted for review. Answers can no longer be changed "
            "by contributors; the statutory partners' representatives are asked to approve it."
        ),
        url=_link("assessment_home", assessment.code),
        exclude=by,
    )


def returned(approval: Approval) -> None:
    assessment = approval.assessment
    record(
        _members(assessment, roles=[Role.LEAD, Role.CONTRIBUTOR]),
        kind=NotificationKind.RETURNED,
        key=f"{assessment.code}:round-{approval.round}",
        subject=f"Returned for changes: {assessment.title}",
        body=(
            f"{approval.user.get_full_name() if approval.user else 'A representative'} returned "
            f"{assessment.title} for changes ({approval.get_partner_display().lower()}). It is a "
            f"draft again.\n\nWhat needs to change: {approval.reason}"
        ),
        url=_link("assessment_home", assessment.code),
        exclude=approval.user,
    )


def signed_off(assessment: Assessment) -> None:
    record(
        _members(assessment),
        kind=NotificationKind.SIGNED_OFF,
        key=f"{assessment.code}:{assessment.signed_off_at:%Y%m%d%H%M%S}",
        subject=f"Signed off: {assessment.title}",
        body=(
            f"{assessment.title} is signed off. The answers are locked and a tamper-evident copy "
            "is kept. The action plan stays open for owners to update."
        ),
        url=_link("sign_off", assessment.code),
        exclude=assessment.signed_off_by,
    )


def _concerned(challenge: Challenge) -> list[User]:
    """Leads, and contributors of the agencies concerned (every agency for a whole-cycle one:
    then only the leads are told); for a register entry, also its named owner."""
    assessment = challenge.assessment
    assigned = set()
    if challenge.theme_id:
        assigned = set(
            Assignment.objects.filter(
                assessment=assessment, theme_id=challenge.theme_id
            ).values_list("agency", flat=True)
        )
    agencies = challenge.agencies_concerned(assigned)
    people = _members(assessment, roles=[Role.LEAD])
    if agencies:
        people += _members(assessment, roles=[Role.CONTRIBUTOR], agencies=agencies)
    owner = challenge.entry.owner if challenge.entry is not None else None
    if owner is not None and owner not in people:
        people.append(owner)  # the register entry's named owner, of any agency
    return people


def challenge_raised(challenge: Challenge) -> None:
    record(
        _concerned(challenge),
        kind=NotificationKind.CHALLENGE_RAISED,
        key=str(challenge.code),
        subject=f"A challenge on {challenge.subject} needs a response",
        body=(
            f"{challenge.raised_by.get_full_name() if challenge.raised_by else 'Scrutiny'} has "
            f"challenged {challenge.subject} in {challenge.assessment.title}:\n\n{challenge.text}"
        ),
        url=_link("challenge_detail", challenge.assessment.code, challenge.code),
        exclude=challenge.raised_by,
    )


def challenge_noted(note: ChallengeNote) -> None:
    challenge = note.challenge
    if note.kind == ChallengeNote.LEFT_OPEN:
        return
    others = [n.author for n in challenge.notes.select_related("author") if n.pk != note.pk]
    if note.kind == ChallengeNote.RESOLUTION:
        kind, subject = (
            NotificationKind.CHALLENGE_RESOLVED,
            f"Resolved: the challenge on {challenge.subject}",
        )
        people = others + _concerned(challenge)
    else:
        kind, subject = (
            NotificationKind.CHALLENGE_RESPONDED,
            f"A reply on the challenge on {challenge.subject}",
        )
        people = [challenge.raised_by, *others]
    author = note.author.get_full_name() if note.author else "Someone"
    record(
        people,
        kind=kind,
        key=f"{challenge.code}:{note.pk}",
        subject=subject,
        body=f"{author} ({note.get_kind_display().lower()}):\n\n{note.text}",
        url=_link("challenge_detail", challenge.assessment.code, challenge.code),
        exclude=note.author,
    )


def action_assigned(action: Action) -> None:
    if action.owner is None:
        return
    record(
        [action.owner],
        kind=NotificationKind.ACTION_ASSIGNED,
        key=f"{action.code}:{action.owner_id}",
        subject="An action is assigned to you",
        body=(
            f"You are named as the owner of an action in {action.assessment.title}, due "
            f"{action.due:%-d %B %Y}:\n\n{action.description}\n\n"
            "You can update its status and add progress notes."
        ),
        url=_link("action_detail", action.assessment.code, action.code),
        exclude=action.created_by if action.created_by_id == action.owner_id else None,
    )


# Reminders (send_reminders) ------------------------------------------------------------------


def due_reminders(today: date) -> int:
    """Record the reminders due today: once when an action is 14 days from its due date (or
    less, if it was added later), once the day it becomes overdue, then once a week. Returns
    how many were recorded to send now."""
    count = 0
    actions = Action.objects.filter(status__in=OPEN_STATUSES, owner__isnull=False).select_related(
        "owner", "assessment"
    )
    for action in actions.filter(due__gte=today, due__lte=today + timedelta(days=DUE_SOON_DAYS)):
        count += len(
            record(
                [action.owner],
                kind=NotificationKind.ACTION_DUE_SOON,
                key=f"{action.code}:{action.due.isoformat()}",
                subject=f"An action of yours is due on {action.due:%-d %B %Y}",
                body=f"{action.description}\n\nUpdate its status or add a progress note.",
                url=_link("action_detail", action.assessment.code, action.code),
            )
        )
    for action in actions.filter(due__lt=today):
        week = (today - action.due).days // 7
        count += len(
            record(
                [action.owner],
                kind=NotificationKind.ACTION_OVERDUE,
                key=f"{action.code}:{action.due.isoformat()}:week-{week}",
                subject=f"Overdue since {action.due:%-d %B %Y}: an action of yours",
                body=(
                    f"{action.description}\n\nIt was due on {action.due:%-d %B %Y}. Update its "
                    "status, add a progress note, or ask a lead to change the due date."
                ),
                url=_link("action_detail", action.assessment.code, action.code),
            )
        )
    return count


def send_digests(now) -> int:
    """One email to each person who chose the weekly digest and whose last one is a week old,
    with everything held for it. Returns how many digests were sent."""
    sent = 0
    for choices in NotificationSettings.objects.filter(weekly_digest=True).select_related("user"):
        if choices.last_digest_at and now - choices.last_digest_at < timedelta(days=7):
            continue
        with transaction.atomic():
            held = list(
                Notification.objects.select_for_update().filter(
                    user=choices.user, in_digest=True, sent_at__isnull=True
                )
            )
            choices.last_digest_at = now
            choices.save(update_fields=["last_digest_at"])
            if not held:
                continue
            Notification.objects.filter(pk__in=[n.pk for n in held]).update(sent_at=now)
        _email(
            choices.user,
            f"Your weekly summary: {len(held)} update{'s' if len(held) != 1 else ''}",
            held,
            digest=True,
        )
        sent += 1
    return sent
