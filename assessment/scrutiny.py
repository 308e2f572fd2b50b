"""Challenge and response: a scrutineer (or lead) raises a challenge that needs a response, the
agencies concerned and the leads respond, and the scrutineer resolves it or keeps it open with a
further note. Plain comments are separate and unchanged (``Comment``).

Challenges never change answers, so, like comments, they may be raised and answered at any
stage, including after sign-off (the snapshot keeps them as they stood then).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessment import notifications
from assessment.models import (
    Assessment,
    Challenge,
    ChallengeNote,
    Partnership,
    Question,
    RecommendationResponse,
    Theme,
    User,
)
from assessment.models.lock import OPEN


def holding_cycle(partnership: Partnership) -> Assessment | None:
    """The cycle that holds a challenge on a register entry: the open one (a partnership has at
    most one), else the latest; None before the partnership has started any."""
    cycles = Assessment.objects.filter(partnership=partnership).select_related("partnership")
    return cycles.filter(status__in=OPEN).first() or cycles.order_by("-period_end", "-pk").first()


def raise_challenge(
    *,
    assessment: Assessment,
    user: User,
    text: str,
    theme: Theme | None = None,
    question: Question | None = None,
    entry: RecommendationResponse | None = None,
) -> Challenge:
    """A challenge on ``question`` (within its theme), on ``theme``, on a register ``entry`` of
    the assessment's partnership, or on the whole assessment."""
    if question is not None:
        theme = question.theme
    if entry is not None and (
        theme is not None or entry.partnership_id != assessment.partnership_id
    ):
        raise ValueError("A register entry is challenged on its own, in its partnership's cycle")
    if not text.strip():
        raise ValidationError("Enter the challenge")
    challenge = Challenge.objects.create(
        assessment=assessment,
        theme=theme,
        question=question,
        entry=entry,
        raised_by=user,
        text=text.strip(),
    )
    transaction.on_commit(lambda: notifications.challenge_raised(challenge))
    return challenge


def _note(challenge: Challenge, user: User, kind: str, text: str) -> ChallengeNote:
    if not text.strip():
        raise ValidationError(
            "Enter your response" if kind == ChallengeNote.RESPONSE else "Enter a note"
        )
    note = ChallengeNote.objects.create(
        challenge=challenge, kind=kind, author=user, text=text.strip()
    )
    transaction.on_commit(lambda: notifications.challenge_noted(note))
    return note


def respond(*, challenge: Challenge, user: User, text: str) -> ChallengeNote:
    if not challenge.is_open:
        raise ValidationError("This challenge has been resolved: it takes no more responses.")
    return _note(challenge, user, ChallengeNote.RESPONSE, text)


def keep_open(*, challenge: Challenge, user: User, text: str) -> ChallengeNote:
    """The scrutineer is not yet satisfied: a further note, and the challenge stays open."""
    if not challenge.is_open:
        raise ValidationError("This challenge has already been resolved.")
    return _note(challenge, user, ChallengeNote.NOTE, text)


def resolve(*, challenge: Challenge, user: User, text: str) -> ChallengeNote:
    with transaction.atomic():
        fresh = Challenge.objects.select_for_update().get(pk=challenge.pk)
        if not fresh.is_open:
            raise ValidationError("This challenge has already been resolved.")
        note = _note(fresh, user, ChallengeNote.RESOLUTION, text)
        fresh.resolved_at = timezone.now()
        fresh.resolved_by = user
        fresh.save(update_fields=["resolved_at", "resolved_by"])
    challenge.refresh_from_db()
    return note
