"""What the scrutiny and sign-off pages show: open challenges, who has approved, what is missing.

Read models only; the commands that change these records are in ``signoff.py`` and
``scrutiny.py``. ``sign_off_problems`` is the one rule for when a cycle may be signed off: the
command checks it and the pages explain it.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from assessment.models import (
    Action,
    Answer,
    Approval,
    Assessment,
    Challenge,
    ChallengeNote,
    Decision,
    Membership,
    Representative,
    Role,
    Status,
    StatutoryPartner,
    User,
    challenges_on,
    statutory_partners,
)
from assessment.results import Scored, scored

# People who may be named to approve for a statutory partner: independent scrutiny judges the
# arrangements and does not approve them.
APPROVER_ROLES = (Role.LEAD, Role.CONTRIBUTOR, Role.VIEWER)


def challenges_of(assessment: Assessment) -> QuerySet[Challenge]:
    """Every challenge the cycle answers for (``challenges_on``) with its notes, open first."""
    return (
        challenges_on(assessment)
        .select_related(
            "theme", "question", "raised_by", "resolved_by", "entry__recommendation__set"
        )
        .prefetch_related(
            Prefetch("notes", ChallengeNote.objects.select_related("author").order_by("created"))
        )
        .order_by("resolved_at", "created")
    )


def open_challenges(assessment: Assessment) -> list[Challenge]:
    return list(challenges_of(assessment).filter(resolved_at__isnull=True))


def open_by_theme(challenges: list[Challenge]) -> Counter:
    """Open challenges counted by theme id (None: on the whole assessment)."""
    return Counter(c.theme_id for c in challenges if c.is_open)


def left_open_reasons(assessment: Assessment) -> dict[int, ChallengeNote]:
    """For each challenge, the reason given in the current round of review for leaving it open."""
    if assessment.submitted_at is None:
        return {}
    notes = ChallengeNote.objects.filter(
        challenge__assessment=assessment,
        kind=ChallengeNote.LEFT_OPEN,
        created__gte=assessment.submitted_at,
    ).select_related("author")
    return {note.challenge_id: note for note in notes}


@dataclass
class PartnerState:
    partner: str
    representative: Membership | None
    decision: Approval | None  # this round's decision, if any

    @property
    def label(self) -> str:
        return StatutoryPartner(self.partner).label

    @property
    def approved(self) -> bool:
        return self.decision is not None and self.decision.decision == Decision.APPROVED


@dataclass
class ApprovalState:
    assessment: Assessment
    partners: list[PartnerState]
    board: Approval | None
    history: list[Approval] = field(default_factory=list)

    @property
    def all_approved(self) -> bool:
        return all(p.approved for p in self.partners)

    @property
    def waiting_for(self) -> list[PartnerState]:
        return [p for p in self.partners if not p.approved]

    @property
    def only_the_submitter(self) -> bool:
        """Every approval came from the person who submitted the cycle: not enough."""
        approvers = {p.decision.user_id for p in self.partners if p.decision and p.approved}
        return approvers == {self.assessment.submitted_by_id}

    @property
    def complete(self) -> bool:
        return self.board is not None or (self.all_approved and not self.only_the_submitter)

    def represented_by(self, user: User) -> list[PartnerState]:
        return [
            p
            for p in self.partners
            if p.representative is not None and p.representative.user_id == user.pk
        ]

    @property
    def unnamed(self) -> list[PartnerState]:
        return [p for p in self.partners if p.representative is None]


def representatives_of(partnership) -> dict[str, Membership]:
    return {
        r.partner: r.membership
        for r in Representative.objects.filter(partnership=partnership).select_related(
            "membership__user"
        )
    }


def approval_state(assessment: Assessment) -> ApprovalState:
    representatives = representatives_of(assessment.partnership)
    history = list(
        Approval.objects.filter(assessment=assessment).select_related("user").order_by("created")
    )
    this_round = [a for a in history if a.round == assessment.review_round]
    decisions = {a.partner: a for a in this_round if a.partner}  # the latest wins
    board = next((a for a in reversed(this_round) if a.decision == Decision.BOARD), None)
    partners = [
        PartnerState(p, representatives.get(p), decisions.get(p))
        for p in statutory_partners(assessment.partnership.nation)
    ]
    return ApprovalState(assessment, partners, board, history)


def sign_off_problems(
    assessment: Assessment, state: ApprovalState, open_list: list[Challenge]
) -> list[str]:
    """Why the cycle cannot be signed off yet; empty when it can."""
    if assessment.status != Status.IN_REVIEW:
        return ["Only a self-assessment in review can be signed off."]
    problems = []
    if not state.complete:
        if state.all_approved and state.only_the_submitter:
            problems.append(
                "Someone other than the person who submitted it must approve it, "
                "or record that the board approved it."
            )
        else:
            waiting = ", ".join(p.label.lower() for p in state.waiting_for)
            problems.append(f"Waiting for approval from: {waiting}.")
    reasons = left_open_reasons(assessment)
    unexplained = [c for c in open_list if c.pk not in reasons]
    if unexplained:
        count = len(unexplained)
        problems.append(
            f"{count} open challenge{'s' if count != 1 else ''} "
            f"{'need' if count != 1 else 'needs'} a reason for leaving {'them' if count != 1 else 'it'} open."
        )
    return problems


def confirmed_unchanged(assessment: Assessment) -> list[str]:
    """Codes of carried-over answers confirmed as still true, with no change since."""
    current = dict(Answer.objects.filter(assessment=assessment).values_list("pk", "version"))
    confirmed = Answer.history.filter(
        assessment_id=assessment.pk, history_change_reason="confirmed"
    ).values_list("id", "version", "question__code")
    return sorted({code for pk, version, code in confirmed if current.get(pk) == version})


@dataclass
class SignOffSummary:
    """Where sign-off stands: approvals, open challenges and their reasons, overdue actions. The
    figures the signers approve (rating, critical findings, since last cycle) are the board
    summary's (``board_summary.BoardSummary``), the same model the report is drawn from."""

    scored: Scored
    state: ApprovalState
    challenges: list[Challenge]
    reasons: dict[int, ChallengeNote]
    overdue: list[Action]
    confirmed_unchanged: list[str]

    @property
    def open(self) -> list[Challenge]:
        return [c for c in self.challenges if c.is_open]

    @property
    def unexplained(self) -> list[Challenge]:
        return [c for c in self.open if c.pk not in self.reasons]

    @property
    def board_meeting(self):
        return self.state.board.board_meeting if self.state.board else None

    @property
    def problems(self) -> list[str]:
        return sign_off_problems(self.scored.assessment, self.state, self.open)


def sign_off_summary(assessment: Assessment) -> SignOffSummary:
    challenges = list(challenges_of(assessment))
    overdue = [
        a
        for a in Action.objects.filter(assessment=assessment).select_related("owner")
        if a.is_overdue
    ]
    return SignOffSummary(
        scored=scored(assessment),
        state=approval_state(assessment),
        challenges=challenges,
        reasons=left_open_reasons(assessment),
        overdue=overdue,
        confirmed_unchanged=confirmed_unchanged(assessment),
    )
