"""Sign-off as a governance step: each statutory partner's representative approves or returns the
cycle, or the partnership records that its board approved it. The last approval signs it off.

Each command runs in one transaction with the assessment row locked, so two representatives
approving at the same moment sign it off once.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from assessment import notifications
from assessment.governance import approval_state, left_open_reasons, open_challenges
from assessment.models import (
    Approval,
    Assessment,
    ChallengeNote,
    Decision,
    Snapshot,
    Status,
    User,
)
from assessment.workflow import sign_off


def _lock_in_review(assessment: Assessment, doing: str) -> Assessment:
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.status != Status.IN_REVIEW:
        raise ValidationError(f"Only a self-assessment in review can be {doing}.")
    return locked


def _record_left_open(locked: Assessment, user: User, left_open: dict[str, str]) -> None:
    """Keep the signer's reason for each open challenge that has none yet in this round."""
    explained = left_open_reasons(locked)
    missing = []
    for challenge in open_challenges(locked):
        if challenge.pk in explained:
            continue
        reason = (left_open.get(str(challenge.code)) or "").strip()
        if not reason:
            missing.append(challenge.subject)
            continue
        ChallengeNote.objects.create(
            challenge=challenge, kind=ChallengeNote.LEFT_OPEN, author=user, text=reason
        )
    if missing:
        raise ValidationError(
            f"Enter why each open challenge is being left open ({', '.join(missing)})."
        )


def approve(
    *, assessment: Assessment, user: User, left_open: dict[str, str] | None = None
) -> Snapshot | None:
    """Approve the cycle for every statutory partner ``user`` represents. Returns the snapshot
    when this was the approval that completed sign-off."""
    with transaction.atomic():
        locked = _lock_in_review(assessment, "approved")
        state = approval_state(locked)
        mine = state.represented_by(user)
        if not mine:
            raise ValidationError(
                "Only a statutory partner's named representative can approve the self-assessment."
            )
        _record_left_open(locked, user, left_open or {})
        for partner in mine:
            if not partner.approved:
                Approval.objects.create(
                    assessment=locked,
                    round=locked.review_round,
                    partner=partner.partner,
                    user=user,
                    decision=Decision.APPROVED,
                )
        snapshot = None
        if approval_state(locked).complete:
            snapshot = sign_off(assessment=locked, user=user)
    assessment.refresh_from_db()
    _notify_after(assessment, snapshot)
    return snapshot


def return_for_changes(*, assessment: Assessment, user: User, reason: str) -> Approval:
    """A representative sends the cycle back to draft with a reason; the round ends."""
    if not reason.strip():
        raise ValidationError("Enter what needs to change before you can approve it.")
    with transaction.atomic():
        locked = _lock_in_review(assessment, "returned for changes")
        mine = approval_state(locked).represented_by(user)
        if not mine:
            raise ValidationError(
                "Only a statutory partner's named representative can return the self-assessment."
            )
        returned = [
            Approval.objects.create(
                assessment=locked,
                round=locked.review_round,
                partner=partner.partner,
                user=user,
                decision=Decision.RETURNED,
                reason=reason.strip(),
            )
            for partner in mine
        ]
        locked.status = Status.DRAFT
        locked._change_reason = f"returned for changes by {user}: {reason.strip()}"
        locked.save()
    assessment.refresh_from_db()
    notifications.returned(returned[0])
    return returned[0]


def record_board_approval(
    *,
    assessment: Assessment,
    user: User,
    meeting: date,
    name: str,
    role: str,
    left_open: dict[str, str] | None = None,
) -> Snapshot:
    """The partnership's board approved the cycle at a meeting: record it (with who records it)
    and sign off, instead of each representative approving in the service."""
    if not name.strip() or not role.strip():
        raise ValidationError("Enter the name and role of the person recording the approval.")
    with transaction.atomic():
        locked = _lock_in_review(assessment, "approved")
        _record_left_open(locked, user, left_open or {})
        Approval.objects.create(
            assessment=locked,
            round=locked.review_round,
            user=user,
            decision=Decision.BOARD,
            board_meeting=meeting,
            recorded_name=name.strip(),
            recorded_role=role.strip(),
        )
        snapshot = sign_off(assessment=locked, user=user)
    assessment.refresh_from_db()
    _notify_after(assessment, snapshot)
    return snapshot


def _notify_after(assessment: Assessment, snapshot: Snapshot | None) -> None:
    if snapshot is not None:
        notifications.signed_off(assessment)
